/** Counts per time bucket as stacked columns, one colour per kind. */
import { bandX, ChartFrame, niceScale, timeLabels, yOf } from './chart-frame.js';

export interface Stack {
  name: string;
  counts: number[];
  /** CSS class for the fill colour (.series-*). */
  className: string;
}

interface StackedColumnsChartProps {
  label: string;
  times: number[];
  stacks: Stack[];
  timeFormat(t: number): string;
}

export function StackedColumnsChart({ label, times, stacks, timeFormat }: StackedColumnsChartProps) {
  const totals = times.map((_, i) => stacks.reduce((sum, stack) => sum + stack.counts[i], 0));
  const scale = niceScale(Math.max(...totals, 1));
  return (
    <ChartFrame label={label} scale={scale} yFormat={(v) => String(v)} xLabels={timeLabels(times)}>
      {times.map((t, i) => {
        const band = bandX(i, times.length);
        const gap = Math.min(2, band.width * 0.2);
        let base = 0;
        return (
          <g key={t}>
            {stacks.map((stack) => {
              const count = stack.counts[i];
              if (count === 0) return null;
              const top = yOf(base + count, scale);
              const bottom = yOf(base, scale);
              base += count;
              return (
                <rect key={stack.name} x={band.start + gap / 2} width={band.width - gap} y={top} height={bottom - top} class={`bar ${stack.className}`}>
                  <title>{`${timeFormat(t)}: ${count} ${stack.name}`}</title>
                </rect>
              );
            })}
          </g>
        );
      })}
    </ChartFrame>
  );
}
