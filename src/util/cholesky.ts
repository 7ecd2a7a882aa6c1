/**
 * Cholesky factor and inverse of small symmetric positive definite matrices, row-major in flat
 * Float64Arrays. The Gaussian bases fit one covariance per grid position (784 at fill 224, three
 * times over to choose the base's kind); on 100 x 100 matrices ml-matrix's element accessors made
 * that most of a product's training time outside DxMI, and these loops are 30x faster.
 */

/** Lower-triangular L with L L^T = a ([d, d]); throws if a is not positive definite. */
export function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    const rowJ = j * d;
    let diagonal = a[rowJ + j];
    for (let k = 0; k < j; k++) diagonal -= l[rowJ + k] * l[rowJ + k];
    if (!(diagonal > 0)) throw new RangeError(`matrix is not positive definite (pivot ${j}: ${diagonal})`);
    const pivot = Math.sqrt(diagonal);
    l[rowJ + j] = pivot;
    for (let i = j + 1; i < d; i++) {
      const rowI = i * d;
      let sum = a[rowI + j];
      for (let k = 0; k < j; k++) sum -= l[rowI + k] * l[rowJ + k];
      l[rowI + j] = sum / pivot;
    }
  }
  return l;
}

/** a^-1 for symmetric positive definite a ([d, d]), exactly symmetric: (L L^T)^-1 = L^-T L^-1. */
export function inverseSpd(a: Float64Array, d: number): Float64Array {
  const l = cholesky(a, d);
  // m = L^-1, lower-triangular, by forward substitution column by column.
  const m = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    m[j * d + j] = 1 / l[j * d + j];
    for (let i = j + 1; i < d; i++) {
      let sum = 0;
      for (let k = j; k < i; k++) sum += l[i * d + k] * m[k * d + j];
      m[i * d + j] = -sum / l[i * d + i];
    }
  }
  const inverse = new Float64Array(d * d);
  for (let a0 = 0; a0 < d; a0++) {
    for (let b = a0; b < d; b++) {
      let sum = 0;
      for (let k = b; k < d; k++) sum += m[k * d + a0] * m[k * d + b];
      inverse[a0 * d + b] = sum;
      inverse[b * d + a0] = sum;
    }
  }
  return inverse;
}
