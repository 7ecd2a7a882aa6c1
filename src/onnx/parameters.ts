/**
 * The values of a model's parameters between training steps. Several compiled steps (an
 * energy step, a value step, a sampler step...) share one store: each reads the parameters it
 * uses and writes back those it trains.
 */
import type { FloatArray, FloatDType } from './dtype.js';
import type { Graph } from './graph.js';
import { initialize } from './initializers.js';
import { Random } from '../util/random.js';

export interface StoredTensor {
  readonly shape: readonly number[];
  data: FloatArray;
}

export class ParameterStore {
  private readonly values = new Map<string, StoredTensor>();

  constructor(
    readonly dtype: FloatDType,
    /** Seed of parameter initialization; each parameter draws from a stream named after it. */
    readonly seed: number,
  ) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  get(name: string): StoredTensor {
    const value = this.values.get(name);
    if (!value) throw new Error(`parameter ${name} has no value`);
    return value;
  }

  set(name: string, shape: readonly number[], data: FloatArray): void {
    const expected = shape.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new Error(`parameter ${name}: ${data.length} values for shape [${shape.join(', ')}]`);
    this.values.set(name, { shape: [...shape], data });
  }

  /** Initialize (seeded) every parameter of `graph` that has no value yet. */
  initialize(graph: Graph): void {
    if (graph.floatType !== this.dtype) throw new Error(`graph is ${graph.floatType}, parameter store is ${this.dtype}`);
    const random = new Random(this.seed);
    for (const [name, parameter] of graph.parameters) {
      if (this.values.has(name)) continue;
      const shape = parameter.tensor.shape as number[];
      this.set(name, shape, initialize(parameter.init, shape, this.dtype, random.fork(name)));
    }
  }

  /** Takes every value of `other` under `prefix + name` (the names Graph.withParameterPrefix gives). */
  adopt(other: ParameterStore, prefix: string): void {
    if (other.dtype !== this.dtype) throw new Error(`cannot adopt ${other.dtype} parameters into a ${this.dtype} store`);
    for (const [name, value] of other.values) this.set(prefix + name, value.shape, value.data);
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  /** Copies of the values, for checkpoints and for baking into exported models. */
  snapshot(names: Iterable<string> = this.values.keys()): Map<string, FloatArray> {
    const out = new Map<string, FloatArray>();
    for (const name of names) out.set(name, this.get(name).data.slice());
    return out;
  }
}
