/**
 * The drawing area shared by the dashboard's charts: a fixed SVG coordinate system that scales
 * with its box, a zero-based y axis with round ticks and grid lines, and x labels. Charts place
 * their marks with `bandX` and `yOf`.
 */
import type { ComponentChildren } from 'preact';

const VIEW = { width: 640, height: 172, left: 52, right: 14, top: 12, bottom: 26 } as const;
export const PLOT = { x0: VIEW.left, x1: VIEW.width - VIEW.right, y0: VIEW.top, y1: VIEW.height - VIEW.bottom } as const;

export interface YScale {
  max: number;
  ticks: number[];
}

/** Ticks at 1, 2 or 5 times a power of ten, from 0 to at least `max`. */
export function niceScale(max: number, count = 4): YScale {
  if (!(max > 0)) return { max: 1, ticks: [0, 0.25, 0.5, 0.75, 1] };
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { max: top, ticks };
}

export function yOf(value: number, scale: YScale): number {
  return PLOT.y1 - (value / scale.max) * (PLOT.y1 - PLOT.y0);
}

/** The x extent of band `i` of `n` equal bands across the plot. */
export function bandX(i: number, n: number): { start: number; center: number; width: number } {
  const width = (PLOT.x1 - PLOT.x0) / n;
  return { start: PLOT.x0 + i * width, center: PLOT.x0 + (i + 0.5) * width, width };
}

/** Labels for about `count` evenly spaced bucket times: clock times within two days, dates beyond. */
export function timeLabels(times: number[], count = 6): { x: number; text: string }[] {
  if (times.length === 0) return [];
  const span = times[times.length - 1] - times[0];
  const every = Math.max(1, Math.ceil(times.length / count));
  const pad = (n: number) => String(n).padStart(2, '0');
  const text = (t: number) => {
    const d = new Date(t);
    return span <= 2 * 86_400_000 ? `${pad(d.getHours())}:${pad(d.getMinutes())}` : `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  };
  const labels: { x: number; text: string }[] = [];
  for (let i = 0; i < times.length; i += every) labels.push({ x: bandX(i, times.length).center, text: text(times[i]) });
  return labels;
}

interface ChartFrameProps {
  /** What the chart shows, for screen readers. */
  label: string;
  scale: YScale;
  yFormat(value: number): string;
  xLabels: { x: number; text: string }[];
  children: ComponentChildren;
}

export function ChartFrame({ label, scale, yFormat, xLabels, children }: ChartFrameProps) {
  return (
    <svg class="chart-svg" viewBox={`0 0 ${VIEW.width} ${VIEW.height}`} role="img" aria-label={label}>
      <g class="chart-gridlines">
        {scale.ticks.map((tick) => (
          <g key={tick}>
            <line x1={PLOT.x0} x2={PLOT.x1} y1={yOf(tick, scale)} y2={yOf(tick, scale)} />
            <text x={PLOT.x0 - 8} y={yOf(tick, scale)} text-anchor="end" dominant-baseline="middle">
              {yFormat(tick)}
            </text>
          </g>
        ))}
      </g>
      <g class="chart-x-labels">
        {xLabels.map((label) => (
          <text key={`${label.x}`} x={label.x} y={PLOT.y1 + 18} text-anchor="middle">
            {label.text}
          </text>
        ))}
      </g>
      {children}
    </svg>
  );
}
