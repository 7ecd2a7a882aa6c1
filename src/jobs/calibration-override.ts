/**
 * Threshold re-calibration without retraining: a model version's image threshold can be replaced
 * (from the rates the reviewed inspections show), keeping the manifest's center, so scores stay
 * on the 0..1 scale with 0.5 at the threshold in force. The anomaly map and its pixel threshold
 * are untouched: only the OK/NG decision moves.
 */
import type { Verdict } from '../model/loaded-model.js';
import { normalizeScore, type Threshold } from '../model/manifest.js';
import type { ModelVersionRecord } from '../store/model-registry.js';
import type { ThresholdOverrideStore } from '../store/threshold-overrides.js';

/** The version's image threshold in force: its override, else its manifest's calibration. */
export function effectiveImageThreshold(record: ModelVersionRecord, overrides: ThresholdOverrideStore): Threshold {
  const calibrated = record.manifest.calibration.image;
  const override = overrides.current(record.id);
  return override ? { threshold: override.imageThreshold, center: calibrated.center } : calibrated;
}

/** The verdict decided again at `threshold` (the model computed it at the manifest's). */
export function withImageThreshold(verdict: Verdict, threshold: Threshold): Verdict {
  if (verdict.threshold === threshold.threshold) return verdict;
  const score = normalizeScore(verdict.rawScore, threshold);
  return { ...verdict, score, threshold: threshold.threshold, decision: score >= 0.5 ? 'NG' : 'OK' };
}
