/**
 * A seeded train/validation split: the same items and seed give the same split on every machine
 * and whatever order the items came in (they are sorted by name first); both parts come back
 * sorted by name.
 */
import { Random } from '../util/random.js';
import { compareNames } from './item.js';

export interface Split<T> {
  train: T[];
  validation: T[];
}

/**
 * `validationFraction` of the items (rounded; at least `minimumValidation` in validation and one
 * in training when there are two or more items and the fraction is strictly between 0 and 1) go
 * to validation, drawn at random.
 */
export function splitTrainValidation<T extends { name: string }>(items: readonly T[], validationFraction: number, seed: number, minimumValidation = 1): Split<T> {
  if (!(validationFraction >= 0 && validationFraction <= 1)) throw new RangeError(`validation fraction must be in [0, 1], got ${validationFraction}`);
  const sorted = [...items].sort(compareNames);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].name === sorted[i - 1].name) throw new Error(`duplicate item name "${sorted[i].name}"`);
  }
  let count = Math.round(sorted.length * validationFraction);
  if (sorted.length >= 2 && validationFraction > 0 && validationFraction < 1) count = Math.min(sorted.length - 1, Math.max(minimumValidation, count));
  const order = new Random(seed).fork('train-validation-split').shuffle(sorted.map((_, i) => i));
  const chosen = new Set(order.slice(0, count));
  return {
    train: sorted.filter((_, i) => !chosen.has(i)),
    validation: sorted.filter((_, i) => chosen.has(i)),
  };
}
