/**
 * Whether an inspection is in its product's good set, and adding it. Kept apart from the panel
 * so the page's keyboard shortcut and the button share one action.
 */
import { useState } from 'preact/hooks';
import type { GoodSetEntry, Inspection } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { useSession } from '../session/session-context.js';
import type { ReviewStatus } from './review-panel.js';

export interface GoodSetState {
  entry: GoodSetEntry | null;
  adding: boolean;
  status: ReviewStatus | null;
  add(): void;
}

export function useGoodSet(inspection: Inspection | null, onAdded: () => void): GoodSetState {
  const { api } = useSession();
  const product = inspection?.product ?? null;
  const id = inspection?.id ?? null;
  const list = useLoad(() => (product ? api.goodSet(product) : Promise.resolve(null)), [api, product]);
  const [added, setAdded] = useState<GoodSetEntry | null>(null);
  const [adding, setAdding] = useState(false);
  const [status, setStatus] = useState<ReviewStatus | null>(null);
  const entry = added ?? list.data?.items.find((item) => item.inspectionId === id) ?? null;
  const reviewedAsDefect = inspection?.reviewState === 'true_defect' || inspection?.reviewState === 'missed_defect';

  const add = () => {
    if (!inspection || entry || adding || reviewedAsDefect || !inspection.stored.image) return;
    setAdding(true);
    setStatus(null);
    api.addToGoodSet(inspection.id).then(
      (result) => {
        setAdded(result);
        setStatus({ kind: 'saved', text: `Added to the good set of ${inspection.product}.` });
        onAdded();
      },
      (error: Error) => setStatus({ kind: 'error', text: `Not added: ${error.message}` }),
    ).finally(() => setAdding(false));
  };
  return { entry, adding, status, add };
}
