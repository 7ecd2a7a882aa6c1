/**
 * A score against the threshold. Scores are calibrated so the NG threshold is always 0.5, so
 * the bar shows 0..1 with a fixed tick at the middle; the number is beside it for reading.
 */
import { formatScore } from '../format.js';

export const SCORE_THRESHOLD = 0.5;

export function ScoreBar({ score, size = 'small' }: { score: number; size?: 'small' | 'large' }) {
  const ng = score >= SCORE_THRESHOLD;
  return (
    <span class={`score score-${size}`}>
      <span class="score-value">{formatScore(score)}</span>
      <span class="score-track" aria-hidden="true">
        <span class={`score-fill ${ng ? 'score-fill-ng' : 'score-fill-ok'}`} style={{ width: `${Math.min(1, Math.max(0, score)) * 100}%` }} />
        <span class="score-threshold" style={{ left: `${SCORE_THRESHOLD * 100}%` }} />
      </span>
    </span>
  );
}
