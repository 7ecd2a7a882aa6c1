/**
 * Whether a lot or a part is on legal hold (retention then keeps its images), with who placed it
 * and why; admins place and lift it, with a reason for the audit log. Other keys see the state only.
 */
import { useState } from 'preact/hooks';
import type { LegalHold } from '../api/types.js';
import { LegalHoldBadge } from '../components/badges.js';
import { ReasonDialog } from '../components/reason-dialog.js';
import { formatTime } from '../format.js';
import { canHold } from '../session/roles.js';
import { useSession } from '../session/session-context.js';

export interface HoldTarget {
  kind: LegalHold['kind'];
  value: string;
}

interface LegalHoldControlProps {
  target: HoldTarget;
  /** The hold in place, or null. */
  hold: LegalHold | null;
  onChanged(): void;
}

export function LegalHoldControl({ target, hold, onChanged }: LegalHoldControlProps) {
  const { api, identity } = useSession();
  const [open, setOpen] = useState(false);
  const subject = `${target.kind} ${target.value}`;
  const held = hold !== null;
  const change = async (reason: string) => {
    await api.setLegalHold(target.kind, target.value, !held, reason);
    onChanged();
  };
  return (
    <div class="legal-hold" data-held={held}>
      {hold ? (
        <p class="legal-hold-state">
          <LegalHoldBadge /> <span class="visually-hidden">on {subject}</span>
          <span class="muted small">
            “{hold.reason}”{hold.placedBy ? ` · placed by ${hold.placedBy}` : ''}
            {hold.placedAt ? ` · ${formatTime(hold.placedAt)}` : ''}
          </span>
        </p>
      ) : (
        <p class="legal-hold-state muted small">Not on legal hold</p>
      )}
      {canHold(identity) && (
        <>
          <button type="button" class="button" onClick={() => setOpen(true)}>
            {held ? 'Lift legal hold' : 'Place legal hold'}
            <span class="visually-hidden"> on {subject}</span>
          </button>
          <ReasonDialog
            open={open}
            title={held ? `Lift the legal hold on ${subject}` : `Place ${subject} on legal hold`}
            confirmLabel={held ? 'Lift hold' : 'Place hold'}
            onConfirm={change}
            onClose={() => setOpen(false)}
          >
            {held
              ? `Retention may then remove the images and maps of ${subject} once they are old enough.`
              : `Retention will keep every image and map of ${subject} until the hold is lifted.`}
          </ReasonDialog>
        </>
      )}
    </div>
  );
}
