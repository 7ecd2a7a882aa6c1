/**
 * Keras (TensorFlow.js layers format) -> kensa's symbolic Graph, NCHW. Handles the layers of
 * MobileNetV2 and InceptionV3 up to their frozen blocks: InputLayer, ZeroPadding2D, Conv2D,
 * DepthwiseConv2D, BatchNormalization, ReLU, Activation, Add, Concatenate, MaxPooling2D and
 * AveragePooling2D. Anything else is rejected by name.
 *
 * - Layout: Keras is NHWC with HWIO kernels (depthwise: H, W, C, multiplier); the graph is NCHW
 *   with OIHW kernels (depthwise: [C * multiplier, 1, H, W], group = C, same channel order).
 * - BatchNormalization right after a convolution (linear activation, no other reader) is folded
 *   into it: w' = w g / sqrt(v + eps), b' = beta + (b - mean) g / sqrt(v + eps), with the layer's
 *   epsilon, computed in double precision. Other BNs become an ONNX BatchNormalization node.
 * - ZeroPadding2D read only by a 'valid' convolution is folded into the convolution's pads.
 * - 'same' padding follows TensorFlow: total = max((ceil(in / s) - 1) s + (k - 1) d + 1 - in, 0),
 *   floor(total / 2) at the start and the rest (the odd one) at the end. With stride 1 the pads
 *   do not depend on the input size; with a larger stride and a symbolic size the node uses
 *   auto_pad SAME_UPPER, which is the same rule.
 */
import type { Graph } from '../onnx/graph.js';
import * as op from '../onnx/ops.js';
import { freshDim } from '../onnx/shape.js';
import { attr, type Dim, type Tensor } from '../onnx/tensor.js';
import type { KerasLayer, KerasModel, Weight } from './keras.js';

export interface ConvertOptions {
  /** Layer names whose outputs are returned. */
  outputs: readonly string[];
  /** Fold BatchNormalization into the preceding convolution (default true). */
  foldBatchNorm?: boolean;
  /** Fold ZeroPadding2D into the following 'valid' convolution (default true). */
  foldPadding?: boolean;
  /**
   * Allow layers marked trainable (default false): in a Keras model saved after fine-tuning, the
   * trainable layers are the ones that left their pretrained weights behind.
   */
  allowTrainable?: boolean;
}

export class KerasConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KerasConversionError';
  }
}

type Config = Record<string, unknown>;

function pair(value: unknown, what: string): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [value[0], value[1]];
  throw new KerasConversionError(`${what}: expected a number or a pair, got ${JSON.stringify(value)}`);
}

function inboundNames(layer: KerasLayer): string[] {
  if (layer.inbound_nodes.length > 1) throw new KerasConversionError(`layer ${layer.name} is shared (called more than once); not supported`);
  const node = layer.inbound_nodes[0] ?? [];
  for (const t of node) {
    if (t[1] !== 0 || t[2] !== 0) throw new KerasConversionError(`layer ${layer.name} reads a secondary output of ${t[0]}; not supported`);
  }
  return node.map((t) => t[0]);
}

/** Keras axis of an NHWC tensor -> axis of the NCHW tensor. */
function nchwAxis(axis: number, layer: string): number {
  const a = axis < 0 ? axis + 4 : axis;
  const map = [0, 2, 3, 1];
  if (a < 0 || a > 3) throw new KerasConversionError(`layer ${layer}: axis ${axis} out of range`);
  return map[a];
}

