/**
 * A symbolic ONNX graph under construction: inputs, parameters, constants and nodes, in the
 * order they were created (which is a valid topological order).
 */
import type { DType, FloatDType } from './dtype.js';
import type { Initializer } from './initializers.js';
import { Tensor, type Attrs, type Node, type Shape } from './tensor.js';

export type ConstantData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export interface Parameter {
  readonly tensor: Tensor;
  readonly init: Initializer;
}

export interface Constant {
  readonly tensor: Tensor;
  readonly data: ConstantData;
}

export interface NodeOptions {
  domain?: string;
  stopsGradient?: boolean;
  /** Names for the outputs (default: generated). */
  names?: string[];
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs = new Map<string, Tensor>();
  readonly parameters = new Map<string, Parameter>();
  readonly constants = new Map<string, Constant>();
  private readonly names = new Set<string>();
  private readonly constantCache = new Map<string, Tensor>();
  private counter = 0;
  private parameterPrefix = '';

  /** `floatType` is the element type of parameters and of constants made from plain numbers. */
  constructor(readonly floatType: FloatDType = 'float32') {}

  input(name: string, shape: Shape, dtype: DType = this.floatType): Tensor {
    const tensor = new Tensor(this, this.claim(name), dtype, shape, null);
    this.inputs.set(name, tensor);
    return tensor;
  }

  parameter(name: string, shape: readonly number[], init: Initializer): Tensor {
    const full = this.parameterPrefix + name;
    const tensor = new Tensor(this, this.claim(full), this.floatType, shape, null);
    this.parameters.set(full, { tensor, init });
    return tensor;
  }

  /**
   * Parameters declared while `build` runs are named `prefix + name`, so two trained models of
   * one kind (the scales of a multi-scale model) can live in one graph; see ParameterStore.adopt.
   */
  withParameterPrefix<T>(prefix: string, build: () => T): T {
    const outer = this.parameterPrefix;
    this.parameterPrefix = outer + prefix;
    try {
      return build();
    } finally {
      this.parameterPrefix = outer;
    }
  }

  /** A constant tensor, stored as an initializer. Identical small constants are shared. */
  constant(data: ConstantData, shape: readonly number[], dtype: DType): Tensor {
    const small = data.length <= 16;
    const key = small ? `${dtype}[${shape.join(',')}]:${Array.from(data as ArrayLike<number | bigint>).join(',')}` : '';
    const cached = small ? this.constantCache.get(key) : undefined;
    if (cached) return cached;
    const tensor = new Tensor(this, this.claim(`const_${this.counter++}`), dtype, shape, null);
    this.constants.set(tensor.name, { tensor, data });
    if (small) this.constantCache.set(key, tensor);
    return tensor;
  }

  node(
    opType: string,
    inputs: readonly Tensor[],
    outputs: readonly { dtype: DType; shape: Shape }[],
    attrs: Attrs = {},
    options: NodeOptions = {},
  ): Tensor[] {
    for (const input of inputs) {
      if (input.graph !== this) throw new Error(`${opType}: input ${input.name} belongs to another graph`);
    }
    const id = this.counter++;
    const tensors: Tensor[] = [];
    const node: Node = {
      opType,
      domain: options.domain ?? '',
      inputs,
      outputs: tensors,
      attrs,
      stopsGradient: options.stopsGradient ?? false,
    };
    outputs.forEach((out, i) => {
      const name = this.claim(options.names?.[i] ?? `${opType}_${id}${outputs.length > 1 ? `_${i}` : ''}`);
      tensors.push(new Tensor(this, name, out.dtype, out.shape, node));
    });
    this.nodes.push(node);
    return tensors;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`duplicate tensor name in graph: ${name}`);
    this.names.add(name);
    return name;
  }
}
