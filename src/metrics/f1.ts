/**
 * Image-level decisions at a threshold: precision, recall and F1, the numbers a QA engineer reads
 * for the deployed threshold; and the best F1 over all thresholds, for reference.
 *
 * A sample is predicted anomalous (NG) when its score >= threshold, as in the ROC sweep.
 * F1 is computed as 2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall where
 * both exist, and 0 (not undefined) when there are samples but no true positive.
 */
import { sortByClass, sweepThresholds, type Labels, type Scores } from './sweep.js';

export interface ThresholdMetrics {
  threshold: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** TP / (TP + FP); NaN when nothing is predicted anomalous. */
  precision: number;
  /** TP / (TP + FN); NaN when there is no anomalous sample. */
  recall: number;
  /** NaN only when there is neither a true positive, a false positive nor a false negative. */
  f1: number;
}

/** Confusion counts and scores of `threshold` on `scores` against `labels` (0 normal, else anomalous). */
export function f1AtThreshold(scores: Scores, labels: Labels, threshold: number): ThresholdMetrics {
  if (labels.length !== scores.length) throw new RangeError(`${scores.length} scores but ${labels.length} labels`);
  if (Number.isNaN(threshold)) throw new RangeError('threshold is NaN');
  let tp = 0;
  let fp = 0;
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`score ${i} is NaN`);
    const predicted = scores[i] >= threshold;
    if (labels[i] !== 0) {
      positives++;
      if (predicted) tp++;
    } else if (predicted) fp++;
  }
  return thresholdMetrics(threshold, tp, fp, positives, scores.length - positives);
}

/**
 * The threshold with the highest F1 among all distinct scores (the highest such score on a tie,
 * the most conservative one). NaN fields when there is no anomalous sample, since F1 is then 0 or
 * undefined at every threshold.
 */
export function bestF1(scores: Scores, labels: Labels): ThresholdMetrics {
  const sorted = sortByClass(scores, labels);
  const positives = sorted.positives.length;
  const negatives = sorted.negatives.length;
  if (positives === 0) return thresholdMetrics(NaN, 0, 0, 0, negatives);
  let best = { threshold: NaN, tp: 0, fp: 0, f1: -1 };
  sweepThresholds(sorted, (threshold, tp, fp) => {
    const f1 = (2 * tp) / (tp + fp + positives);
    if (f1 > best.f1) best = { threshold, tp, fp, f1 };
  });
  return thresholdMetrics(best.threshold, best.tp, best.fp, positives, negatives);
}

function thresholdMetrics(threshold: number, tp: number, fp: number, positives: number, negatives: number): ThresholdMetrics {
  const fn = positives - tp;
  return {
    threshold,
    tp,
    fp,
    fn,
    tn: negatives - fp,
    precision: tp / (tp + fp),
    recall: tp / positives,
    f1: (2 * tp) / (2 * tp + fp + fn),
  };
}
