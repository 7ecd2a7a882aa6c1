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

/** y = x W + b, with W of shape [in, out] and PyTorch's default initialization. */
export function linear(graph: Graph, name: string, inFeatures: number, outFeatures: number): Linear {
  const weight = graph.parameter(`${name}.weight`, [inFeatures, outFeatures], init.linear(inFeatures));
  const bias = graph.parameter(`${name}.bias`, [outFeatures], init.linear(inFeatures));
  return { weight, bias, apply: (x) => add(matmul(x, weight), bias) };
}

export interface Mlp {
  layers: Linear[];
  parameters: Tensor[];
  apply(x: Tensor): Tensor;
}

/** Linear layers of the given widths with `activation` between them (not after the last). */
export function mlp(graph: Graph, name: string, widths: readonly number[], activation: Activation): Mlp {
  const layers = widths.slice(1).map((out, i) => linear(graph, `${name}.${i}`, widths[i], out));
  return {
    layers,
    parameters: layers.flatMap((l) => [l.weight, l.bias]),
    apply: (x) => layers.reduce((h, layer, i) => (i === 0 ? layer.apply(h) : layer.apply(activation(h))), x),
  };
}
