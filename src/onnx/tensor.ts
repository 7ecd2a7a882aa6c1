/** Symbolic tensors and the nodes that produce them. */
import type { DType } from './dtype.js';
import type { TensorProto } from './proto.js';
import type { Graph } from './graph.js';

/** A dimension: a known size, or a symbol (for example the batch dimension "N"). */
export type Dim = number | string;
export type Shape = readonly Dim[];

export type Attr =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: TensorProto };

export type Attrs = Record<string, Attr>;

export interface Node {
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: Attrs;
  /** Gradients do not flow through this node (stop-gradient). */
  readonly stopsGradient: boolean;
}

export class Tensor {
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly dtype: DType,
    readonly shape: Shape,
    /** The node that computes this tensor; null for graph inputs, parameters and constants. */
    readonly producer: Node | null,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `${this.name}: ${this.dtype}[${this.shape.join(', ')}]`;
  }
}

export const attr = {
  int: (value: number): Attr => ({ type: 'int', value }),
  float: (value: number): Attr => ({ type: 'float', value }),
  ints: (value: readonly number[]): Attr => ({ type: 'ints', value }),
  floats: (value: readonly number[]): Attr => ({ type: 'floats', value }),
  string: (value: string): Attr => ({ type: 'string', value }),
  tensor: (value: TensorProto): Attr => ({ type: 'tensor', value }),
};
