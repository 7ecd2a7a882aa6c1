/**
 * A drift event in words, for the dashboard, the API and the line's alerts: what moved, which way,
 * by how much, and how sure the test is. Times are left to the reader's clock (the UI shows
 * "since" in the plant's time zone).
 */
import type { DriftEvent, DriftEventMeasure } from '../store/drift-events.js';

const NAMES: Record<DriftEventMeasure, string> = {
  rawScore: 'OK-part scores',
  brightness: 'Brightness',
  contrast: 'Contrast',
  focus: 'Focus (variance of the Laplacian)',
  saturation: 'Share of clipped pixels',
  ngRate: 'NG rate',
};

const number = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3));
const percent = (value: number) => `${(100 * value).toFixed(value < 0.1 ? 1 : 0)}%`;

export function explainDrift(event: Pick<DriftEvent, 'measure' | 'statistic' | 'limit' | 'referenceValue' | 'observedValue' | 'windowSize' | 'recentFrames'>): string {
  const { measure, referenceValue: before, observedValue: now } = event;
  if (measure === 'ngRate') {
    return (
      `NG rate rose to ${percent(now)} of the last ${event.windowSize} inspections from ${percent(before)} before them ` +
      `(beta-binomial p = ${(10 ** -event.statistic).toPrecision(2)}, limit ${(10 ** -event.limit).toPrecision(2)}).`
    );
  }
  const direction = now > before ? 'rose' : 'fell';
  const change = before !== 0 ? ` ${Math.abs((100 * (now - before)) / before).toFixed(0)}%` : '';
  const toward = measure === 'rawScore' && now > before ? ' toward the threshold' : '';
  return (
    `${NAMES[measure]} ${direction}${change}${toward}: median ${number(now)} over the latest ${event.recentFrames} frames, ${number(before)} on the calibration images ` +
    `(Kolmogorov-Smirnov distance ${event.statistic.toFixed(2)} over ${event.windowSize} frames, limit ${event.limit.toFixed(2)}).`
  );
}
