/** Where an inspection's time went, stage by stage, as one stacked bar with its legend. */
import type { Inspection } from '../api/types.js';
import { formatMs } from '../format.js';

const STAGES = [
  { key: 'receiveMs', label: 'Upload' },
  { key: 'decodeMs', label: 'Decode' },
  { key: 'queueMs', label: 'Queue' },
  { key: 'inferenceMs', label: 'Inference' },
  { key: 'storeMs', label: 'Store' },
] as const;

export function TimingsBar({ timings }: { timings: Inspection['timings'] }) {
  const total = Math.max(timings.totalMs, STAGES.reduce((sum, stage) => sum + timings[stage.key], 0), 1e-9);
  return (
    <div class="timings">
      <div class="timings-bar" role="img" aria-label={`Total ${formatMs(timings.totalMs)}: ${STAGES.map((s) => `${s.label} ${formatMs(timings[s.key])}`).join(', ')}`}>
        {STAGES.map((stage, i) => (
          <span key={stage.key} class={`timings-segment stage-${i}`} style={{ width: `${(timings[stage.key] / total) * 100}%` }} />
        ))}
      </div>
      <ul class="timings-legend">
        {STAGES.map((stage, i) => (
          <li key={stage.key}>
            <span class={`legend-swatch stage-${i}`} aria-hidden="true" />
            {stage.label} <span class="num">{formatMs(timings[stage.key])}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
