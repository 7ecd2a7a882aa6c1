/** The Gaussian bases' Cholesky factor and inverse, checked by multiplying back. */
import { describe, expect, it } from 'vitest';
import { cholesky, inverseSpd } from '../../src/util/cholesky.js';
import { Random } from '../../src/util/random.js';

/** b b^T + d I for a random b: symmetric positive definite, with correlations. */
function randomSpd(d: number, random: Random): Float64Array {
  const b = Float64Array.from({ length: d * d }, () => random.normal());
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let sum = i === j ? d : 0;
    for (let k = 0; k < d; k++) sum += b[i * d + k] * b[j * d + k];
    a[i * d + j] = sum;
  }
  return a;
}

function product(a: Float64Array, b: Float64Array, d: number, transposeB = false): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let sum = 0;
    for (let k = 0; k < d; k++) sum += a[i * d + k] * (transposeB ? b[j * d + k] : b[k * d + j]);
    out[i * d + j] = sum;
  }
  return out;
}

describe('cholesky', () => {
  const random = new Random(5);

  it('factors a positive definite matrix into a lower-triangular L with L L^T = A', () => {
    for (const d of [1, 3, 40]) {
      const a = randomSpd(d, random);
      const l = cholesky(a, d);
      for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) expect(l[i * d + j]).toBe(0);
      const back = product(l, l, d, true);
      back.forEach((v, i) => expect(v).toBeCloseTo(a[i], 8));
    }
  });

  it('inverts it exactly symmetrically, and refuses a matrix that is not positive definite', () => {
    const d = 40;
    const a = randomSpd(d, random);
    const inverse = inverseSpd(a, d);
    const identity = product(a, inverse, d);
    identity.forEach((v, i) => expect(v).toBeCloseTo(i % (d + 1) === 0 ? 1 : 0, 10));
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) expect(inverse[i * d + j]).toBe(inverse[j * d + i]);
    expect(() => cholesky(Float64Array.of(1, 2, 2, 1), 2)).toThrow(/not positive definite/);
  });
});
