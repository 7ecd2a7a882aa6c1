/**
 * Vector-Jacobian products: for each primitive op, the gradients of its inputs given the gradient
 * `g` of its output. Rules return gradients in the output's (broadcast) shape; autodiff.ts reduces
 * them to each input's shape. `wanted[i]` says whether input i needs a gradient at all, so rules
 * can skip work (an exponent or a clip bound, usually).
 */
import {
  cast,
  div,
  equal,
  expand,
  gemm,
  greater,
  greaterOrEqual,
  less,
  log,
  matmul,
  mul,
  neg,
  pad,
  pow,
  reduceSum,
  reshape,
  shapeOf,
  sign,
  size,
  slice,
  sliceDynamic,
  squeeze,
  sub,
  transpose,
  unsqueeze,
  where,
  add,
  scalar,
} from './ops.js';
import type { Node, Tensor } from './tensor.js';

export type VjpRule = (node: Node, g: Tensor, wanted: readonly boolean[]) => (Tensor | null)[];

/** The values of a constant input (axes, bounds, shapes), which rules need at build time. */
function constantValues(t: Tensor): number[] {
  const c = t.graph.constants.get(t.name);
  if (!c) throw new Error(`${t.name} must be a constant`);
  return Array.from(c.data as ArrayLike<number | bigint>, Number);
}

function attrInt(node: Node, name: string, fallback: number): number {
  const a = node.attrs[name];
  return a && a.type === 'int' ? a.value : fallback;
}

/** g broadcast back over the axes a reduction removed. */
function expandReduced(node: Node, g: Tensor): Tensor {
  const [x, axesTensor] = node.inputs;
  const restored = attrInt(node, 'keepdims', 1) ? g : unsqueeze(g, constantValues(axesTensor));
  return expand(restored, shapeOf(x), x.shape);
}

function swapLastTwo(x: Tensor): Tensor {
  const perm = [...x.shape.keys()];
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return transpose(x, perm);
}

