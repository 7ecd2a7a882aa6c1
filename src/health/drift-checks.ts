/**
 * The checks on one camera's window, without state: the raw scores of the parts it decided OK and
 * each image-quality measure against the model's reference (Kolmogorov-Smirnov), and its NG rate
 * against the inspections before it (beta-binomial). A check fails when its statistic exceeds its
 * limit; each says what it compared, so an event can say what moved, by how much and since when.
 */
import { median } from 'simple-statistics';
import type { Decision } from '../model/loaded-model.js';
import type { DriftEventMeasure } from '../store/drift-events.js';
import { QUALITY_MEASURES, type ImageQuality } from './image-quality.js';
import { referenceMedian, type DriftMeasure, type LineReference } from './reference.js';
import type { DriftSettings } from './settings.js';
import { betaBinomialUpperTail, ksCriticalDistance, ksDistance } from './two-sample.js';

export interface Frame {
  inspectionId: string;
  createdMs: number;
  decision: Decision;
  rawScore: number;
  /** The raw image threshold it was decided at. */
  threshold: number;
  quality: ImageQuality | null;
}

export interface DriftCheck {
  measure: DriftEventMeasure;
  statistic: number;
  limit: number;
  /** The reference's median (the baseline NG rate for ngRate). */
  referenceValue: number;
  /** The median of the frames since the move began (the window's NG rate for ngRate). */
  observedValue: number;
  /** Values the window contributed. */
  sampleSize: number;
  /** The newest of them that account for the distance. */
  recentFrames: number;
  /** When the move began, as far as the window tells: the first of the frames that account for the distance. */
  sinceMs: number;
}

/** A score sample smaller than this share of the window (a line calling most parts NG) is not compared. */
const MIN_OK_SHARE = 0.5;

/**
 * `frames`: the window, oldest first. `baseline`: NG calls (true) of the inspections before it, or
 * null while there are too few of them. `reference`: null for a model package without one, whose
 * score and quality drift cannot be judged.
 */
export function checkWindow(frames: readonly Frame[], baseline: { ng: number; count: number } | null, reference: LineReference | null, settings: DriftSettings): DriftCheck[] {
  const checks: DriftCheck[] = [];
  if (reference) {
    const ok = frames.filter((f) => f.decision === 'OK');
    // the calibration scores that would be decided OK at today's threshold: the window holds no others
    const below = frames[frames.length - 1].threshold;
    if (ok.length >= MIN_OK_SHARE * frames.length) checks.push(distanceCheck('rawScore', ok, (f) => f.rawScore, reference, settings, below));
    const measured = frames.filter((f) => f.quality !== null);
    if (measured.length === frames.length) {
      for (const measure of QUALITY_MEASURES) checks.push(distanceCheck(measure, measured, (f) => f.quality![measure], reference, settings));
    }
  }
  if (baseline && baseline.count >= frames.length) checks.push(ngRateCheck(frames, baseline, settings));
  return checks;
}

function distanceCheck(measure: DriftMeasure, frames: readonly Frame[], value: (frame: Frame) => number, reference: LineReference, settings: DriftSettings, below = Infinity): DriftCheck {
  const values = frames.map(value);
  const quantiles = reference[measure];
  const statistic = ksDistance(values, quantiles, below);
  const limit = Math.max(settings.minDistance, ksCriticalDistance(settings.alpha, reference.images, values.length));
  // A distance d means about d of the window lies where the reference does not: the newest ones, if it moved.
  const moved = Math.min(values.length, Math.max(1, Math.round(statistic * values.length)));
  return {
    measure,
    statistic,
    limit,
    referenceValue: referenceMedian(quantiles),
    observedValue: median(values.slice(-moved)),
    sampleSize: values.length,
    recentFrames: moved,
    sinceMs: frames[frames.length - moved].createdMs,
  };
}

/** The window's NG count against the baseline's rate, as uncertain as its counts make it (Jeffreys prior: a baseline without NG is no rate of zero). */
function ngRateCheck(frames: readonly Frame[], baseline: { ng: number; count: number }, settings: DriftSettings): DriftCheck {
  const ng = frames.filter((f) => f.decision === 'NG');
  const p = betaBinomialUpperTail(ng.length, frames.length, baseline.ng + 0.5, baseline.count - baseline.ng + 0.5);
  return {
    measure: 'ngRate',
    statistic: -Math.log10(Math.max(p, Number.MIN_VALUE)),
    limit: -Math.log10(settings.alpha),
    referenceValue: baseline.ng / baseline.count,
    observedValue: ng.length / frames.length,
    sampleSize: frames.length,
    recentFrames: frames.length,
    sinceMs: (ng[0] ?? frames[0]).createdMs,
  };
}
