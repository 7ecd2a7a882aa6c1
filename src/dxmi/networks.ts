/**
 * DxMI's three networks, declared on a graph. Every compiled step builds the networks it needs
 * on its own graph; parameters are shared between steps by name through the ParameterStore.
 *
 * Time-conditioned networks take rows grouped by diffusion step: x is [K*N, D] where rows
 * k*N..(k+1)*N-1 are at step steps[k], and the time embedding enters the first layer as a
 * per-group bias (equivalent to concatenating [x ; temb(t)], without materializing it).
 *
 * Every network may also take a condition per row (the grid position's embedding, [rows, C]):
 * it enters the first layer like the time embedding, as if concatenated to x.
 */
import type { Graph } from '../onnx/graph.js';
import { init } from '../onnx/initializers.js';
import { linear, mlp, type Mlp } from '../onnx/nn.js';
import { add, clip, concat, floats, l2Normalize, matmul, mul, reduceMean, reduceSum, relu, reshape, silu, square, squeeze, sub, tanh, unsqueeze } from '../onnx/ops.js';
import type { Tensor } from '../onnx/tensor.js';
import type { DxmiConfig, EnergyConfig } from './config.js';
import { timeEmbeddings } from './time-embedding.js';

export interface EnergyNet {
  /** x [R, D] (and the rows' conditions [R, C] when the data has them) -> energies [R]. */
  energy(x: Tensor, condition?: Tensor): Tensor;
  /** The part of the energy that the magnitude regularizer gamma bounds (the whole energy unless it has a fixed base). */
  learned(x: Tensor, condition?: Tensor): Tensor;
  parameters: Tensor[];
}

/** First layer of an MLP on [x ; condition]: x W + c V + b, without materializing the concatenation. */
interface ConditionedInput {
  apply(x: Tensor, condition?: Tensor): Tensor;
  parameters: Tensor[];
}

function conditionedInput(graph: Graph, prefix: string, dim: number, conditionDim: number, out: number, fanIn = dim + conditionDim): ConditionedInput {
  const first = linear(graph, `${prefix}.input`, dim, out);
  if (conditionDim === 0) return { apply: (x) => first.apply(x), parameters: [first.weight, first.bias] };
  const conditionWeight = graph.parameter(`${prefix}.condition.weight`, [conditionDim, out], init.linear(fanIn));
  return {
    apply: (x, condition) => {
      if (!condition) throw new Error(`${prefix}: this network is conditioned and needs the rows' conditions`);
      return add(first.apply(x), matmul(condition, conditionWeight));
    },
    parameters: [first.weight, first.bias, conditionWeight],
  };
}

export interface SphericalAutoencoder extends EnergyNet {
  encode(x: Tensor): Tensor;
  decode(z: Tensor): Tensor;
}

function sphericalAutoencoder(graph: Graph, prefix: string, dim: number, config: Extract<EnergyConfig, { kind: 'spherical-ae' }>): SphericalAutoencoder {
  const encoder = mlp(graph, `${prefix}.encoder`, [dim, ...config.hidden, config.latent], relu);
  const decoder = mlp(graph, `${prefix}.decoder`, [config.latent, ...[...config.hidden].reverse(), dim], relu);
  const encode = (x: Tensor): Tensor => l2Normalize(encoder.apply(l2Normalize(x, 1)), 1);
  const decode = (z: Tensor): Tensor => l2Normalize(decoder.apply(z), 1);
  const energy = (x: Tensor): Tensor => reduceSum(square(sub(l2Normalize(x, 1), decode(encode(x)))), [1]);
  return { encode, decode, energy, learned: energy, parameters: [...encoder.parameters, ...decoder.parameters] };
}

