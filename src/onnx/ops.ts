/**
 * The operations kensa's networks are built from. Each creates ONNX nodes (opset 18) and infers
 * the output shape statically, with symbolic dimensions. Primitive ops have a gradient rule in
 * vjp.ts; composite ops (softplus, silu, leakyRelu, l2Normalize, ...) are built from primitives and
 * need no rule of their own.
 */
import type { DType } from './dtype.js';
import type { Graph } from './graph.js';
import { broadcastShapes, freshDim, normalizeAxes, normalizeAxis, staticSize } from './shape.js';
import { attr, Tensor, type Attrs, type Dim, type Shape } from './tensor.js';

export type Operand = Tensor | number;

// ---------------------------------------------------------------------------------------------
// Constants

export function scalar(graph: Graph, value: number, dtype: DType = graph.floatType): Tensor {
  const data =
    dtype === 'float64' ? new Float64Array([value]) : dtype === 'int64' ? new BigInt64Array([BigInt(value)]) : new Float32Array([value]);
  if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'int64') throw new Error(`scalar: unsupported dtype ${dtype}`);
  return graph.constant(data, [], dtype);
}

/** A constant of the graph's float type from plain numbers. */
export function floats(graph: Graph, values: ArrayLike<number>, shape: readonly number[]): Tensor {
  const data = graph.floatType === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return graph.constant(data, shape, graph.floatType);
}

export function int64s(graph: Graph, values: readonly number[]): Tensor {
  return graph.constant(BigInt64Array.from(values.map((v) => BigInt(v))), [values.length], 'int64');
}

function lift(x: Operand, like: Tensor): Tensor {
  return typeof x === 'number' ? scalar(like.graph, x, like.dtype) : x;
}

function graphOf(...xs: Operand[]): Tensor {
  const t = xs.find((x): x is Tensor => x instanceof Tensor);
  if (!t) throw new Error('an operation needs at least one tensor operand');
  return t;
}

function single(graph: Graph, opType: string, inputs: Tensor[], dtype: DType, shape: Shape, attrs: Attrs = {}): Tensor {
  return graph.node(opType, inputs, [{ dtype, shape }], attrs)[0];
}

// ---------------------------------------------------------------------------------------------
// Elementwise, with numpy broadcasting

function binary(opType: string, a: Operand, b: Operand, outDtype?: DType): Tensor {
  const like = graphOf(a, b);
  const ta = lift(a, like);
  const tb = lift(b, like);
  if (ta.dtype !== tb.dtype) throw new Error(`${opType}: dtypes ${ta.dtype} and ${tb.dtype} differ`);
  return single(like.graph, opType, [ta, tb], outDtype ?? ta.dtype, broadcastShapes(ta.shape, tb.shape, opType));
}

export const add = (a: Operand, b: Operand): Tensor => binary('Add', a, b);
export const sub = (a: Operand, b: Operand): Tensor => binary('Sub', a, b);
export const mul = (a: Operand, b: Operand): Tensor => binary('Mul', a, b);
export const div = (a: Operand, b: Operand): Tensor => binary('Div', a, b);
export const pow = (a: Operand, b: Operand): Tensor => binary('Pow', a, b);
export const maximum = (a: Operand, b: Operand): Tensor => binary('Max', a, b);
export const minimum = (a: Operand, b: Operand): Tensor => binary('Min', a, b);

export const greater = (a: Operand, b: Operand): Tensor => binary('Greater', a, b, 'bool');
export const less = (a: Operand, b: Operand): Tensor => binary('Less', a, b, 'bool');
export const greaterOrEqual = (a: Operand, b: Operand): Tensor => binary('GreaterOrEqual', a, b, 'bool');
export const lessOrEqual = (a: Operand, b: Operand): Tensor => binary('LessOrEqual', a, b, 'bool');
export const equal = (a: Operand, b: Operand): Tensor => binary('Equal', a, b, 'bool');

function unary(opType: string, x: Tensor, attrs: Attrs = {}): Tensor {
  return single(x.graph, opType, [x], x.dtype, x.shape, attrs);
}

