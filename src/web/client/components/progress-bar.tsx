/** A labelled progress bar: the native element for assistive technology, styled to match. */
import { formatPercent } from '../format.js';

interface ProgressBarProps {
  /** 0..1 */
  value: number;
  label: string;
  tone?: 'active' | 'done' | 'failed' | 'idle';
}

export function ProgressBar({ value, label, tone = 'active' }: ProgressBarProps) {
  const clamped = Math.min(1, Math.max(0, value));
  return (
    <div class={`progress progress-${tone}`}>
      <progress max={1} value={clamped} aria-label={label} aria-valuetext={formatPercent(clamped, 0)} />
      <span class="progress-value num">{formatPercent(clamped, 0)}</span>
    </div>
  );
}