export const VJP_RULES: Record<string, VjpRule> = {
  Identity: (_n, g) => [g],
  Add: (_n, g) => [g, g],
  Sub: (_n, g) => [g, neg(g)],
  Mul: ({ inputs: [a, b] }, g) => [mul(g, b), mul(g, a)],
  Div: ({ inputs: [, b], outputs: [y] }, g, wanted) => [div(g, b), wanted[1] ? neg(div(mul(g, y), b)) : null],
  Pow: ({ inputs: [a, b], outputs: [y] }, g, wanted) => [
    wanted[0] ? mul(g, mul(b, pow(a, sub(b, 1)))) : null,
    wanted[1] ? mul(g, mul(y, log(a))) : null,
  ],
  Max: ({ inputs: [a, b] }, g) => [where(greaterOrEqual(a, b), g, 0), where(less(a, b), g, 0)],
  Min: ({ inputs: [a, b] }, g) => [where(greaterOrEqual(b, a), g, 0), where(less(b, a), g, 0)],
  Neg: (_n, g) => [neg(g)],
  Exp: ({ outputs: [y] }, g) => [mul(g, y)],
  Log: ({ inputs: [x] }, g) => [div(g, x)],
  Sqrt: ({ outputs: [y] }, g) => [div(g, mul(y, 2))],
  Abs: ({ inputs: [x] }, g) => [mul(g, sign(x))],
  Sign: () => [null],
  Relu: ({ inputs: [x] }, g) => [where(greater(x, 0), g, 0)],
  Sigmoid: ({ outputs: [y] }, g) => [mul(g, mul(y, sub(1, y)))],
  Tanh: ({ outputs: [y] }, g) => [mul(g, sub(1, mul(y, y)))],
  Clip: ({ inputs: [x, lo, hi] }, g) => [where(less(x, lo), 0, where(greater(x, hi), 0, g)), null, null],
  Where: ({ inputs: [c] }, g) => [null, where(c, g, 0), where(c, 0, g)],
  Cast: ({ inputs: [x] }, g) => [cast(g, x.dtype)],

  ReduceSum: (node, g) => [expandReduced(node, g), null],
  ReduceMean: (node, g) => {
    const [x] = node.inputs;
    const count = div(cast(size(x), x.dtype), cast(size(node.outputs[0]), x.dtype));
    return [div(expandReduced(node, g), count), null];
  },
  ReduceMax: (node, g) => {
    const [x, axesTensor] = node.inputs;
    const keep = attrInt(node, 'keepdims', 1) ? node.outputs[0] : unsqueeze(node.outputs[0], constantValues(axesTensor));
    const isMax = cast(equal(x, keep), x.dtype);
    const ties = reduceSum(isMax, constantValues(axesTensor), true);
    return [mul(expandReduced(node, g), div(isMax, ties)), null];
  },

  MatMul: ({ inputs: [a, b] }, g, wanted) =>
    a.rank === 2 && b.rank === 2
      ? [wanted[0] ? gemm(g, b, false, true) : null, wanted[1] ? gemm(a, g, true, false) : null]
      : [wanted[0] ? matmul(g, swapLastTwo(b)) : null, wanted[1] ? matmul(swapLastTwo(a), g) : null],
  // y = A'B' with A' = A or A^T and B' = B or B^T (see the transA/transB attributes).
  Gemm: (node, g, wanted) => {
    const [a, b] = node.inputs;
    const ta = attrInt(node, 'transA', 0) === 1;
    const tb = attrInt(node, 'transB', 0) === 1;
    const ga = ta ? gemm(b, g, tb, true) : gemm(g, b, false, !tb);
    const gb = tb ? gemm(g, a, true, ta) : gemm(a, g, !ta, false);
    return [wanted[0] ? ga : null, wanted[1] ? gb : null];
  },

  Reshape: ({ inputs: [x] }, g) => [reshape(g, { tensor: shapeOf(x), shape: x.shape }), null],
  Transpose: (node, g) => {
    const perm = node.attrs.perm.value as readonly number[];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [transpose(g, inverse)];
  },
  Squeeze: ({ inputs: [, axes] }, g) => [unsqueeze(g, constantValues(axes)), null],
  Unsqueeze: ({ inputs: [, axes] }, g) => [squeeze(g, constantValues(axes)), null],
  Expand: (_n, g) => [g, null],
  Concat: (node, g) => {
    const axis = attrInt(node, 'axis', 0);
    const sizes = node.inputs.map((x) => x.shape[axis]);
    if (sizes.every((s): s is number => typeof s === 'number')) {
      let offset = 0;
      return sizes.map((s) => {
        const part = slice(g, { axes: [axis], starts: [offset], ends: [offset + s] });
        offset += s;
        return part;
      });
    }
    // Symbolic sizes along the axis: slice at offsets computed at run time.
    let start = scalar(g.graph, 0, 'int64');
    return node.inputs.map((x) => {
      const end = add(start, squeeze(shapeOf(x, axis, axis + 1), [0]));
      const part = sliceDynamic(g, axis, unsqueeze(start, [0]), unsqueeze(end, [0]));
      start = end;
      return part;
    });
  },
  Slice: ({ inputs: [x, starts, ends, axes] }, g) => {
    const pads = new Array<number>(2 * x.rank).fill(0);
    const ends_ = constantValues(ends);
    const starts_ = constantValues(starts);
    constantValues(axes).forEach((axis, i) => {
      const d = x.shape[axis];
      if (typeof d !== 'number') throw new Error(`grad: Slice along symbolic axis ${axis} of ${x} is not supported`);
      const clamp = (v: number): number => Math.min(d, Math.max(0, v < 0 ? v + d : v));
      pads[axis] = clamp(starts_[i]);
      pads[axis + x.rank] = d - clamp(ends_[i]);
    });
    return [pad(g, pads), null, null, null];
  },
};
