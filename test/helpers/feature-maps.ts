/** Synthetic feature maps and running a fitted method's exported energy on them. */
import ort from 'onnxruntime-node';
import { expect } from 'vitest';
import type { FeatureSet, FittedMethod } from '../../src/methods/method.js';
import { ForwardStep } from '../../src/onnx/forward-step.js';
import { Graph } from '../../src/onnx/graph.js';
import { ParameterStore } from '../../src/onnx/parameters.js';
import type { Random } from '../../src/util/random.js';

/** `count` feature maps [channels, h, w] of Gaussian noise around a per-position mean. */
export function featureSet(random: Random, count: number, channels: number, h: number, w: number): FeatureSet {
  const mean = random.fillNormal(new Float32Array(channels * h * w));
  const maps = Array.from({ length: count }, () => {
    const data = new Float32Array(channels * h * w);
    for (let i = 0; i < data.length; i++) data[i] = mean[i] + 0.3 * random.normal();
    return { data, height: h, width: w };
  });
  return { channels, maps };
}

/** Run a fitted method's grid energy on feature maps [n, c, h, w]. */
export async function gridEnergy(fitted: FittedMethod, data: Float32Array, dims: [number, number, number, number]): Promise<Float32Array> {
  const graph = new Graph();
  const features = graph.input('features', ['N', dims[1], dims[2], dims[3]]);
  const energy = fitted.energy(graph)(features);
  const step = await ForwardStep.compile(graph, { energy }, fitted.store ?? new ParameterStore('float32', 0), { threads: 1 });
  const out = (await step.run({ features: new ort.Tensor('float32', data, dims) })).energy;
  expect(out.dims).toEqual([dims[0], 1, dims[2], dims[3]]);
  return out.data as Float32Array;
}
