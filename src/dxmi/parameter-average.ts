/**
 * An exponential moving average of some parameters (Polyak averaging). Adversarial training of
 * an energy against its own sampler oscillates from step to step; the average of the recent
 * iterates is a steadier energy to export than whichever iterate training happened to stop on.
 */
import type { FloatArray } from '../onnx/dtype.js';
import type { ParameterStore } from '../onnx/parameters.js';

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
    const keep = this.decay;
    for (const [name, average] of this.averages) {
      const current = this.store.get(name).data;
      for (let i = 0; i < average.length; i++) average[i] = keep * average[i] + (1 - keep) * current[i];
    }
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
