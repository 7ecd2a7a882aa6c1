/**
 * The verdict buttons (with their number keys), the optional note, what happened to the last
 * verdict, and the inspection's review history. The two verdicts that fit the model's call
 * (NG: true defect or false alarm; OK: OK or missed defect) are shown first in weight.
 */
import type { ComponentChildren, Ref } from 'preact';
import type { Inspection, ReviewVerdict } from '../api/types.js';
import { ReviewBadge } from '../components/badges.js';
import { formatTime } from '../format.js';
import { VERDICTS } from '../verdicts.js';

export interface ReviewStatus {
  kind: 'saved' | 'error';
  text: string;
}

interface ReviewPanelProps {
  inspection: Inspection;
  note: string;
  onNote(note: string): void;
  noteRef: Ref<HTMLTextAreaElement>;
  /** The verdict being recorded now. */
  saving: ReviewVerdict | null;
  status: ReviewStatus | null;
  onVerdict(verdict: ReviewVerdict): void;
  /** What follows from the verdict (the good set), between the note and the history. */
  children?: ComponentChildren;
}

/** The verdicts that agree with the model's call: shown first in weight. */
export const FITS_DECISION: Record<'OK' | 'NG', ReviewVerdict[]> = { NG: ['true_defect', 'false_alarm'], OK: ['ok', 'missed_defect'] };

export function ReviewPanel({ inspection, note, onNote, noteRef, saving, status, onVerdict, children }: ReviewPanelProps) {
  const history = [...(inspection.reviews ?? [])].reverse();
  return (
    <section class="panel review-panel" aria-labelledby="review-heading">
      <div class="panel-heading">
        <h2 id="review-heading">Verdict</h2>
        <ReviewBadge state={inspection.reviewState} />
      </div>
      <div class="verdicts">
        {VERDICTS.map((choice) => (
          <button
            key={choice.verdict}
            type="button"
            class={`verdict verdict-${choice.verdict.replace('_', '-')}${FITS_DECISION[inspection.decision].includes(choice.verdict) ? ' verdict-fits' : ''}`}
            aria-pressed={inspection.reviewState === choice.verdict}
            aria-keyshortcuts={choice.key}
            disabled={saving !== null}
            onClick={() => onVerdict(choice.verdict)}
          >
            <kbd>{choice.key}</kbd>
            <span class="verdict-label">{choice.label}</span>
            <span class="verdict-meaning">{saving === choice.verdict ? 'Recording…' : choice.meaning}</span>
          </button>
        ))}
      </div>
      <label class="field">
        <span class="field-label">
          Note <span class="muted">(optional, sent with the verdict)</span> <kbd>n</kbd>
        </span>
        <textarea
          ref={noteRef}
          name="note"
          rows={2}
          maxLength={2000}
          value={note}
          placeholder="e.g. glare on the flange edge"
          onInput={(e) => onNote(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()}
        />
      </label>
      <p class={`review-status${status ? ` review-status-${status.kind}` : ''}`} role="status" aria-live="polite">
        {status?.text ?? ''}
      </p>
      {children}
      {history.length > 0 && (
        <>
          <h3 class="subheading">History</h3>
          <ol class="review-history">
            {history.map((review) => (
              <li key={review.createdAt + review.verdict}>
                <ReviewBadge state={review.verdict} />
                <span class="muted">
                  {formatTime(review.createdAt)}
                  {review.reviewer ? ` · key ${review.reviewer}` : ''}
                </span>
                {review.note && <p class="review-note">{review.note}</p>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