export const neg = (x: Tensor): Tensor => unary('Neg', x);
export const exp = (x: Tensor): Tensor => unary('Exp', x);
export const log = (x: Tensor): Tensor => unary('Log', x);
export const sqrt = (x: Tensor): Tensor => unary('Sqrt', x);
export const abs = (x: Tensor): Tensor => unary('Abs', x);
export const sign = (x: Tensor): Tensor => unary('Sign', x);
export const relu = (x: Tensor): Tensor => unary('Relu', x);
export const sigmoid = (x: Tensor): Tensor => unary('Sigmoid', x);
export const tanh = (x: Tensor): Tensor => unary('Tanh', x);
export const identity = (x: Tensor): Tensor => unary('Identity', x);

/** The value of x, through which no gradient flows. */
export function stopGradient(x: Tensor): Tensor {
  return x.graph.node('Identity', [x], [{ dtype: x.dtype, shape: x.shape }], {}, { stopsGradient: true })[0];
}

export function square(x: Tensor): Tensor {
  return mul(x, x);
}

export function clip(x: Tensor, min: number, max: number): Tensor {
  return single(x.graph, 'Clip', [x, scalar(x.graph, min, x.dtype), scalar(x.graph, max, x.dtype)], x.dtype, x.shape);
}

export function where(condition: Tensor, a: Operand, b: Operand): Tensor {
  const like = graphOf(a, b);
  const ta = lift(a, like);
  const tb = lift(b, like);
  const shape = broadcastShapes(condition.shape, broadcastShapes(ta.shape, tb.shape, 'Where'), 'Where');
  return single(like.graph, 'Where', [condition, ta, tb], ta.dtype, shape);
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const onnxType = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float64: 11 }[dtype];
  return single(x.graph, 'Cast', [x], dtype, x.shape, { to: attr.int(onnxType) });
}

// Composites ---------------------------------------------------------------------------------

export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  return where(greater(x, 0), x, mul(x, alpha));
}

export function silu(x: Tensor): Tensor {
  return mul(x, sigmoid(x));
}

/** log(1 + e^x), computed as relu(x) + log(1 + e^-|x|) so it never overflows. */
export function softplus(x: Tensor): Tensor {
  return add(relu(x), log(add(exp(neg(abs(x))), 1)));
}

/** x / ||x|| along `axis`; eps keeps the zero vector finite. */
export function l2Normalize(x: Tensor, axis = -1, eps = 1e-12): Tensor {
  return div(x, sqrt(add(reduceSum(square(x), [axis], true), eps)));
}

// ---------------------------------------------------------------------------------------------
// Reductions (opset 18: axes are an input)

function reduce(opType: string, x: Tensor, axes: readonly number[] | undefined, keepdims: boolean): Tensor {
  const reduced = normalizeAxes(axes, x.rank, opType);
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!reduced.includes(i)) shape.push(d);
    else if (keepdims) shape.push(1);
  });
  return single(x.graph, opType, [x, int64s(x.graph, reduced)], x.dtype, shape, { keepdims: attr.int(keepdims ? 1 : 0) });
}

export const reduceSum = (x: Tensor, axes?: readonly number[], keepdims = false): Tensor => reduce('ReduceSum', x, axes, keepdims);
export const reduceMean = (x: Tensor, axes?: readonly number[], keepdims = false): Tensor => reduce('ReduceMean', x, axes, keepdims);
export const reduceMax = (x: Tensor, axes?: readonly number[], keepdims = false): Tensor => reduce('ReduceMax', x, axes, keepdims);

// ---------------------------------------------------------------------------------------------
// Linear algebra

/** Matrix product of the last two axes, batch axes broadcast. Both operands have rank >= 2. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank < 2 || b.rank < 2) throw new Error(`MatMul: operands need rank >= 2, got ${a} and ${b}`);
  const [m, k1] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
    throw new Error(`MatMul: inner dimensions differ: ${a} and ${b}`);
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'MatMul');
  return single(a.graph, 'MatMul', [a, b], a.dtype, [...batch, m, n]);
}

/** Rank-2 product with optional transposes, computed without materializing the transposes. */
export function gemm(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  if (a.rank !== 2 || b.rank !== 2) throw new Error(`Gemm: operands need rank 2, got ${a} and ${b}`);
  const m = transA ? a.shape[1] : a.shape[0];
  const n = transB ? b.shape[0] : b.shape[1];
  return single(a.graph, 'Gemm', [a, b], a.dtype, [m, n], {
    transA: attr.int(transA ? 1 : 0),
    transB: attr.int(transB ? 1 : 0),
  });
}

