/**
 * Adam and AdamW as graph nodes, so that a training step (forward, backward, update) is one
 * session.run. Learning rates and the step number are graph inputs: schedules need no rebuild.
 */
import type { Graph } from './graph.js';
import { add, div, minimum, mul, pow, reduceSum, scalar, sqrt, square, sub } from './ops.js';
import type { Tensor } from './tensor.js';

export interface ParameterGroup {
  name: string;
  parameters: readonly Tensor[];
  lr: number;
  /** L2 penalty (Adam) or decoupled decay (AdamW) coefficient. */
  weightDecay?: number;
}

export interface AdamConfig {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** AdamW: decay weights directly instead of adding an L2 term to the gradient. */
  decoupledWeightDecay?: boolean;
  /** Clip the global gradient norm (over every group) to this value. */
  clipNorm?: number;
}

export interface StateSlot {
  /** Name of the state tensor, for example "<param>.adam_m". */
  name: string;
  shape: readonly number[];
  input: Tensor;
  output: Tensor;
}

export interface OptimizerGraph {
  /** Each parameter's updated value. */
  updates: Map<Tensor, Tensor>;
  state: StateSlot[];
  /** Input: the 1-based number of this step (bias correction). */
  step: Tensor;
  /** Input per group: its learning rate. */
  learningRates: Map<string, Tensor>;
  /** Output: the global gradient norm before clipping. */
  gradNorm: Tensor;
}

export const STEP_INPUT = 'optimizer.step';
export const learningRateInput = (group: string): string => `optimizer.lr.${group}`;

/** Global L2 norm of a set of gradients, and the factor that clips it to `maxNorm` (as PyTorch). */
export function clipByGlobalNorm(grads: readonly Tensor[], maxNorm: number | undefined): { norm: Tensor; grads: Tensor[] } {
  const squares = grads.map((g) => reduceSum(square(g)));
  const norm = sqrt(squares.reduce((a, b) => add(a, b)));
  if (maxNorm === undefined) return { norm, grads: [...grads] };
  const factor = minimum(div(maxNorm, add(norm, 1e-6)), 1);
  return { norm, grads: grads.map((g) => mul(g, factor)) };
}

export function adam(graph: Graph, groups: readonly ParameterGroup[], grads: ReadonlyMap<Tensor, Tensor>, config: AdamConfig = {}): OptimizerGraph {
  const beta1 = config.beta1 ?? 0.9;
  const beta2 = config.beta2 ?? 0.999;
  const eps = config.eps ?? 1e-8;
  const parameters = groups.flatMap((group) => group.parameters);
  const clipped = clipByGlobalNorm(
    parameters.map((p) => {
      const g = grads.get(p);
      if (!g) throw new Error(`adam: no gradient for ${p.name}`);
      return g;
    }),
    config.clipNorm,
  );

  const step = graph.input(STEP_INPUT, []);
  const correction1 = sub(1, pow(scalar(graph, beta1), step));
  const correction2 = sub(1, pow(scalar(graph, beta2), step));
  const updates = new Map<Tensor, Tensor>();
  const state: StateSlot[] = [];
  const learningRates = new Map<string, Tensor>();
  let index = 0;

  for (const group of groups) {
    const lr = graph.input(learningRateInput(group.name), []);
    learningRates.set(group.name, lr);
    const decay = group.weightDecay ?? 0;
    for (const p of group.parameters) {
      let g = clipped.grads[index++];
      let start = p;
      if (decay > 0 && config.decoupledWeightDecay) start = sub(p, mul(p, mul(lr, decay)));
      else if (decay > 0) g = add(g, mul(p, decay));
      const shape = p.shape as number[];
      const m = graph.input(`${p.name}.adam_m`, shape);
      const v = graph.input(`${p.name}.adam_v`, shape);
      const mNext = add(mul(m, beta1), mul(g, 1 - beta1));
      const vNext = add(mul(v, beta2), mul(square(g), 1 - beta2));
      const denominator = add(sqrt(div(vNext, correction2)), eps);
      const update = div(mul(div(mNext, correction1), lr), denominator);
      updates.set(p, sub(start, update));
      state.push({ name: m.name, shape, input: m, output: mNext }, { name: v.name, shape, input: v, output: vNext });
    }
  }
  return { updates, state, step, learningRates, gradNorm: clipped.norm };
}
