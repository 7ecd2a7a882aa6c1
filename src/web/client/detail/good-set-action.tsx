/**
 * The feedback loop in one action: a part judged good (a false alarm, or an NG call being
 * reviewed as one) goes into its product's good set, so the next training job learns it. For an
 * unreviewed part the server records the false alarm on the way. Parts reviewed as defects are
 * not offered; the panel says why.
 */
import type { Inspection } from '../api/types.js';
import { formatTime } from '../format.js';
import type { GoodSetState } from './use-good-set.js';

interface GoodSetActionProps {
  inspection: Inspection;
  goodSet: GoodSetState;
}

export function GoodSetAction({ inspection, goodSet }: GoodSetActionProps) {
  const { entry, adding, status, add } = goodSet;
  const reviewedAsDefect = inspection.reviewState === 'true_defect' || inspection.reviewState === 'missed_defect';
  const explanation = entry
    ? `Since ${formatTime(entry.addedAt)}: the next training job of ${inspection.product} trains on it.`
    : reviewedAsDefect
      ? 'Reviewed as a defect: it cannot join the good set. Review it as a false alarm first if the part is good.'
      : !inspection.stored.image
        ? 'The image was removed by the retention policy: there is nothing to add.'
        : inspection.reviewState === 'unreviewed' && inspection.decision === 'NG'
          ? 'Records a false alarm and adds the image to the good set, in one step.'
          : `Adds the image to the good set of ${inspection.product} for the next training.`;

  return (
    <div class={`good-set${entry ? ' good-set-in' : ''}`} role="group" aria-labelledby="good-set-heading">
      <h3 id="good-set-heading" class="subheading">
        Good set
      </h3>
      {entry ? (
        <p class="good-set-state">
          <span class="badge badge-good-set">In the good set</span> <span class="muted small">{explanation}</span>
        </p>
      ) : (
        <>
          <button type="button" class="button good-set-button" disabled={adding || reviewedAsDefect || !inspection.stored.image} onClick={add} aria-keyshortcuts="a" aria-describedby="good-set-explanation">
            <kbd>a</kbd> {adding ? 'Adding…' : 'Add to good set for the next training'}
          </button>
          <p id="good-set-explanation" class="muted small">
            {explanation}
          </p>
        </>
      )}
      {status && (
        <p class={`review-status review-status-${status.kind}`} role="status">
          {status.text}
        </p>
      )}
    </div>
  );
}