// ---------------------------------------------------------------------------------------------
// Shapes

/** The run-time shape of x (or of axes [start, end)) as an int64 vector. */
export function shapeOf(x: Tensor, start = 0, end = x.rank): Tensor {
  return single(x.graph, 'Shape', [x], 'int64', [end - start], { start: attr.int(start), end: attr.int(end) });
}

/** Number of elements of x, as an int64 scalar. */
export function size(x: Tensor): Tensor {
  return single(x.graph, 'Size', [x], 'int64', []);
}

/**
 * Reshape to `shape`: numbers as ONNX does (0 copies the input dimension, -1 is inferred),
 * or a run-time int64 shape tensor together with the static shape it is known to have.
 */
export function reshape(x: Tensor, shape: readonly number[] | { tensor: Tensor; shape: Shape }): Tensor {
  if (!Array.isArray(shape)) {
    const dynamic = shape as { tensor: Tensor; shape: Shape };
    return single(x.graph, 'Reshape', [x, dynamic.tensor], x.dtype, dynamic.shape);
  }
  const target = shape as readonly number[];
  const out: Dim[] = target.map((d, i) => (d === 0 ? x.shape[i] : d));
  const inferred = out.indexOf(-1);
  if (inferred >= 0) {
    const total = staticSize(x.shape);
    const rest = staticSize(out.filter((_, i) => i !== inferred));
    out[inferred] = total !== null && rest !== null ? total / rest : freshDim('reshape');
    if (typeof out[inferred] === 'number' && !Number.isInteger(out[inferred])) {
      throw new Error(`Reshape: cannot reshape ${x} to [${target.join(', ')}]`);
    }
  }
  return single(x.graph, 'Reshape', [x, int64s(x.graph, target)], x.dtype, out);
}

export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.rank) throw new Error(`Transpose: permutation [${perm.join(', ')}] for ${x}`);
  return single(x.graph, 'Transpose', [x], x.dtype, perm.map((p) => x.shape[p]), { perm: attr.ints(perm) });
}

export function squeeze(x: Tensor, axes: readonly number[]): Tensor {
  const drop = normalizeAxes(axes, x.rank, 'Squeeze');
  for (const a of drop) {
    if (x.shape[a] !== 1) throw new Error(`Squeeze: axis ${a} of ${x} is not 1`);
  }
  return single(x.graph, 'Squeeze', [x, int64s(x.graph, drop)], x.dtype, x.shape.filter((_, i) => !drop.includes(i)));
}

export function unsqueeze(x: Tensor, axes: readonly number[]): Tensor {
  const rank = x.rank + axes.length;
  const added = normalizeAxes(axes, rank, 'Unsqueeze');
  const shape: Dim[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) shape.push(added.includes(i) ? 1 : x.shape[next++]);
  return single(x.graph, 'Unsqueeze', [x, int64s(x.graph, added)], x.dtype, shape);
}

/** Entries of x at int64 `indices` along `axis` (forward only: no gradient rule). */
export function gather(x: Tensor, indices: Tensor, axis: number): Tensor {
  const a = normalizeAxis(axis, x.rank, 'Gather');
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  return single(x.graph, 'Gather', [x, indices], x.dtype, shape, { axis: attr.int(a) });
}

/** Broadcast x to the run-time shape `shapeTensor`, known statically as `shape`. */
export function expand(x: Tensor, shapeTensor: Tensor, shape: Shape): Tensor {
  return single(x.graph, 'Expand', [x, shapeTensor], x.dtype, broadcastShapes(x.shape, shape, 'Expand'));
}

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new Error('Concat: no inputs');
  const first = xs[0];
  const a = normalizeAxis(axis, first.rank, 'Concat');
  const sizes = xs.map((x) => x.shape[a]);
  const total: Dim = sizes.every((s): s is number => typeof s === 'number')
    ? sizes.reduce((p, s) => p + s, 0)
    : freshDim('concat');
  const shape = first.shape.map((d, i) => (i === a ? total : d));
  return single(first.graph, 'Concat', [...xs], first.dtype, shape, { axis: attr.int(a) });
}

