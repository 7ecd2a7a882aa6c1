/**
 * Where the sampler's trajectories start in box space (the residual energy's whitened residuals).
 * Exact draws from N(0, I), the energy's base, make negatives that differ from good residuals in
 * their correlations, an image-wide difference; data rows plus isotropic noise (MPDR-style) make
 * negatives next to real residuals, a local one.
 */
import type { Random } from '../util/random.js';

/** Initial states [n, dim]: draws from N(0, I), except the first `share` of the rows: the data rows plus noise x N(0, I). */
export function boxStart(data: Float32Array, dim: number, share: number, noise: number, random: Random): Float32Array {
  const start = random.fillNormal(new Float32Array(data.length));
  const fromData = Math.round((share * data.length) / dim) * dim;
  for (let k = 0; k < fromData; k++) start[k] = data[k] + noise * start[k];
  return start;
}
