/**
 * ROC curve and the area under it, for image scores and for pixel scores alike.
 *
 * The area is the Mann-Whitney statistic: the probability that a random anomalous sample
 * outscores a random normal one, a tie counting 1/2. Integrating the ROC curve with trapezoids
 * over the distinct thresholds gives exactly that number, because a threshold shared by both
 * classes is a diagonal segment, whose trapezoid is the 1/2 per tied pair. Counts are integers and
 * the area is accumulated as twice itself in integer steps, so it is exact while 2·P·N < 2^53
 * (134 million pixels split evenly, far more at the usual few percent of defect pixels) and the
 * result is that integer ratio correctly rounded.
 *
 * Cost: O(n) for Float32Array scores (radix sort), O(n log n) for others.
 */
import { sortByClass, sweepThresholds, type Labels, type Scores } from './sweep.js';

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Samples scoring >= threshold are predicted anomalous; the first point's is +Infinity. */
  threshold: number;
}

export interface Roc {
  /** NaN when either class is empty: the ranking is then undefined, and a report should show that. */
  auroc: number;
  positives: number;
  negatives: number;
  /** From (0, 0) to (1, 1), fpr and tpr non-decreasing, at most maxPoints points; empty when auroc is NaN. */
  curve: RocPoint[];
}

/** Image AUROC (number[] or Float64Array scores) or pixel AUROC (Float32Array scores, Uint8Array masks). */
export function auroc(scores: Scores, labels: Labels): number {
  return roc(scores, labels, { maxPoints: 2 }).auroc;
}

/**
 * The ROC of `scores` against `labels` (0 normal, anything else anomalous).
 *
 * The curve is downsampled for plotting: a point is kept once the curve has travelled at least
 * 2 / (maxPoints - 2) in fpr + tpr since the last kept one (the whole curve travels 2), so
 * steep and flat stretches keep their shape, and the first and last points are always kept.
 */
export function roc(scores: Scores, labels: Labels, options: { maxPoints?: number } = {}): Roc {
  const maxPoints = options.maxPoints ?? 512;
  if (!(maxPoints >= 2)) throw new RangeError(`maxPoints must be at least 2, got ${maxPoints}`);
  const sorted = sortByClass(scores, labels);
  const positives = sorted.positives.length;
  const negatives = sorted.negatives.length;
  if (positives === 0 || negatives === 0) return { auroc: NaN, positives, negatives, curve: [] };

  const step = maxPoints > 2 ? 2 / (maxPoints - 2) : Infinity;
  const curve: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let twiceArea = 0;
  let lastTp = 0;
  let lastFp = 0;
  let keptFpr = 0;
  let keptTpr = 0;
  sweepThresholds(sorted, (threshold, tp, fp) => {
    twiceArea += (fp - lastFp) * (tp + lastTp);
    lastTp = tp;
    lastFp = fp;
    const fpr = fp / negatives;
    const tpr = tp / positives;
    const last = tp === positives && fp === negatives;
    // The length check only guards the bound against rounding in the travelled distance.
    if (last || (fpr - keptFpr + (tpr - keptTpr) >= step && curve.length < maxPoints - 1)) {
      curve.push({ fpr, tpr, threshold });
      keptFpr = fpr;
      keptTpr = tpr;
    }
  });
  return { auroc: twiceArea / (2 * positives * negatives), positives, negatives, curve };
}