export interface SliceSpec {
  axes: readonly number[];
  starts: readonly number[];
  ends: readonly number[];
}

/** x[starts:ends] along `axes`, step 1, with numpy's clamping of out-of-range bounds. */
export function slice(x: Tensor, spec: SliceSpec): Tensor {
  const axes = spec.axes.map((a) => normalizeAxis(a, x.rank, 'Slice'));
  const shape: Dim[] = [...x.shape];
  axes.forEach((a, i) => {
    const d = x.shape[a];
    const start = spec.starts[i];
    const end = spec.ends[i];
    if (typeof d === 'number') {
      const clamp = (v: number): number => Math.min(d, Math.max(0, v < 0 ? v + d : v));
      shape[a] = Math.max(0, clamp(end) - clamp(start));
    } else {
      shape[a] = start === 0 && end >= Number.MAX_SAFE_INTEGER ? d : freshDim('slice');
    }
  });
  const g = x.graph;
  return single(g, 'Slice', [x, int64s(g, spec.starts), int64s(g, spec.ends), int64s(g, axes)], x.dtype, shape);
}

/** Slice with run-time int64 bounds (for axes whose size is symbolic). */
export function sliceDynamic(x: Tensor, axis: number, start: Tensor, end: Tensor): Tensor {
  const a = normalizeAxis(axis, x.rank, 'Slice');
  const shape = x.shape.map((d, i) => (i === a ? freshDim('slice') : d));
  return single(x.graph, 'Slice', [x, start, end, int64s(x.graph, [a])], x.dtype, shape);
}

/** The `k` largest values along `axis`, in descending order; k is a run-time int64 tensor [1] (at most the axis's size). */
export function topK(x: Tensor, k: Tensor, axis: number): Tensor {
  const a = normalizeAxis(axis, x.rank, 'TopK');
  const shape = x.shape.map((d, i) => (i === a ? freshDim('topk') : d));
  return x.graph.node('TopK', [x, k], [{ dtype: x.dtype, shape }, { dtype: 'int64', shape }], { axis: attr.int(a) })[0];
}

/** Constant padding; `pads` lists [begin..., end...] for every axis, as ONNX does. */
export function pad(x: Tensor, pads: readonly number[], value = 0): Tensor {
  if (pads.length !== 2 * x.rank) throw new Error(`Pad: ${pads.length} pads for ${x}`);
  const shape = x.shape.map((d, i) =>
    pads[i] === 0 && pads[i + x.rank] === 0 ? d : typeof d === 'number' ? d + pads[i] + pads[i + x.rank] : freshDim('pad'),
  );
  const g = x.graph;
  return single(g, 'Pad', [x, int64s(g, pads), scalar(g, value, x.dtype)], x.dtype, shape, { mode: attr.string('constant') });
}

/**
 * Edge padding (the border value repeated) with run-time int64 `pads` [begin..., end...] for
 * every axis; `padded` names the axes whose pads may be non-zero (they get fresh dimensions).
 */
export function padEdgeDynamic(x: Tensor, pads: Tensor, padded: readonly number[]): Tensor {
  const axes = normalizeAxes(padded, x.rank, 'Pad');
  const shape = x.shape.map((d, i) => (axes.includes(i) ? freshDim('pad') : d));
  return single(x.graph, 'Pad', [x, pads], x.dtype, shape, { mode: attr.string('edge') });
}

/** The int64 vector [0, 1, ..., limit - 1] for a run-time int64 scalar `limit`. */
export function range(limit: Tensor): Tensor {
  const g = limit.graph;
  return single(g, 'Range', [scalar(g, 0, 'int64'), limit, scalar(g, 1, 'int64')], 'int64', [freshDim('range')]);
}


// ---------------------------------------------------------------------------------------------
// Images (NCHW). Forward only: frozen backbones and fixed resampling, which training never
// differentiates through, so these have no gradient rules.

export interface Conv2dOptions {
  strides?: [number, number];
  /** [top, left, bottom, right]. */
  pads?: [number, number, number, number];
  dilations?: [number, number];
  group?: number;
}