/** An MLP [x ; condition] -> scalar with SiLU whose last layer starts at zero: 0 everywhere at first. */
function zeroStartMlp(graph: Graph, prefix: string, dim: number, conditionDim: number, hidden: readonly number[]) {
  const input = conditionedInput(graph, prefix, dim, conditionDim, hidden[0]);
  const trunk = mlp(graph, `${prefix}.trunk`, [...hidden, 1], silu, true);
  return {
    apply: (x: Tensor, condition?: Tensor): Tensor => squeeze(trunk.apply(silu(input.apply(x, condition))), [-1]),
    parameters: [...input.parameters, ...trunk.parameters],
  };
}

function mlpEnergy(graph: Graph, prefix: string, dim: number, hidden: readonly number[]): EnergyNet {
  const net = mlp(graph, prefix, [dim, ...hidden, 1], silu);
  const energy = (x: Tensor): Tensor => squeeze(net.apply(x), [1]);
  return { energy, learned: energy, parameters: net.parameters };
}

/** |z|^2 / (2D): the Gaussian base's energy in nats per dimension (rows on the last axis). */
const baseEnergy = (z: Tensor): Tensor => mul(reduceMean(square(z), [-1]), 0.5);

/** The base's energy plus the learned correction f. */
function residualEnergy(graph: Graph, prefix: string, dim: number, conditionDim: number, hidden: readonly number[]): EnergyNet {
  const correction = zeroStartMlp(graph, prefix, dim, conditionDim, hidden);
  return {
    // Rank-agnostic (rows on the last axis): the exported model scores [positions, N, D] at once.
    energy: (x, condition) => add(baseEnergy(x), correction.apply(x, condition)),
    learned: correction.apply,
    parameters: correction.parameters,
  };
}

export function energyNet(graph: Graph, dim: number, config: EnergyConfig, conditionDim = 0, prefix = 'energy'): EnergyNet {
  switch (config.kind) {
    case 'spherical-ae':
      return sphericalAutoencoder(graph, prefix, dim, config);
    case 'mlp':
      return mlpEnergy(graph, prefix, dim, config.hidden);
    case 'residual':
      return residualEnergy(graph, prefix, dim, conditionDim, config.hidden);
  }
}

/** The pretrained autoencoder, frozen: MPDR-style initial states are decoded from its latent space. */
export function frozenAutoencoder(graph: Graph, dim: number, config: EnergyConfig): SphericalAutoencoder {
  if (config.kind !== 'spherical-ae') throw new Error('MPDR initial states need the spherical autoencoder energy');
  return sphericalAutoencoder(graph, 'frozen', dim, config);
}

/** Parameter prefix of the value network's lagging copy (config.valueTargetAverage). */
export const VALUE_TARGET = 'valueTarget';

/** Name of the lagging copy of a value parameter. */
export function valueTargetName(valueParameter: string): string {
  return valueParameter.replace(/^value\./, `${VALUE_TARGET}.`);
}

/** Name of the frozen copy of an energy parameter. */
export function frozenName(energyParameter: string): string {
  return energyParameter.replace(/^energy\./, 'frozen.');
}

export interface TimeConditioned {
  /** x [K*N, D], steps: the step of each of the K groups of N rows; condition [K*N, C] when conditioned. */
  apply(x: Tensor, steps: readonly number[], condition?: Tensor): Tensor;
  parameters: Tensor[];
}

/** MLP([x ; condition ; temb(t)]) with SiLU, the time embedding entering as a per-group bias of layer one. */
function timeConditionedMlp(graph: Graph, prefix: string, dim: number, conditionDim: number, hidden: readonly number[], out: number, config: DxmiConfig, zeroLast = false): TimeConditioned {
  const fanIn = dim + conditionDim + config.timeEmbedding;
  const first = conditionedInput(graph, prefix, dim, conditionDim, hidden[0], fanIn);
  const timeWeight = graph.parameter(`${prefix}.time.weight`, [config.timeEmbedding, hidden[0]], init.linear(fanIn));
  const rest: Mlp = mlp(graph, `${prefix}.trunk`, [...hidden, out], silu, zeroLast);
  return {
    parameters: [...first.parameters, timeWeight, ...rest.parameters],
    apply(x, steps, condition) {
      const temb = floats(graph, timeEmbeddings(steps, config.timeEmbedding), [steps.length, config.timeEmbedding]);
      const rows = x.shape[0] as number;
      const groupSize = rows / steps.length;
      const h = reshape(first.apply(x, condition), [steps.length, groupSize, hidden[0]]);
      const withTime = add(h, unsqueeze(matmul(temb, timeWeight), [1]));
      return rest.apply(silu(reshape(withTime, [rows, hidden[0]])));
    },
  };
}

