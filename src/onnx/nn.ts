/** Layers built from ops: parameters declared on the graph, seeded like every parameter. */
import type { Graph } from './graph.js';
import { init } from './initializers.js';
import { add, matmul } from './ops.js';
import type { Tensor } from './tensor.js';

export type Activation = (x: Tensor) => Tensor;

export interface Linear {
  weight: Tensor;
  bias: Tensor;
  apply(x: Tensor): Tensor;
}

/** y = x W + b, with W of shape [in, out] and PyTorch's default initialization (or all zeros: a layer that starts silent). */
export function linear(graph: Graph, name: string, inFeatures: number, outFeatures: number, zero = false): Linear {
  const start = zero ? init.zeros() : init.linear(inFeatures);
  const weight = graph.parameter(`${name}.weight`, [inFeatures, outFeatures], start);
  const bias = graph.parameter(`${name}.bias`, [outFeatures], start);
  return { weight, bias, apply: (x) => add(matmul(x, weight), bias) };
}

export interface Mlp {
  layers: Linear[];
  parameters: Tensor[];
  apply(x: Tensor): Tensor;
}

/** Linear layers of the given widths with `activation` between them (not after the last, which may start at zero). */
export function mlp(graph: Graph, name: string, widths: readonly number[], activation: Activation, zeroLast = false): Mlp {
  const layers = widths.slice(1).map((out, i) => linear(graph, `${name}.${i}`, widths[i], out, zeroLast && i === widths.length - 2));
  return {
    layers,
    parameters: layers.flatMap((l) => [l.weight, l.bias]),
    apply: (x) => layers.reduce((h, layer, i) => (i === 0 ? layer.apply(h) : layer.apply(activation(h))), x),
  };
}