function convOutputDim(d: Dim, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number): Dim {
  if (typeof d !== 'number') return freshDim('conv');
  return Math.floor((d + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Convolution of x [N, C, H, W] with weight [M, C/group, kH, kW] (+ bias [M]). */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const [kh, kw] = weight.shape.slice(2) as number[];
  const strides = options.strides ?? [1, 1];
  const pads = options.pads ?? [0, 0, 0, 0];
  const dilations = options.dilations ?? [1, 1];
  const shape = [
    x.shape[0],
    weight.shape[0],
    convOutputDim(x.shape[2], kh, strides[0], pads[0], pads[2], dilations[0]),
    convOutputDim(x.shape[3], kw, strides[1], pads[1], pads[3], dilations[1]),
  ];
  return single(x.graph, 'Conv', bias ? [x, weight, bias] : [x, weight], x.dtype, shape, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(strides),
    pads: attr.ints(pads),
    dilations: attr.ints(dilations),
    group: attr.int(options.group ?? 1),
  });
}

export interface PoolOptions {
  kernel: [number, number];
  strides?: [number, number];
  pads?: [number, number, number, number];
  /** AveragePool: count padded zeros in the average (Keras "same" does not). */
  countIncludePad?: boolean;
}

function pool(opType: 'MaxPool' | 'AveragePool', x: Tensor, options: PoolOptions): Tensor {
  const strides = options.strides ?? options.kernel;
  const pads = options.pads ?? [0, 0, 0, 0];
  const shape = [
    x.shape[0],
    x.shape[1],
    convOutputDim(x.shape[2], options.kernel[0], strides[0], pads[0], pads[2], 1),
    convOutputDim(x.shape[3], options.kernel[1], strides[1], pads[1], pads[3], 1),
  ];
  const attrs: Attrs = { kernel_shape: attr.ints(options.kernel), strides: attr.ints(strides), pads: attr.ints(pads) };
  if (opType === 'AveragePool') attrs.count_include_pad = attr.int(options.countIncludePad ? 1 : 0);
  return single(x.graph, opType, [x], x.dtype, shape, attrs);
}

export const maxPool = (x: Tensor, options: PoolOptions): Tensor => pool('MaxPool', x, options);
export const averagePool = (x: Tensor, options: PoolOptions): Tensor => pool('AveragePool', x, options);

/**
 * Bilinear resize of x [N, C, H, W] to the spatial size of a run-time int64 tensor `sizes`
 * ([N, C, h, w]), with half-pixel centers (as PyTorch's align_corners=False).
 */
export function resizeBilinear(x: Tensor, sizes: Tensor, shape: Shape): Tensor {
  const g = x.graph;
  const [output] = g.node('Resize', [x, g.constant(new Float32Array(0), [0], 'float32'), g.constant(new Float32Array(0), [0], 'float32'), sizes], [{ dtype: x.dtype, shape }], {
    mode: attr.string('linear'),
    coordinate_transformation_mode: attr.string('half_pixel'),
  });
  return output;
}

/**
 * x [N, C, H, W] shrunk by `scale` (0 < scale < 1) to floor(H * scale) x floor(W * scale):
 * bilinear with antialiasing, so fine texture averages out as in an image library's resize
 * instead of aliasing.
 */
export function downscale(x: Tensor, scale: number): Tensor {
  if (!(scale > 0 && scale < 1)) throw new RangeError(`downscale needs 0 < scale < 1, got ${scale}`);
  const g = x.graph;
  const side = (d: Dim, hint: string): Dim => (typeof d === 'number' ? Math.floor(d * scale) : freshDim(hint));
  const shape: Shape = [x.shape[0], x.shape[1], side(x.shape[2], 'downscaled_h'), side(x.shape[3], 'downscaled_w')];
  const scales = g.constant(Float32Array.from([1, 1, scale, scale]), [4], 'float32');
  return single(g, 'Resize', [x, g.constant(new Float32Array(0), [0], 'float32'), scales], x.dtype, shape, {
    mode: attr.string('linear'),
    coordinate_transformation_mode: attr.string('half_pixel'),
    antialias: attr.int(1),
  });
}
