/**
 * The threshold sweep behind every ranking metric: split scores by label, sort each class once,
 * then walk all distinct thresholds from the highest down. At each threshold t, "predicted
 * anomalous" means score >= t, so the counts are those of a detector with that threshold.
 *
 * Sorting the two classes separately, instead of one array of (score, label) pairs, keeps the
 * label out of the sort entirely: each class is a plain float array, which the radix sort handles
 * without a payload.
 */
import { sortFloat32 } from './sort.js';

/** Scores accepted by the metrics. Float32Array takes the radix sort; the rest sort as float64. */
export type Scores = Float32Array | Float64Array | readonly number[];
/** Labels: 0 is normal (negative), any other value anomalous (positive), so 0/255 masks work as is. */
export type Labels = ArrayLike<number>;

/** Each class's scores, sorted ascending. */
export interface ClassScores {
  positives: Float32Array | Float64Array;
  negatives: Float32Array | Float64Array;
}

/** Splits `scores` by `labels` and sorts both classes. Throws on a length mismatch or a NaN score. */
export function sortByClass(scores: Scores, labels: Labels): ClassScores {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`${n} scores but ${labels.length} labels`);
  let positiveCount = 0;
  for (let i = 0; i < n; i++) if (labels[i] !== 0) positiveCount++;
  // One allocation holds both classes: positives fill it from the front, negatives from the back.
  const all = scores instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  let p = 0;
  let q = positiveCount;
  for (let i = 0; i < n; i++) {
    const score = scores[i];
    if (Number.isNaN(score)) throw new RangeError(`score ${i} is NaN`);
    if (labels[i] !== 0) all[p++] = score;
    else all[q++] = score;
  }
  const positives = all.subarray(0, positiveCount);
  const negatives = all.subarray(positiveCount);
  if (all instanceof Float32Array) {
    const scratch = { keys: new Uint32Array(Math.max(positiveCount, n - positiveCount)) };
    sortFloat32(positives as Float32Array, undefined, scratch);
    sortFloat32(negatives as Float32Array, undefined, scratch);
  } else {
    // Typed-array sort without a comparator is numeric (and native); image-level inputs are small.
    positives.sort();
    negatives.sort();
  }
  return { positives, negatives };
}

/**
 * Calls `visit(threshold, tp, fp)` once per distinct score, highest first, where tp and fp count
 * the positives and negatives scoring >= threshold. The last call has tp = P and fp = N.
 * -0 and +0 are one threshold, as they are one number.
 */
export function sweepThresholds(
  { positives, negatives }: ClassScores,
  visit: (threshold: number, tp: number, fp: number) => void,
): void {
  let i = positives.length - 1;
  let j = negatives.length - 1;
  while (i >= 0 || j >= 0) {
    const threshold = j < 0 || (i >= 0 && positives[i] > negatives[j]) ? positives[i] : negatives[j];
    while (i >= 0 && positives[i] === threshold) i--;
    while (j >= 0 && negatives[j] === threshold) j--;
    visit(threshold, positives.length - 1 - i, negatives.length - 1 - j);
  }
}
