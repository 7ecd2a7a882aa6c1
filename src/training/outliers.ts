/**
 * Training images unlike the rest (another product, a lens cap, a defective part filed as good):
 * each image is summarized by its mean feature vector, and an image whose distance to the
 * element-wise median of those vectors is far beyond the others' (robust z-score) is flagged.
 */
import { median, medianAbsoluteDeviation } from 'simple-statistics';
import type { FeatureSet } from '../methods/method.js';

export interface Outlier {
  index: number;
  reason: string;
}

export function findOutliers(features: FeatureSet, limit = 6): Outlier[] {
  const c = features.channels;
  if (features.maps.length < 5) return [];
  const means = features.maps.map((map) => {
    const positions = map.height * map.width;
    const mean = new Float64Array(c);
    for (let k = 0; k < c; k++) {
      let sum = 0;
      for (let p = 0; p < positions; p++) sum += map.data[k * positions + p];
      mean[k] = sum / positions;
    }
    return mean;
  });
  const center = Array.from({ length: c }, (_, k) => median(means.map((m) => m[k])));
  const distances = means.map((m) => Math.sqrt(m.reduce((s, v, k) => s + (v - center[k]) ** 2, 0)));
  const typical = median(distances);
  const spread = 1.4826 * medianAbsoluteDeviation(distances) || typical || 1;
  return distances.flatMap((d, index) => {
    const z = (d - typical) / spread;
    return z > limit ? [{ index, reason: `feature distance ${z.toFixed(1)} robust deviations from the typical image` }] : [];
  });
}
