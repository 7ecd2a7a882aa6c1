/**
 * The tests drift watch runs on a camera's window: the two-sample Kolmogorov-Smirnov distance
 * between the window and the model's reference (whose distribution is known only through its
 * quantiles and its sample size), and a test of the window's NG count against the inspections
 * before it.
 */
import { gammaln } from 'simple-statistics';
import { referenceCdf } from './reference.js';

/**
 * sup |F_window - F_reference| over every x. The window's CDF is a step function and the
 * reference's is continuous apart from atoms, so the supremum is reached at a window value, from
 * the left or at the value itself. With `below`, the reference is taken as conditioned on values
 * below it: the window of parts decided OK holds no score at or above the threshold, and is
 * compared with the calibration scores that would have been decided OK.
 */
export function ksDistance(sample: readonly number[], quantiles: readonly number[], below = Infinity): number {
  const sorted = [...sample].sort((a, b) => a - b);
  const m = sorted.length;
  const mass = below === Infinity ? 1 : referenceCdf(quantiles, below, true);
  const cdf = (x: number, left: boolean) => (mass > 0 ? Math.min(1, referenceCdf(quantiles, x, left) / mass) : 1);
  let distance = 0;
  for (let i = 0; i < m; ) {
    const value = sorted[i];
    let j = i;
    while (j < m && sorted[j] === value) j++;
    distance = Math.max(distance, Math.abs(i / m - cdf(value, true)), Math.abs(j / m - cdf(value, false)));
    i = j;
  }
  return distance;
}

/** The distance above which two samples of n and m differ at significance `alpha` (the asymptotic critical value). */
export function ksCriticalDistance(alpha: number, n: number, m: number): number {
  return Math.sqrt(-Math.log(alpha / 2) / 2) * Math.sqrt((n + m) / (n * m));
}

/**
 * P(X >= k) for X ~ BetaBinomial(n, a, b): the NG count of n inspections when the NG rate is
 * only known as Beta(a, b), from the baseline's counts. A plain binomial test would take the
 * baseline's rate as exact and, checked on every frame, flag the noise of a short baseline.
 */
export function betaBinomialUpperTail(k: number, n: number, a: number, b: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const logBetaAB = logBeta(a, b);
  let total = 0;
  for (let x = k; x <= n; x++) total += Math.exp(logChoose(n, x) + logBeta(x + a, n - x + b) - logBetaAB);
  return Math.min(1, total);
}

const logBeta = (a: number, b: number) => gammaln(a) + gammaln(b) - gammaln(a + b);
const logChoose = (n: number, k: number) => gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1);
