/**
 * Threshold re-calibration from reviewed inspections: for candidate raw thresholds, how many of
 * the reviewed good parts (false alarms, confirmed OKs) would be called NG and how many reviewed
 * defective parts (confirmed and missed defects) would pass. These rates are conditional on what
 * QA reviewed (QA mostly reviews NG calls), so they rank thresholds rather than predict a line's
 * exact rates.
 */
import type { LabelledScore } from '../store/review-material.js';

export interface ThresholdRate {
  threshold: number;
  falseCalls: number;
  /** Null without reviewed good parts. */
  falseCallRate: number | null;
  escapes: number;
  /** Null without reviewed defective parts. */
  escapeRate: number | null;
}

export function thresholdRates(scores: readonly LabelledScore[], thresholds: readonly number[]): ThresholdRate[] {
  const good = scores.filter((s) => s.label === 'good').map((s) => s.rawScore);
  const defect = scores.filter((s) => s.label === 'defect').map((s) => s.rawScore);
  return thresholds.map((threshold) => {
    // NG at or above the threshold, as in the decision itself.
    const falseCalls = good.filter((raw) => raw >= threshold).length;
    const escapes = defect.filter((raw) => raw < threshold).length;
    return {
      threshold,
      falseCalls,
      falseCallRate: good.length > 0 ? falseCalls / good.length : null,
      escapes,
      escapeRate: defect.length > 0 ? escapes / defect.length : null,
    };
  });
}

/**
 * Thresholds worth looking at: the ones in force and calibrated, and just above each reviewed
 * score (where a rate changes), thinned to at most `count` spread over the range. Ascending.
 */
export function candidateThresholds(scores: readonly LabelledScore[], fixed: readonly number[], count = 24): number[] {
  const steps = [...new Set(scores.map((s) => nextAbove(s.rawScore)))].sort((a, b) => a - b);
  const stride = Math.max(1, Math.ceil(steps.length / count));
  const thinned = steps.filter((_, i) => i % stride === 0);
  return [...new Set([...fixed, ...thinned])].filter(Number.isFinite).sort((a, b) => a - b);
}

/** A threshold just above `value`: a part scoring exactly `value` is then OK. */
function nextAbove(value: number): number {
  return value + Math.max(Math.abs(value) * 1e-6, 1e-9);
}
