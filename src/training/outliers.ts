/**
 * Training images unlike the rest (another product, a lens cap, a defective part filed as good):
 * each image is summarized by its mean feature vector, and an image is flagged when it is far
 * from even its nearest neighbours, compared with how far images of the set typically are from
 * theirs.
 *
 * Relative to the set's own neighbour distances, not to a robust spread around one center: good
 * parts vary along continua (a flange at every rotation, strips under drifting light), so a
 * legitimate part at the end of a continuum is far from the center but close to its neighbours,
 * while a foreign image is far from every good part. The k-th neighbour (k about 5% of the set)
 * keeps a few foreign images from vouching for each other.
 */
import { median } from 'simple-statistics';
import type { FeatureSet } from '../methods/method.js';

export interface Outlier {
  index: number;
  reason: string;
}

/** Mean feature vector of each map. */
function imageSummaries(features: FeatureSet): Float64Array[] {
  const c = features.channels;
  return features.maps.map((map) => {
    const positions = map.height * map.width;
    const mean = new Float64Array(c);
    for (let k = 0; k < c; k++) {
      let sum = 0;
      for (let p = 0; p < positions; p++) sum += map.data[k * positions + p];
      mean[k] = sum / positions;
    }
    return mean;
  });
}

/**
 * @param limit how many times the typical neighbour distance an image's neighbour distance may be
 */
export function findOutliers(features: FeatureSet, limit = 3): Outlier[] {
  const n = features.maps.length;
  if (n < 5) return [];
  const summaries = imageSummaries(features);
  const k = Math.min(n - 1, Math.max(2, Math.ceil(0.05 * n)));
  const neighbourDistances = summaries.map((a, i) => {
    const distances = summaries.flatMap((b, j) => (i === j ? [] : [Math.sqrt(a.reduce((s, v, c) => s + (v - b[c]) ** 2, 0))]));
    return distances.sort((x, y) => x - y)[k - 1];
  });
  const typical = median(neighbourDistances) || 1;
  return neighbourDistances.flatMap((d, index) => {
    const ratio = d / typical;
    return ratio > limit ? [{ index, reason: `its ${k} nearest training images are ${ratio.toFixed(1)} times farther away than is typical in this set` }] : [];
  });
}
