/**
 * QA's verdict on the part as a whole: good (every NG view a false alarm, every OK view
 * confirmed) or defective (every NG view a true defect; OK views keep their own verdict, given
 * per view). Recorded by the server on each view's inspection, with the note.
 */
import { useState } from 'preact/hooks';
import type { Part, PartReviewVerdict } from '../api/types.js';
import type { ReviewStatus } from '../detail/review-panel.js';

const CHOICES: readonly { verdict: PartReviewVerdict; label: string; meaning: string; kind: string }[] = [
  { verdict: 'good', label: 'Part good', meaning: 'NG views were false alarms', kind: 'ok' },
  { verdict: 'defective', label: 'Part defective', meaning: 'NG views are true defects', kind: 'true-defect' },
];

export function PartReviewPanel({ part, onReview }: { part: Part; onReview(verdict: PartReviewVerdict, note: string): Promise<void> }) {
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState<PartReviewVerdict | null>(null);
  const [status, setStatus] = useState<ReviewStatus | null>(null);
  const reviewed = part.views.flatMap((view) => view.inspections).filter((inspection) => inspection.reviewState !== 'unreviewed').length;
  const total = part.views.reduce((sum, view) => sum + view.inspections.length, 0);

  const record = (choice: (typeof CHOICES)[number]) => {
    setSaving(choice.verdict);
    setStatus(null);
    onReview(choice.verdict, note)
      .then(
        () => {
          setNote('');
          setStatus({ kind: 'saved', text: `Recorded: ${choice.label.toLowerCase()}.` });
        },
        (error: Error) => setStatus({ kind: 'error', text: `Not recorded: ${error.message}` }),
      )
      .finally(() => setSaving(null));
  };

  return (
    <section class="panel review-panel" aria-labelledby="part-review-heading">
      <div class="panel-heading">
        <h2 id="part-review-heading">Verdict on the part</h2>
        <span class="muted small">
          {reviewed} of {total} views reviewed
        </span>
      </div>
      <div class="verdicts">
        {CHOICES.map((choice) => (
          <button key={choice.verdict} type="button" class={`verdict verdict-fits verdict-${choice.kind}`} disabled={saving !== null || total === 0} onClick={() => record(choice)}>
            <span class="verdict-label">{choice.label}</span>
            <span class="verdict-meaning">{saving === choice.verdict ? 'Recording…' : choice.meaning}</span>
          </button>
        ))}
      </div>
      <label class="field">
        <span class="field-label">
          Note <span class="muted">(optional, kept with each view's review)</span>
        </span>
        <textarea name="part-note" rows={2} maxLength={2000} value={note} placeholder="e.g. burr on the top face" onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <p class={`review-status${status ? ` review-status-${status.kind}` : ''}`} role="status" aria-live="polite">
        {status?.text ?? ''}
      </p>
    </section>
  );
}
