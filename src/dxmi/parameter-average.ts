/**
 * An exponential moving average of some parameters (Polyak averaging). Adversarial training of
 * an energy against its own sampler oscillates from step to step; the average of the recent
 * iterates is a steadier energy to export than whichever iterate training happened to stop on.
 */
import type { FloatArray } from '../onnx/dtype.js';
import type { ParameterStore } from '../onnx/parameters.js';

/** average <- decay average + (1 - decay) current, in place. */
function moveTowards(average: FloatArray, current: FloatArray, decay: number): void {
  for (let i = 0; i < average.length; i++) average[i] = decay * average[i] + (1 - decay) * current[i];
}

export class ParameterAverage {
  private readonly averages = new Map<string, FloatArray>();

  constructor(
    private readonly store: ParameterStore,
    names: readonly string[],
    private readonly decay: number,
  ) {
    for (const name of names) this.averages.set(name, store.get(name).data.slice());
  }

  update(): void {
    for (const [name, average] of this.averages) moveTowards(average, this.store.get(name).data, this.decay);
  }

  /** Exchange the store's values with the averages (call twice to undo). */
  swap(): void {
    for (const [name, average] of this.averages) {
      const current = this.store.get(name);
      this.store.set(name, current.shape, average);
      this.averages.set(name, current.data);
    }
  }
}

/**
 * A slowly moving copy of some parameters under other names: the target network of TD learning.
 * A value network bootstrapped on its own fresh outputs can chase them off (measured on MTD: TD
 * loss 1e2 -> 1e14 within 300 iterations at fill 320); targets from a lagging copy cannot.
 */
export class TargetCopy {
  constructor(
    private readonly store: ParameterStore,
    private readonly pairs: readonly (readonly [online: string, target: string])[],
    private readonly decay: number,
  ) {
    for (const [online, target] of pairs) store.set(target, store.get(online).shape, store.get(online).data.slice());
  }

  update(): void {
    for (const [online, target] of this.pairs) moveTowards(this.store.get(target).data, this.store.get(online).data, this.decay);
  }
}
