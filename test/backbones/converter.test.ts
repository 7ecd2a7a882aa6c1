/**
 * The Keras converter on a small synthetic model that exercises every layer kind and padding
 * rule, against TensorFlow.js running the same layers, and batch-norm folding against ONNX's own
 * BatchNormalization.
 */
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertKeras, KerasConversionError, samePads } from '../../src/backbones/keras-convert.js';
import { decodeWeights, type KerasLayer, type KerasModel, type KerasTopology, type WeightsManifest } from '../../src/backbones/keras.js';
import { Graph } from '../../src/onnx/graph.js';
import { serialize } from '../../src/onnx/serialize.js';
import { createSession } from '../../src/onnx/session.js';
import type { Shape } from '../../src/onnx/tensor.js';
import { Random } from '../../src/util/random.js';
import { relativeError, tfjsReference } from './tfjs-reference.js';

// ---- a synthetic Keras 2 functional model, with random weights ----

const layers: KerasLayer[] = [];
const specs: { name: string; shape: number[]; kind: 'normal' | 'variance' }[] = [];

function layer(name: string, className: string, config: Record<string, unknown>, inputs: string[], trainable = false): void {
  layers.push({
    name,
    class_name: className,
    config: { name, trainable, ...config },
    inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}] as [string, number, number, Record<string, never>])] : [],
  });
}
function conv(name: string, input: string, filters: number, cin: number, k: number, strides: number, padding: string, useBias: boolean, activation = 'linear'): void {
  layer(name, 'Conv2D', { filters, kernel_size: [k, k], strides: [strides, strides], padding, data_format: 'channels_last', dilation_rate: [1, 1], activation, use_bias: useBias }, [input]);
  specs.push({ name: `${name}/kernel`, shape: [k, k, cin, filters], kind: 'normal' });
  if (useBias) specs.push({ name: `${name}/bias`, shape: [filters], kind: 'normal' });
}
function depthwise(name: string, input: string, channels: number, multiplier: number, strides: number, padding: string, useBias: boolean): void {
  layer(name, 'DepthwiseConv2D', { kernel_size: [3, 3], strides: [strides, strides], padding, data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: useBias, depth_multiplier: multiplier }, [input]);
  specs.push({ name: `${name}/depthwise_kernel`, shape: [3, 3, channels, multiplier], kind: 'normal' });
  if (useBias) specs.push({ name: `${name}/bias`, shape: [channels * multiplier], kind: 'normal' });
}
function bn(name: string, input: string, channels: number, scale = true): void {
  layer(name, 'BatchNormalization', { axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale }, [input]);
  if (scale) specs.push({ name: `${name}/gamma`, shape: [channels], kind: 'normal' });
  specs.push({ name: `${name}/beta`, shape: [channels], kind: 'normal' });
  specs.push({ name: `${name}/moving_mean`, shape: [channels], kind: 'normal' });
  specs.push({ name: `${name}/moving_variance`, shape: [channels], kind: 'variance' });
}

layer('input_1', 'InputLayer', { batch_input_shape: [null, null, null, 3], dtype: 'float32', sparse: false }, []);
conv('conv_a', 'input_1', 8, 3, 3, 2, 'same', true); // stride-2 'same': TF's asymmetric rule
bn('bn_a', 'conv_a', 8); // folded
layer('relu_a', 'ReLU', { max_value: 6, negative_slope: 0, threshold: 0 }, ['bn_a']);
depthwise('dw_b', 'relu_a', 8, 2, 1, 'same', false);
bn('bn_b', 'dw_b', 16); // folded into a depthwise convolution with multiplier 2
layer('act_b', 'Activation', { activation: 'relu' }, ['bn_b']);
layer('pad_c', 'ZeroPadding2D', { padding: [[1, 2], [0, 1]], data_format: 'channels_last' }, ['act_b']); // two readers: a Pad node
conv('conv_c', 'pad_c', 8, 16, 3, 2, 'valid', false);
layer('pool_f', 'MaxPooling2D', { pool_size: [3, 3], padding: 'valid', strides: [2, 2], data_format: 'channels_last' }, ['pad_c']);
conv('conv_m', 'pool_f', 8, 16, 1, 1, 'same', true);
layer('add_l', 'Add', {}, ['conv_c', 'conv_m']);
layer('concat_k', 'Concatenate', { axis: 3 }, ['add_l', 'pool_f']);
bn('bn_h', 'concat_k', 24); // after a concatenation: not foldable
layer('avg_i', 'AveragePooling2D', { pool_size: [3, 3], padding: 'same', strides: [1, 1], data_format: 'channels_last' }, ['bn_h']);
conv('conv_j', 'avg_i', 4, 24, 3, 2, 'same', false, 'relu'); // activation inside: the BN after it cannot fold
bn('bn_j', 'conv_j', 4, false);
layer('pad_g', 'ZeroPadding2D', { padding: [[0, 1], [0, 1]], data_format: 'channels_last' }, ['relu_a']); // folded into dw_g
depthwise('dw_g', 'pad_g', 8, 1, 2, 'valid', true);
layer('pool_n', 'MaxPooling2D', { pool_size: [2, 2], padding: 'same', strides: [2, 2], data_format: 'channels_last' }, ['bn_j']);
layer('dense_z', 'Dense', { units: 3 }, ['pool_n'], true); // unsupported and trainable: never reached

const OUTPUTS = ['relu_a', 'dw_g', 'bn_h', 'avg_i', 'bn_j', 'pool_n'];

