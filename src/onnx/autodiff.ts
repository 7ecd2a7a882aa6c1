/**
 * Reverse-mode automatic differentiation on the symbolic graph: gradient nodes are appended to
 * the same graph, so one ONNX session computes forward and backward passes together.
 */
import { isFloat } from './dtype.js';
import { add, expand, reduceSum, scalar, shapeOf } from './ops.js';
import { broadcastAxes, isStatic, sameShape } from './shape.js';
import type { Node, Shape, Tensor } from './tensor.js';
import { VJP_RULES } from './vjp.js';

/**
 * Sum a gradient that has the broadcast shape of an op's output down to the shape of the operand
 * that was broadcast. Every rule in vjp.ts returns unreduced gradients; this is the one place
 * where broadcasting is undone.
 */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const { leading, kept } = broadcastAxes(g.shape, shape);
  let reduced = g;
  if (kept.length > 0) reduced = reduceSum(reduced, kept.map((a) => a + leading.length), true);
  if (leading.length > 0) reduced = reduceSum(reduced, leading, false);
  return reduced;
}

function zerosLike(x: Tensor): Tensor {
  const zero = scalar(x.graph, 0, x.dtype);
  return isStatic(x.shape) && x.rank === 0 ? zero : expand(zero, shapeOf(x), x.shape);
}

/** Tensors whose value depends on any of `sources` through differentiable nodes. */
function dependents(nodes: readonly Node[], sources: readonly Tensor[]): Set<Tensor> {
  const reached = new Set<Tensor>(sources);
  for (const node of nodes) {
    if (node.stopsGradient) continue;
    if (node.inputs.some((input) => reached.has(input))) node.outputs.forEach((o) => reached.add(o));
  }
  return reached;
}

/**
 * d(loss)/d(wrt) for each tensor in `wrt` (parameters, graph inputs or intermediate tensors).
 * `loss` must be a scalar unless `seed` (the gradient of some scalar with respect to loss) is given.
 * A tensor that the loss does not depend on gets a zero gradient.
 */
export function grad(loss: Tensor, wrt: readonly Tensor[], seed?: Tensor): Tensor[] {
  if (!seed && loss.shape.some((d) => d !== 1)) {
    throw new Error(`grad: the loss must be a scalar, got ${loss}; pass a seed gradient otherwise`);
  }
  const graph = loss.graph;
  const nodes = [...graph.nodes];
  const live = dependents(nodes, wrt);
  const grads = new Map<Tensor, Tensor>();
  grads.set(loss, seed ?? scalar(graph, 1, loss.dtype));

  for (let n = nodes.length - 1; n >= 0; n--) {
    const node = nodes[n];
    const g = grads.get(node.outputs[0]);
    if (!g || node.stopsGradient) continue;
    const wanted = node.inputs.map((input) => live.has(input) && isFloat(input.dtype));
    if (!wanted.some(Boolean)) continue;
    const rule = VJP_RULES[node.opType];
    if (!rule) throw new Error(`grad: no gradient rule for ${node.opType} (producing ${node.outputs[0]})`);
    const inputGrads = rule(node, g, wanted);
    node.inputs.forEach((input, i) => {
      const gi = inputGrads[i];
      if (!wanted[i] || !gi) return;
      const reduced = unbroadcast(gi, input.shape);
      const previous = grads.get(input);
      grads.set(input, previous ? add(previous, reduced) : reduced);
    });
  }
  return wrt.map((w) => grads.get(w) ?? zerosLike(w));
}
