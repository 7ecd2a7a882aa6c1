/**
 * Expected false-call and escape rates against the raw image threshold, as steps (a rate changes
 * only where a reviewed part's score is crossed), with the calibrated, in-force and selected
 * thresholds marked. Each candidate threshold is a click target.
 */
import type { ThresholdRate } from '../api/types.js';
import { ChartFrame, PLOT, yOf, type YScale } from '../dashboard/charts/chart-frame.js';
import { formatPercent } from '../format.js';

const RATE_SCALE: YScale = { max: 1, ticks: [0, 0.25, 0.5, 0.75, 1] };
const SERIES = [
  { key: 'falseCallRate', name: 'False-call rate', className: 'series-false-call' },
  { key: 'escapeRate', name: 'Escape rate', className: 'series-escape' },
] as const;

interface ThresholdChartProps {
  /** Ascending by threshold. */
  rates: ThresholdRate[];
  calibrated: number;
  current: number;
  selected: number | null;
  onSelect(threshold: number): void;
}

/** About `count` round values between lo and hi. */
function ticks(lo: number, hi: number, count = 5): number[] {
  const rough = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const values: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) values.push(Number(v.toPrecision(12)));
  return values;
}

export function ThresholdChart({ rates, calibrated, current, selected, onSelect }: ThresholdChartProps) {
  const marked = [calibrated, current, ...(selected === null ? [] : [selected])];
  const values = [...rates.map((rate) => rate.threshold), ...marked];
  const low = Math.min(...values);
  const high = Math.max(...values);
  const pad = (high - low) * 0.04 || Math.abs(high) * 0.05 || 1;
  const [lo, hi] = [low - pad, high + pad];
  const xOf = (t: number) => PLOT.x0 + ((t - lo) / (hi - lo)) * (PLOT.x1 - PLOT.x0);

  const markers = [
    { at: calibrated, label: current === calibrated ? 'calibrated, in force' : 'calibrated', className: 'marker-calibrated' },
    ...(current === calibrated ? [] : [{ at: current, label: 'in force', className: 'marker-current' }]),
    ...(selected === null || selected === current ? [] : [{ at: selected, label: 'selected', className: 'marker-selected' }]),
  ];

  return (
    <ChartFrame
      label="Expected false-call rate and escape rate for each candidate threshold"
      scale={RATE_SCALE}
      yFormat={(v) => formatPercent(v, 0)}
      xLabels={ticks(lo, hi).map((t) => ({ x: xOf(t), text: t.toPrecision(3) }))}
    >
      {SERIES.map((series) => {
        const points = rates.filter((rate) => rate[series.key] !== null);
        if (points.length === 0) return null;
        let path = `M${PLOT.x0},${yOf(points[0][series.key]!, RATE_SCALE).toFixed(1)}`;
        for (const point of points) path += `H${xOf(point.threshold).toFixed(1)}V${yOf(point[series.key]!, RATE_SCALE).toFixed(1)}`;
        path += `H${PLOT.x1}`;
        return (
          <g key={series.key} class={`chart-series ${series.className}`}>
            <path d={path} class="chart-line" />
            {points.map((point) => (
              <circle key={point.threshold} cx={xOf(point.threshold)} cy={yOf(point[series.key]!, RATE_SCALE)} r={2.5} class="chart-dot" />
            ))}
          </g>
        );
      })}
      {markers.map((marker, i) => {
        const x = xOf(marker.at);
        // labels near the right edge go to the left of their line
        const leftward = x > (PLOT.x0 + PLOT.x1) / 2;
        return (
          <g key={marker.className} class={`threshold-marker ${marker.className}`}>
            <line x1={x} x2={x} y1={PLOT.y0} y2={PLOT.y1} />
            <text x={leftward ? x - 4 : x + 4} y={PLOT.y0 + 9 + i * 12} text-anchor={leftward ? 'end' : 'start'}>
              {marker.label}
            </text>
          </g>
        );
      })}
      {rates.map((rate, i) => {
        const left = i === 0 ? PLOT.x0 : (xOf(rates[i - 1].threshold) + xOf(rate.threshold)) / 2;
        const right = i === rates.length - 1 ? PLOT.x1 : (xOf(rate.threshold) + xOf(rates[i + 1].threshold)) / 2;
        const describe = (value: number | null) => (value === null ? 'no reviewed parts' : formatPercent(value));
        return (
          <rect key={rate.threshold} class="chart-hit" x={left} width={Math.max(0, right - left)} y={PLOT.y0} height={PLOT.y1 - PLOT.y0} onClick={() => onSelect(rate.threshold)}>
            <title>{`Threshold ${rate.threshold.toPrecision(4)}: false calls ${describe(rate.falseCallRate)}, escapes ${describe(rate.escapeRate)}`}</title>
          </rect>
        );
      })}
    </ChartFrame>
  );
}