const topology: KerasTopology = {
  keras_version: '2.2.4',
  model_config: { class_name: 'Model', config: { name: 'synthetic', layers, input_layers: [['input_1', 0, 0]], output_layers: [['pool_n', 0, 0]] } },
};
const manifest: WeightsManifest = [{ paths: ['synthetic'], weights: specs.map((s) => ({ name: s.name, shape: s.shape, dtype: 'float32' as const })) }];
const random = new Random(3);
const weightData = new Uint8Array(
  Float32Array.from(
    specs.flatMap((s) => {
      const n = s.shape.reduce((a, b) => a * b, 1);
      return Array.from({ length: n }, () => (s.kind === 'variance' ? 0.2 + random.uniform() * 2 : random.normal() * 0.5));
    }),
  ).buffer,
);
const model: KerasModel = { topology, weights: decodeWeights(manifest, weightData) };

async function runOurs(inputShape: Shape, dims: number[], data: Float32Array, foldBatchNorm = true): Promise<Record<string, ort.Tensor>> {
  const graph = new Graph('float32');
  const input = graph.input('input', inputShape);
  const outputs = convertKeras(graph, input, model, { outputs: OUTPUTS, foldBatchNorm });
  const session = await createSession(serialize(graph, { inputs: [input], outputs }), { threads: 1 });
  const result = await session.run({ input: new ort.Tensor('float32', data, dims) });
  await session.release();
  return result;
}

describe('Keras converter', () => {
  it("reproduces TensorFlow's 'same' padding rule", () => {
    expect(samePads(224, 3, 2, 1)).toEqual([0, 1]);
    expect(samePads(225, 3, 2, 1)).toEqual([1, 1]);
    expect(samePads(10, 1, 2, 1)).toEqual([0, 0]);
    expect(samePads(7, 7, 1, 1)).toEqual([3, 3]);
    expect(samePads(6, 4, 1, 1)).toEqual([1, 2]);
  });

  for (const [height, width] of [
    [17, 22],
    [20, 15],
  ]) {
    it(`matches TensorFlow.js on every layer kind, ${height}x${width}, static and symbolic sizes`, async () => {
      const data = new Random(height).fillUniform(new Float32Array(2 * 3 * height * width), -1, 1);
      const dims = [2, 3, height, width];
      const reference = await tfjsReference(topology, manifest, weightData, OUTPUTS, { data, dims });
      const fixed = await runOurs(dims, dims, data);
      const symbolic = await runOurs(['N', 3, 'H', 'W'], dims, data);
      for (const name of OUTPUTS) {
        for (const ours of [fixed, symbolic]) {
          expect(ours[name].dims, name).toEqual(reference[name].dims);
          expect(relativeError(ours[name].data as Float32Array, reference[name].data).error, name).toBeLessThan(1e-5);
        }
      }
    });
  }

  it('folds batch norm into convolutions exactly as ONNX BatchNormalization computes it unfolded', async () => {
    const dims = [1, 3, 19, 24];
    const data = new Random(11).fillNormal(new Float32Array(3 * 19 * 24));
    const folded = await runOurs(['N', 3, 'H', 'W'], dims, data, true);
    const unfolded = await runOurs(['N', 3, 'H', 'W'], dims, data, false);
    for (const name of OUTPUTS) {
      const { error, scale } = relativeError(folded[name].data as Float32Array, unfolded[name].data as Float32Array);
      expect(scale).toBeGreaterThan(0.1);
      expect(error, name).toBeLessThan(1e-5);
    }
  });

  it('folds where it can and leaves explicit nodes where it cannot', () => {
    const graph = new Graph('float32');
    const input = graph.input('input', ['N', 3, 'H', 'W']);
    convertKeras(graph, input, model, { outputs: OUTPUTS });
    const count = (op: string): number => graph.nodes.filter((n) => n.opType === op).length;
    expect(count('BatchNormalization')).toBe(2); // bn_h (after Concatenate), bn_j (after a relu convolution)
    expect(count('Pad')).toBe(1); // pad_c has two readers; pad_g is folded into dw_g
    expect(count('Conv')).toBe(6);
  });

  it('refuses trainable (fine-tuned) layers and unsupported layer types by name', () => {
    const graph = new Graph('float32');
    const input = graph.input('input', ['N', 3, 'H', 'W']);
    expect(() => convertKeras(graph, input, model, { outputs: ['dense_z'] })).toThrow(/dense_z is trainable/);
    expect(() => convertKeras(graph, input, model, { outputs: ['dense_z'], allowTrainable: true })).toThrow(KerasConversionError);
    expect(() => convertKeras(graph, input, model, { outputs: ['dense_z'], allowTrainable: true })).toThrow(/Dense is not supported/);
    expect(() => convertKeras(graph, input, model, { outputs: ['nope'] })).toThrow(/no layer named "nope"/);
  });
});

describe('weight decoding', () => {
  it('dequantizes uint8 weights as TensorFlow.js does: v * scale + min, stored as float32', () => {
    const q: WeightsManifest = [
      { paths: ['x'], weights: [{ name: 'a', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', min: -0.87334511607301, scale: 0.006666756611244351 } }] },
    ];
    const w = decodeWeights(q, new Uint8Array([0, 1, 255]));
    expect(Array.from(w.get('a')!.data)).toEqual([Math.fround(-0.87334511607301), Math.fround(0.006666756611244351 - 0.87334511607301), Math.fround(255 * 0.006666756611244351 - 0.87334511607301)]);
    expect(() => decodeWeights(q, new Uint8Array([0, 1]))).toThrow(/end before a/);
  });
});
