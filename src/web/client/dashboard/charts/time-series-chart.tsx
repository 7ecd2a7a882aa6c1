/** Values over time as lines with a dot per bucket; a bucket without data breaks the line. Optional guides: a shaded band and a dashed line across the plot. */
import type { Values } from '../stats-summary.js';
import { bandX, ChartFrame, niceScale, PLOT, timeLabels, yOf } from './chart-frame.js';

export interface TimeSeries {
  name: string;
  values: Values;
  /** CSS class for the stroke colour (.series-*). */
  className: string;
}

export interface Guides {
  /** A shaded range of y, e.g. where the calibration images' scores lay. */
  band?: { low: number; high: number; label: string };
  /** A dashed level, e.g. the NG threshold. */
  line?: { value: number; label: string };
}

interface TimeSeriesChartProps {
  label: string;
  times: number[];
  series: TimeSeries[];
  yFormat(value: number): string;
  /** The y axis reaches at least this high (e.g. a rate axis that should show 10% even when all is well). */
  minYMax?: number;
  timeFormat(t: number): string;
  guides?: Guides;
}

export function TimeSeriesChart({ label, times, series, yFormat, minYMax = 0, timeFormat, guides }: TimeSeriesChartProps) {
  const levels = [guides?.band?.high, guides?.line?.value].filter((v): v is number => v !== undefined);
  const max = Math.max(minYMax, ...levels, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const scale = niceScale(max);
  const x = (i: number) => bandX(i, times.length).center;
  const band = guides?.band;
  const line = guides?.line;
  return (
    <ChartFrame label={label} scale={scale} yFormat={yFormat} xLabels={timeLabels(times)}>
      {band && (
        <rect class="chart-band" x={PLOT.x0} width={PLOT.x1 - PLOT.x0} y={yOf(band.high, scale)} height={Math.max(1, yOf(band.low, scale) - yOf(band.high, scale))}>
          <title>{band.label}</title>
        </rect>
      )}
      {line && (
        <g>
          <line class="threshold-line" x1={PLOT.x0} x2={PLOT.x1} y1={yOf(line.value, scale)} y2={yOf(line.value, scale)} />
          <text class="threshold-label" x={PLOT.x1 - 4} y={yOf(line.value, scale) - 4} text-anchor="end">
            {line.label}
          </text>
        </g>
      )}
      {series.map((s) => {
        let path = '';
        s.values.forEach((value, i) => {
          if (value === null) return;
          path += `${i > 0 && s.values[i - 1] !== null ? 'L' : 'M'}${x(i).toFixed(1)},${yOf(value, scale).toFixed(1)}`;
        });
        return (
          <g key={s.name} class={`chart-series ${s.className}`}>
            <path d={path} class="chart-line" />
            {s.values.map((value, i) =>
              value === null ? null : (
                <circle key={i} cx={x(i)} cy={yOf(value, scale)} r={times.length > 60 ? 1.5 : 3} class="chart-dot">
                  <title>{`${s.name}, ${timeFormat(times[i])}: ${yFormat(value)}`}</title>
                </circle>
              ),
            )}
          </g>
        );
      })}
    </ChartFrame>
  );
}
