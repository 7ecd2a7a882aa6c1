/** Values over time as lines with a dot per bucket; a bucket without data breaks the line. */
import type { Values } from '../stats-summary.js';
import { bandX, ChartFrame, niceScale, timeLabels, yOf } from './chart-frame.js';

export interface TimeSeries {
  name: string;
  values: Values;
  /** CSS class for the stroke colour (.series-*). */
  className: string;
}

interface TimeSeriesChartProps {
  label: string;
  times: number[];
  series: TimeSeries[];
  yFormat(value: number): string;
  /** The y axis reaches at least this high (e.g. a rate axis that should show 10% even when all is well). */
  minYMax?: number;
  timeFormat(t: number): string;
}

export function TimeSeriesChart({ label, times, series, yFormat, minYMax = 0, timeFormat }: TimeSeriesChartProps) {
  const max = Math.max(minYMax, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const scale = niceScale(max);
  const x = (i: number) => bandX(i, times.length).center;
  return (
    <ChartFrame label={label} scale={scale} yFormat={yFormat} xLabels={timeLabels(times)}>
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
