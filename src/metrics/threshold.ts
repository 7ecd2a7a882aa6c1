/**
 * Binarizes an anomaly map: the predicted defect mask that connected components turn into regions.
 * A pixel is set when its score >= threshold, the same rule as every threshold sweep here, so a
 * mask drawn at a threshold matches the metrics computed at it.
 */
export function thresholdMap(scores: Float32Array, threshold: number, out: Uint8Array = new Uint8Array(scores.length)): Uint8Array {
  if (out.length !== scores.length) throw new RangeError(`mask has ${out.length} pixels for ${scores.length} scores`);
  // NaN never compares >= anything, so a NaN score (or threshold) leaves its pixel unset.
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] >= threshold ? 1 : 0;
  return out;
}
