/** How parameters start: seeded, and independent of the order in which parameters are declared. */
import { floatArray, type FloatArray, type FloatDType } from './dtype.js';
import type { Random } from '../util/random.js';

export type Initializer =
  | { kind: 'zeros' }
  | { kind: 'constant'; value: number }
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'normal'; mean: number; std: number }
  | { kind: 'values'; values: readonly number[] };

export const init = {
  zeros: (): Initializer => ({ kind: 'zeros' }),
  constant: (value: number): Initializer => ({ kind: 'constant', value }),
  uniform: (low: number, high: number): Initializer => ({ kind: 'uniform', low, high }),
  normal: (std: number, mean = 0): Initializer => ({ kind: 'normal', mean, std }),
  values: (values: readonly number[]): Initializer => ({ kind: 'values', values }),
  /** PyTorch's default for linear layers: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
  linear: (fanIn: number): Initializer => ({ kind: 'uniform', low: -1 / Math.sqrt(fanIn), high: 1 / Math.sqrt(fanIn) }),
  /** He (Kaiming) uniform for ReLU layers: U(-sqrt(6/fanIn), sqrt(6/fanIn)). */
  he: (fanIn: number): Initializer => ({ kind: 'uniform', low: -Math.sqrt(6 / fanIn), high: Math.sqrt(6 / fanIn) }),
};

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Materialize a parameter. `random` should be forked by the parameter's name by the caller. */
export function initialize(initializer: Initializer, shape: readonly number[], dtype: FloatDType, random: Random): FloatArray {
  const out = floatArray(dtype, size(shape));
  switch (initializer.kind) {
    case 'zeros':
      return out;
    case 'constant':
      return out.fill(initializer.value);
    case 'uniform':
      return random.fillUniform(out, initializer.low, initializer.high);
    case 'normal':
      return random.fillNormal(out, initializer.mean, initializer.std);
    case 'values':
      if (initializer.values.length !== out.length) {
        throw new Error(`initializer has ${initializer.values.length} values for a parameter of ${out.length}`);
      }
      out.set(initializer.values);
      return out;
  }
}
