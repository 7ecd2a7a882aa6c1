/** Status words with a colour and a shape, never colour alone: the decision and the review state. */
import type { ReviewState } from '../api/types.js';
import { REVIEW_STATE_LABELS } from '../verdicts.js';

export function DecisionBadge({ decision, large = false }: { decision: 'OK' | 'NG'; large?: boolean }) {
  return <span class={`badge badge-${decision.toLowerCase()}${large ? ' badge-large' : ''}`}>{decision}</span>;
}

export function ReviewBadge({ state }: { state: ReviewState }) {
  return <span class={`review review-${state.replace('_', '-')}`}>{REVIEW_STATE_LABELS[state]}</span>;
}
