/**
 * Whether an inspection is in its product's good set, why it cannot be added, and adding it. Kept
 * apart from the panel so the page's keyboard shortcut and the button share one action.
 */
import { useState } from 'preact/hooks';
import type { GoodSetEntry, Inspection } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { canTrain } from '../session/roles.js';
import { useSession } from '../session/session-context.js';
import type { ReviewStatus } from './review-panel.js';

export interface GoodSetState {
  entry: GoodSetEntry | null;
  /** Why the inspection cannot be added (the server refuses the same), or null. */
  refusal: string | null;
  adding: boolean;
  status: ReviewStatus | null;
  add(): void;
}

export function useGoodSet(inspection: Inspection | null, onAdded: () => void): GoodSetState {
  const { api, identity } = useSession();
  const product = inspection?.product ?? null;
  const id = inspection?.id ?? null;
  const list = useLoad(() => (product ? api.goodSet(product) : Promise.resolve(null)), [api, product]);
  const [added, setAdded] = useState<GoodSetEntry | null>(null);
  const [adding, setAdding] = useState(false);
  const [status, setStatus] = useState<ReviewStatus | null>(null);
  const entry = added ?? list.data?.items.find((item) => item.inspectionId === id) ?? null;
  const refusal = inspection && refusalOf(inspection, canTrain(identity));

  const add = () => {
    if (!inspection || entry || adding || refusal) return;
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
  return { entry, refusal, adding, status, add };
}

/** Only parts a person reviewed as good are trained on as good: an unreviewed NG call may be a real defect. */
function refusalOf(inspection: Inspection, mayCurate: boolean): string | null {
  if (!mayCurate) return 'Adding to the good set needs a trainer or admin key.';
  switch (inspection.reviewState) {
    case 'true_defect':
    case 'missed_defect':
      return 'Reviewed as a defect: it cannot join the good set. Review it as a false alarm first if the part is good.';
    case 'unreviewed':
      return 'Not reviewed yet: review it as OK or a false alarm first if the part is good.';
  }
  return inspection.stored.image ? null : 'The image was removed by the retention policy: there is nothing to add.';
}
