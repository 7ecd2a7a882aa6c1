/** The score distribution in ten bins of 0.1, with the NG threshold (0.5) drawn as a line between bins. */
import { bandX, ChartFrame, niceScale, PLOT, yOf } from './chart-frame.js';

interface HistogramChartProps {
  label: string;
  bins: number[];
  /** Score at which parts are NG: a bin edge. */
  threshold: number;
}

export function HistogramChart({ label, bins, threshold }: HistogramChartProps) {
  const scale = niceScale(Math.max(...bins));
  const n = bins.length;
  const edges = Array.from({ length: n + 1 }, (_, i) => ({ x: PLOT.x0 + ((PLOT.x1 - PLOT.x0) * i) / n, text: (i / n).toFixed(1) }));
  const thresholdX = PLOT.x0 + (PLOT.x1 - PLOT.x0) * threshold;
  return (
    <ChartFrame label={label} scale={scale} yFormat={(v) => String(v)} xLabels={edges.filter((_, i) => i % 2 === 0)}>
      {bins.map((count, i) => {
        const band = bandX(i, n);
        const low = i / n;
        const y = yOf(count, scale);
        return (
          <rect key={i} x={band.start + 2} width={band.width - 4} y={y} height={PLOT.y1 - y} class={low >= threshold ? 'bar bar-ng' : 'bar bar-ok'}>
            <title>{`Score ${low.toFixed(1)}–${(low + 1 / n).toFixed(1)}: ${count} inspections`}</title>
          </rect>
        );
      })}
      <line class="threshold-line" x1={thresholdX} x2={thresholdX} y1={PLOT.y0 - 4} y2={PLOT.y1} />
      <text class="threshold-label" x={thresholdX + 6} y={PLOT.y0 + 8}>
        NG threshold {threshold}
      </text>
    </ChartFrame>
  );
}
