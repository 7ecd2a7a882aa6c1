/**
 * The feedback loop's last step: a part QA reviewed as good (OK, or a false alarm) goes into its
 * product's good set, so the next training job learns it. A part that cannot be added (not
 * reviewed, reviewed as a defect, its image gone, or a key that may not curate) is not offered;
 * the panel says why.
 */
import type { Inspection } from '../api/types.js';
import { formatTime } from '../format.js';
import type { GoodSetState } from './use-good-set.js';

interface GoodSetActionProps {
  inspection: Inspection;
  goodSet: GoodSetState;
}

export function GoodSetAction({ inspection, goodSet }: GoodSetActionProps) {
  const { entry, refusal, adding, status, add } = goodSet;
  const explanation = entry
    ? `Since ${formatTime(entry.addedAt)}: the next training job of ${inspection.product} trains on it.`
    : (refusal ?? `Adds the image to the good set of ${inspection.product} for the next training.`);

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
          <button type="button" class="button good-set-button" disabled={adding || refusal !== null} onClick={add} aria-keyshortcuts="a" aria-describedby="good-set-explanation">
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
