/** Status words with a colour and a shape, never colour alone: the decision, a part's verdict and the review state. */
import type { Part, ReviewState } from '../api/types.js';
import { REVIEW_STATE_LABELS } from '../verdicts.js';

export function DecisionBadge({ decision, large = false }: { decision: 'OK' | 'NG'; large?: boolean }) {
  return <span class={`badge badge-${decision.toLowerCase()}${large ? ' badge-large' : ''}`}>{decision}</span>;
}

export function ReviewBadge({ state }: { state: ReviewState }) {
  return <span class={`review review-${state.replace('_', '-')}`}>{REVIEW_STATE_LABELS[state]}</span>;
}

/** A part's verdict: NG or OK like a decision, INCOMPLETE when views never arrived, Pending while they may. */
export function PartVerdictBadge({ verdict, large = false }: { verdict: Part['verdict']; large?: boolean }) {
  if (verdict === 'OK' || verdict === 'NG') return <DecisionBadge decision={verdict} large={large} />;
  const [word, kind] = verdict === 'INCOMPLETE' ? ['INCOMPLETE', 'incomplete'] : ['Pending', 'pending'];
  return <span class={`badge badge-${kind}${large ? ' badge-large badge-large-word' : ''}`}>{word}</span>;
}

export function LegalHoldBadge() {
  return (
    <span class="badge badge-hold" title="Retention keeps this part's images and maps">
      Legal hold
    </span>
  );
}
