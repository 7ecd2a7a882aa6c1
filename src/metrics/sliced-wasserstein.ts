/**
 * Sliced Wasserstein distance between two equal-size point clouds: the 2-Wasserstein distance
 * of their 1-D projections on random unit directions, squared, averaged, square-rooted (the
 * convention of POT's `sliced_wasserstein_distance` with p = 2).
 */
import type { Random } from '../util/random.js';

/** a and b are row-major [count, dim] with the same count. */
export function slicedWasserstein(a: Float32Array, b: Float32Array, dim: number, projections: number, random: Random): number {
  const count = a.length / dim;
  if (b.length !== a.length || !Number.isInteger(count)) throw new Error('sliced Wasserstein needs two clouds of the same size');
  const pa = new Float64Array(count);
  const pb = new Float64Array(count);
  const direction = new Float64Array(dim);
  let total = 0;
  for (let p = 0; p < projections; p++) {
    random.fillNormal(direction);
    const norm = Math.hypot(...direction);
    for (let d = 0; d < dim; d++) direction[d] /= norm;
    for (let i = 0; i < count; i++) {
      let sa = 0;
      let sb = 0;
      for (let d = 0; d < dim; d++) {
        sa += a[i * dim + d] * direction[d];
        sb += b[i * dim + d] * direction[d];
      }
      pa[i] = sa;
      pb[i] = sb;
    }
    pa.sort();
    pb.sort();
    let squared = 0;
    for (let i = 0; i < count; i++) squared += (pa[i] - pb[i]) ** 2;
    total += squared / count;
  }
  return Math.sqrt(total / projections);
}
