/**
 * DxMI's three networks, declared on a graph. Every compiled step builds the networks it needs
 * on its own graph; parameters are shared between steps by name through the ParameterStore.
 *
 * Time-conditioned networks take rows grouped by diffusion step: x is [K*N, D] where rows
 * k*N..(k+1)*N-1 are at step steps[k], and the time embedding enters the first layer as a
 * per-group bias (equivalent to concatenating [x ; temb(t)], without materializing it).
 */
import type { Graph } from '../onnx/graph.js';
import { init } from '../onnx/initializers.js';
import { linear, mlp, type Mlp } from '../onnx/nn.js';
import { add, clip, concat, floats, l2Normalize, matmul, reduceSum, relu, reshape, silu, square, squeeze, sub, unsqueeze } from '../onnx/ops.js';
import type { Tensor } from '../onnx/tensor.js';
import type { DxmiConfig, EnergyConfig } from './config.js';
import { timeEmbeddings } from './time-embedding.js';

export interface EnergyNet {
  /** x [R, D] -> energies [R]. */
  energy(x: Tensor): Tensor;
  parameters: Tensor[];
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
  return {
    encode,
    decode,
    energy: (x) => reduceSum(square(sub(l2Normalize(x, 1), decode(encode(x)))), [1]),
    parameters: [...encoder.parameters, ...decoder.parameters],
  };
}

function mlpEnergy(graph: Graph, prefix: string, dim: number, hidden: readonly number[]): EnergyNet {
  const net = mlp(graph, prefix, [dim, ...hidden, 1], silu);
  return { energy: (x) => squeeze(net.apply(x), [1]), parameters: net.parameters };
}

export function energyNet(graph: Graph, dim: number, config: EnergyConfig, prefix = 'energy'): EnergyNet {
  return config.kind === 'spherical-ae' ? sphericalAutoencoder(graph, prefix, dim, config) : mlpEnergy(graph, prefix, dim, config.hidden);
}

/** The pretrained autoencoder, frozen: MPDR-style initial states are decoded from its latent space. */
export function frozenAutoencoder(graph: Graph, dim: number, config: EnergyConfig): SphericalAutoencoder {
  if (config.kind !== 'spherical-ae') throw new Error('MPDR initial states need the spherical autoencoder energy');
  return sphericalAutoencoder(graph, 'frozen', dim, config);
}

/** Name of the frozen copy of an energy parameter. */
export function frozenName(energyParameter: string): string {
  return energyParameter.replace(/^energy\./, 'frozen.');
}

export interface TimeConditioned {
  /** x [K*N, D], steps: the step of each of the K groups of N rows. */
  apply(x: Tensor, steps: readonly number[]): Tensor;
  parameters: Tensor[];
}

/** MLP([x ; temb(t)]) with SiLU, the time embedding entering as a per-group bias of layer one. */
function timeConditionedMlp(graph: Graph, prefix: string, dim: number, hidden: readonly number[], out: number, config: DxmiConfig): TimeConditioned {
  const first = linear(graph, `${prefix}.input`, dim, hidden[0]);
  const timeWeight = graph.parameter(`${prefix}.time.weight`, [config.timeEmbedding, hidden[0]], init.linear(dim + config.timeEmbedding));
  const rest: Mlp = mlp(graph, `${prefix}.trunk`, [...hidden, out], silu);
  return {
    parameters: [first.weight, first.bias, timeWeight, ...rest.parameters],
    apply(x, steps) {
      const temb = floats(graph, timeEmbeddings(steps, config.timeEmbedding), [steps.length, config.timeEmbedding]);
      const rows = x.shape[0] as number;
      const groupSize = rows / steps.length;
      const h = reshape(first.apply(x), [steps.length, groupSize, hidden[0]]);
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
  mean(x: Tensor, steps: readonly number[]): Tensor;
  /** log sigma_t for t = 0..T-1. */
  logSigma: Tensor;
  /** The learned part of logSigma: every step, or all but the last when config.finalSigma fixes it. */
  logSigmaParameter: Tensor;
  parameters: Tensor[];
}

export function samplerNet(graph: Graph, dim: number, config: DxmiConfig): Sampler {
  const net = timeConditionedMlp(graph, 'sampler', dim, config.samplerHidden, dim, config);
  const learnedSteps = config.finalSigma === null ? config.steps : config.steps - 1;
  const logSigmaParameter = graph.parameter('sampler.log_sigma', [learnedSteps], init.constant(Math.log(config.initialSigma)));
  const logSigma =
    config.finalSigma === null ? logSigmaParameter : concat([logSigmaParameter, floats(graph, [Math.log(config.finalSigma)], [1])], 0);
  return {
    mean: (x, steps) => {
      const out = net.apply(x, steps);
      return projectToSpace(config.samplerResidual ? add(x, out) : out, config);
    },
    logSigma,
    logSigmaParameter,
    parameters: net.parameters,
  };
}

export interface ValueNet {
  /** V(x, t) for rows grouped by step: [K*N]. */
  value(x: Tensor, steps: readonly number[]): Tensor;
  parameters: Tensor[];
}

export function valueNet(graph: Graph, dim: number, config: DxmiConfig): ValueNet {
  const net = timeConditionedMlp(graph, 'value', dim, config.valueHidden, 1, config);
  return { value: (x, steps) => squeeze(net.apply(x, steps), [1]), parameters: net.parameters };
}