/** TensorFlow's 'same' pads for one spatial dimension of static size `d`. */
export function samePads(d: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(d / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - d, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
}

/** Explicit [top, left, bottom, right] pads, or null when the node must use auto_pad SAME_UPPER. */
function padsFor(x: Tensor, padding: unknown, w: Window, layer: string): [number, number, number, number] | null {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new KerasConversionError(`layer ${layer}: padding ${JSON.stringify(padding)} is not supported`);
  const sizes = [x.shape[2], x.shape[3]];
  const fixed = [0, 1].map((i) => {
    if (w.strides[i] === 1) return samePads(1, w.kernel[i], 1, w.dilations[i]);
    const d = sizes[i];
    return typeof d === 'number' ? samePads(d, w.kernel[i], w.strides[i], w.dilations[i]) : null;
  });
  if (fixed[0] === null || fixed[1] === null) return null;
  return [fixed[0][0], fixed[1][0], fixed[0][1], fixed[1][1]];
}

function sameUpperDim(d: Dim, stride: number): Dim {
  return typeof d === 'number' ? Math.ceil(d / stride) : freshDim('conv');
}

export function activation(x: Tensor, name: unknown, layer: string): Tensor {
  switch (name) {
    case undefined:
    case null:
    case 'linear':
      return x;
    case 'relu':
      return op.relu(x);
    case 'relu6':
      return op.clip(x, 0, 6);
    case 'sigmoid':
      return op.sigmoid(x);
    case 'tanh':
      return op.tanh(x);
    case 'swish':
    case 'silu':
      return op.silu(x);
    default:
      throw new KerasConversionError(`layer ${layer}: activation ${JSON.stringify(name)} is not supported`);
  }
}

/** Conv2D kernel [kh, kw, ci, co] -> ONNX [co, ci, kh, kw]. */
export function convKernelToOihw(k: Weight): { data: Float64Array; shape: [number, number, number, number] } {
  const [kh, kw, ci, co] = k.shape;
  const data = new Float64Array(k.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) data[((o * ci + i) * kh + y) * kw + x] = k.data[((y * kw + x) * ci + i) * co + o];
  return { data, shape: [co, ci, kh, kw] };
}

/** DepthwiseConv2D kernel [kh, kw, c, m] -> ONNX [c * m, 1, kh, kw] (output channel c * m + q). */
export function depthwiseKernelToOihw(k: Weight): { data: Float64Array; shape: [number, number, number, number] } {
  const [kh, kw, c, m] = k.shape;
  const data = new Float64Array(k.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let ch = 0; ch < c; ch++)
        for (let q = 0; q < m; q++) data[((ch * m + q) * kh + y) * kw + x] = k.data[((y * kw + x) * c + ch) * m + q];
  return { data, shape: [c * m, 1, kh, kw] };
}

export interface BatchNormParams {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/** Fold inference batch norm into OIHW weights and bias (in place on `weight`; returns the bias). */
export function foldBatchNorm(weight: Float64Array, outChannels: number, bias: Float32Array | null, bn: BatchNormParams): Float64Array {
  const perOut = weight.length / outChannels;
  const folded = new Float64Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    const s = bn.gamma[o] / Math.sqrt(bn.variance[o] + bn.epsilon);
    for (let j = 0; j < perOut; j++) weight[o * perOut + j] *= s;
    folded[o] = bn.beta[o] + ((bias ? bias[o] : 0) - bn.mean[o]) * s;
  }
  return folded;
}

/** Convert the layers that `options.outputs` need; `input` is the model input, NCHW. */
export function convertKeras(graph: Graph, input: Tensor, model: KerasModel, options: ConvertOptions): Record<string, Tensor> {
  const fold = options.foldBatchNorm ?? true;
  const foldPad = options.foldPadding ?? true;
  const layers = model.topology.model_config.config.layers;
  const byName = new Map(layers.map((l) => [l.name, l]));
  for (const name of options.outputs) {
    if (!byName.has(name)) throw new KerasConversionError(`the Keras model has no layer named "${name}"`);
  }

  // The layers the outputs need, and how many of those (or the outputs) read each one.
  const needed = new Set<string>();
  const stack = [...options.outputs];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    stack.push(...inboundNames(byName.get(name)!));
  }
  const readers = new Map<string, number>();
  for (const name of needed) for (const src of inboundNames(byName.get(name)!)) readers.set(src, (readers.get(src) ?? 0) + 1);
  for (const name of options.outputs) readers.set(name, (readers.get(name) ?? 0) + 1);
  const onlyReader = (source: string): boolean => readers.get(source) === 1;

  const weight = (layer: string, key: string): Weight => {
    const w = model.weights.get(`${layer}/${key}`);
    if (!w) throw new KerasConversionError(`layer ${layer}: weight ${layer}/${key} is missing`);
    return w;
  };
  const batchNorm = (layer: KerasLayer): BatchNormParams => {
    const c = layer.config;
    const axis = (c.axis as number | number[] | undefined) ?? -1;
    const a = Array.isArray(axis) ? axis : [axis];
    if (a.length !== 1 || (a[0] !== -1 && a[0] !== 3)) throw new KerasConversionError(`layer ${layer.name}: BatchNormalization over axis ${JSON.stringify(axis)}`);
    const mean = weight(layer.name, 'moving_mean').data;
    const n = mean.length;
    return {
      gamma: c.scale === false ? new Float32Array(n).fill(1) : weight(layer.name, 'gamma').data,
      beta: c.center === false ? new Float32Array(n) : weight(layer.name, 'beta').data,
      mean,
      variance: weight(layer.name, 'moving_variance').data,
      epsilon: typeof c.epsilon === 'number' ? c.epsilon : 1e-3,
    };
  };

  // BN layers folded into their convolution, and paddings folded into theirs.
  const foldedInto = new Map<string, string>(); // conv name -> BN name
  const foldedBn = new Set<string>();
  const paddingOf = new Map<string, KerasLayer>(); // conv name -> ZeroPadding2D layer
  for (const layer of layers) {
    if (!needed.has(layer.name)) continue;
    const sources = inboundNames(layer);
    if (fold && layer.class_name === 'BatchNormalization' && sources.length === 1) {
      const src = byName.get(sources[0])!;
      const isConv = src.class_name === 'Conv2D' || src.class_name === 'DepthwiseConv2D';
      const linear = src.config.activation === undefined || src.config.activation === 'linear';
      if (isConv && linear && onlyReader(src.name)) {
        foldedInto.set(src.name, layer.name);
        foldedBn.add(layer.name);
      }
    }
    if (foldPad && (layer.class_name === 'Conv2D' || layer.class_name === 'DepthwiseConv2D') && layer.config.padding === 'valid') {
      const src = byName.get(sources[0]);
      if (src && src.class_name === 'ZeroPadding2D' && onlyReader(src.name)) paddingOf.set(layer.name, src);
    }
  }
  const foldedPads = new Set([...paddingOf.values()].map((l) => l.name));

  const zeroPadding = (layer: KerasLayer): [number, number, number, number] => {
    const p = layer.config.padding;
    let top: number, bottom: number, left: number, right: number;
    if (typeof p === 'number') [top, bottom, left, right] = [p, p, p, p];
    else if (Array.isArray(p) && p.length === 2 && Array.isArray(p[0]) && Array.isArray(p[1])) [[top, bottom], [left, right]] = p as [number, number][];
    else if (Array.isArray(p) && p.length === 2) [[top, bottom], [left, right]] = [pair(p[0], layer.name), pair(p[1], layer.name)];
    else throw new KerasConversionError(`layer ${layer.name}: padding ${JSON.stringify(p)} is not supported`);
    return [top, left, bottom, right];
  };

  const out = new Map<string, Tensor>();
  const inputOf = (layer: KerasLayer): Tensor[] => inboundNames(layer).map((n) => out.get(n)!);

  for (const layer of layers) {
    if (!needed.has(layer.name)) continue;
    const c: Config = layer.config;
    if (!options.allowTrainable && c.trainable === true && layer.class_name !== 'InputLayer') {
      throw new KerasConversionError(
        `layer ${layer.name} is trainable in this model, i.e. it was fine-tuned after pretraining; ` +
          'choose outputs from the frozen layers (or pass allowTrainable)',
      );
    }
    if (c.data_format !== undefined && c.data_format !== 'channels_last') {
      throw new KerasConversionError(`layer ${layer.name}: data_format ${String(c.data_format)} is not supported`);
    }
    const xs = inputOf(layer);
    let y: Tensor;
    switch (layer.class_name) {
      case 'InputLayer': {
        const shape = c.batch_input_shape as (number | null)[] | undefined;
        if (shape && shape[3] !== null && shape[3] !== input.shape[1]) {
          throw new KerasConversionError(`the Keras model takes ${shape[3]} channels; the input has ${input.shape[1]}`);
        }
        y = input;
        break;
      }
      case 'ZeroPadding2D': {
        if (foldedPads.has(layer.name)) {
          y = xs[0]; // applied by the convolution that reads it
          break;
        }
        const [t, l, b, r] = zeroPadding(layer);
        y = op.pad(xs[0], [0, 0, t, l, 0, 0, b, r]);
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const depthwise = layer.class_name === 'DepthwiseConv2D';
        const k = weight(layer.name, depthwise ? 'depthwise_kernel' : 'kernel');
        const { data, shape } = depthwise ? depthwiseKernelToOihw(k) : convKernelToOihw(k);
        const window: Window = {
          kernel: pair(c.kernel_size, layer.name),
          strides: pair(c.strides ?? 1, layer.name),
          dilations: pair(c.dilation_rate ?? 1, layer.name),
        };
        const rawBias = c.use_bias === false ? null : weight(layer.name, 'bias').data;
        const bnName = foldedInto.get(layer.name);
        const bias = bnName ? foldBatchNorm(data, shape[0], rawBias, batchNorm(byName.get(bnName)!)) : rawBias;
        const w = graph.constant(Float32Array.from(data), shape, 'float32');
        const b = bias ? graph.constant(Float32Array.from(bias), [shape[0]], 'float32') : null;
        const x = xs[0];
        let pads = padsFor(x, c.padding, window, layer.name);
        const padLayer = paddingOf.get(layer.name); // only for 'valid' convolutions, whose pads are 0
        if (padLayer && pads) pads = zeroPadding(padLayer);
        const group = depthwise ? (k.shape[2] as number) : 1;
        if (pads) {
          y = op.conv2d(x, w, b, { strides: window.strides, pads, dilations: window.dilations, group });
        } else {
          y = graph.node(
            'Conv',
            b ? [x, w, b] : [x, w],
            [{ dtype: x.dtype, shape: [x.shape[0], shape[0], sameUpperDim(x.shape[2], window.strides[0]), sameUpperDim(x.shape[3], window.strides[1])] }],
            {
              kernel_shape: attr.ints(window.kernel),
              strides: attr.ints(window.strides),
              dilations: attr.ints(window.dilations),
              group: attr.int(group),
              auto_pad: attr.string('SAME_UPPER'),
            },
          )[0];
        }
        y = activation(y, c.activation, layer.name);
        break;
      }
      case 'BatchNormalization': {
        if (foldedBn.has(layer.name)) {
          y = xs[0]; // folded into the convolution
          break;
        }
        const bn = batchNorm(layer);
        const n = bn.mean.length;
        const constant = (d: Float32Array): Tensor => graph.constant(Float32Array.from(d), [n], 'float32');
        y = graph.node(
          'BatchNormalization',
          [xs[0], constant(bn.gamma), constant(bn.beta), constant(bn.mean), constant(bn.variance)],
          [{ dtype: xs[0].dtype, shape: xs[0].shape }],
          { epsilon: attr.float(bn.epsilon) },
        )[0];
        break;
      }
      case 'ReLU': {
        const slope = (c.negative_slope as number | undefined) ?? 0;
        const threshold = (c.threshold as number | undefined) ?? 0;
        if (slope !== 0 || threshold !== 0) throw new KerasConversionError(`layer ${layer.name}: ReLU with a slope or threshold is not supported`);
        const max = c.max_value as number | null | undefined;
        y = typeof max === 'number' ? op.clip(xs[0], 0, max) : op.relu(xs[0]);
        break;
      }
      case 'Activation':
        y = activation(xs[0], c.activation, layer.name);
        break;
      case 'Add':
        y = xs.slice(1).reduce((sum, x) => op.add(sum, x), xs[0]);
        break;
      case 'Concatenate':
        y = op.concat(xs, nchwAxis((c.axis as number | undefined) ?? -1, layer.name));
        break;
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const kernel = pair(c.pool_size ?? 2, layer.name);
        const strides = pair(c.strides ?? kernel, layer.name);
        const x = xs[0];
        const pads = padsFor(x, c.padding ?? 'valid', { kernel, strides, dilations: [1, 1] }, layer.name);
        const max = layer.class_name === 'MaxPooling2D';
        // Keras' 'same' average excludes the padded positions, as count_include_pad = 0 does.
        if (pads) {
          y = max ? op.maxPool(x, { kernel, strides, pads }) : op.averagePool(x, { kernel, strides, pads, countIncludePad: false });
        } else {
          const attrs = { kernel_shape: attr.ints(kernel), strides: attr.ints(strides), auto_pad: attr.string('SAME_UPPER') };
          const shape = [x.shape[0], x.shape[1], sameUpperDim(x.shape[2], strides[0]), sameUpperDim(x.shape[3], strides[1])];
          y = graph.node(max ? 'MaxPool' : 'AveragePool', [x], [{ dtype: x.dtype, shape }], max ? attrs : { ...attrs, count_include_pad: attr.int(0) })[0];
        }
        break;
      }
      default:
        throw new KerasConversionError(`layer ${layer.name}: layer type ${layer.class_name} is not supported by kensa's Keras converter`);
    }
    out.set(layer.name, y);
  }
  return Object.fromEntries(options.outputs.map((name) => [name, out.get(name)!]));
}