/** Back onto the sampler's space: the unit sphere, or the box [-bound, bound]^D. */
export function projectToSpace(x: Tensor, config: DxmiConfig): Tensor {
  if (config.space === 'sphere') return l2Normalize(x, 1);
  const bound = config.bound ?? 1;
  return clip(x, -bound, bound);
}

export interface Sampler {
  /** Mean of the Gaussian step from x_t: [K*N, D]. */
  mean(x: Tensor, steps: readonly number[], condition?: Tensor): Tensor;
  /** log sigma_t for t = 0..T-1. */
  logSigma: Tensor;
  /** The learned part of logSigma: every step, or all but the last when config.finalSigma fixes it. */
  logSigmaParameter: Tensor;
  parameters: Tensor[];
}

/**
 * With the residual energy the initial states are already exact draws from the base, which is
 * the sampler's target while f = 0: its residual steps start at the identity (a silent last layer).
 */
const startsAtTarget = (config: DxmiConfig): boolean => config.energy.kind === 'residual';

export function samplerNet(graph: Graph, dim: number, config: DxmiConfig, conditionDim = 0): Sampler {
  const net = timeConditionedMlp(graph, 'sampler', dim, conditionDim, config.samplerHidden, dim, config, startsAtTarget(config) && config.samplerResidual);
  const learnedSteps = config.finalSigma === null ? config.steps : config.steps - 1;
  const logSigmaParameter = graph.parameter('sampler.log_sigma', [learnedSteps], init.constant(Math.log(config.initialSigma)));
  const logSigma =
    config.finalSigma === null ? logSigmaParameter : concat([logSigmaParameter, floats(graph, [Math.log(config.finalSigma)], [1])], 0);
  return {
    mean: (x, steps, condition) => {
      const out = net.apply(x, steps, condition);
      if (!config.samplerResidual) return projectToSpace(out, config);
      const drift = config.maxDrift === undefined ? out : mul(tanh(out), config.maxDrift);
      return projectToSpace(add(x, drift), config);
    },
    logSigma,
    logSigmaParameter,
    parameters: net.parameters,
  };
}

export interface ValueNet {
  /** V(x, t) for rows grouped by step: [K*N]. */
  value(x: Tensor, steps: readonly number[], condition?: Tensor): Tensor;
  parameters: Tensor[];
}

/**
 * V(x, t). With the residual energy V carries the base's |x|^2 / (2D) too and learns the rest:
 * a plain MLP extrapolates linearly, and the sampler, descending V, would run off to where it is
 * wrong; with the quadratic built in, V grows far from the data as the energy does.
 */
export function valueNet(graph: Graph, dim: number, config: DxmiConfig, conditionDim = 0, prefix = 'value'): ValueNet {
  const net = timeConditionedMlp(graph, prefix, dim, conditionDim, config.valueHidden, 1, config);
  const learned = (x: Tensor, steps: readonly number[], condition?: Tensor): Tensor => squeeze(net.apply(x, steps, condition), [1]);
  const value = startsAtTarget(config) ? (x: Tensor, steps: readonly number[], condition?: Tensor) => add(baseEnergy(x), learned(x, steps, condition)) : learned;
  return { value, parameters: net.parameters };
}
