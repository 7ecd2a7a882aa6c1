/** Draws of generator parameters from a seeded stream: the distributions the generators share. */
import type { Random } from '../util/random.js';

/** Uniform in [low, high). */
export function between(rng: Random, low: number, high: number): number {
  return low + (high - low) * rng.uniform();
}

/**
 * Log-uniform in [low, high): as many draws per octave, so faint and strong variants (contrasts,
 * sizes) are both common instead of the faint end being rare.
 */
export function logBetween(rng: Random, low: number, high: number): number {
  return low * Math.pow(high / low, rng.uniform());
}

/** True with probability `p`. */
export function chance(rng: Random, p: number): boolean {
  return rng.uniform() < p;
}

export function pick<T>(rng: Random, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/** -1 or +1 with equal odds. */
export function sign(rng: Random): number {
  return rng.uniform() < 0.5 ? -1 : 1;
}
