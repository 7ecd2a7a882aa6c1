/**
 * The compiled graphs of a DxMI training run (see ../shared/docs/dxmi.md):
 * - pretrain: the energy alone, minimizing E on data (autoencoder reconstruction);
 * - rollout: initial states and T sampler steps, no gradients;
 * - energy: E down on data, up on samples;
 * - value[t]: one TD step of V(., t) toward the soft Bellman target, t = 0..T-1;
 * - sampler: minimize V(x_{t+1}, t+1) (E at the end) plus the entropy-regularized running cost,
 *   through dV/dx_{t+1} with the reparameterization x_{t+1} = mean(x_t, t) + sigma_t eps.
 * All shapes are static: the batch size N is fixed per run. When the data has a condition per
 * row (C > 0: the grid position's embedding), every step takes it as input `condition` [N, C]
 * and a trajectory keeps the condition of the row it started from.
 */
import { ForwardStep } from '../onnx/forward-step.js';
import { Graph } from '../onnx/graph.js';
import {
  add,
  concat,
  div,
  exp,
  l2Normalize,
  mul,
  reduceMean,
  reduceSum,
  reshape,
  slice,
  square,
  stopGradient,
  sub,
  unsqueeze,
} from '../onnx/ops.js';
import type { ParameterStore } from '../onnx/parameters.js';
import type { SessionConfig } from '../onnx/session.js';
import type { Tensor } from '../onnx/tensor.js';
import { TrainingStep } from '../onnx/training-step.js';
import type { DxmiConfig } from './config.js';
import { energyNet, frozenAutoencoder, samplerNet, VALUE_TARGET, valueNet, type Sampler } from './networks.js';

export interface DxmiSteps {
  rollout: ForwardStep;
  energy: TrainingStep;
  /** value[t] trains V(., t). */
  value: TrainingStep[];
  sampler: TrainingStep;
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

/** log sigma_t as a [1] tensor. */
function logSigmaAt(sampler: Sampler, t: number): Tensor {
  return slice(sampler.logSigma, { axes: [0], starts: [t], ends: [t + 1] });
}

/**
 * One stochastic step x_{t+1} = mean(x_t, t) + sigma_t eps for rows all at step t. Only the mean
 * is projected onto the space: projecting the sample too would cap the velocity cost while the
 * entropy bonus -tau log sigma keeps growing, and sigma would run away.
 */
function samplerStep(sampler: Sampler, x: Tensor, eps: Tensor, t: number, condition?: Tensor): Tensor {
  return add(sampler.mean(x, [t], condition), mul(exp(logSigmaAt(sampler, t)), eps));
}

/** The `condition` input [N, C] of a step's graph, or undefined when the data has none. */
function conditionInput(graph: Graph, config: DxmiConfig, conditionDim: number): Tensor | undefined {
  return conditionDim > 0 ? graph.input('condition', [config.batch, conditionDim]) : undefined;
}

/** The same rows' conditions for `copies` groups of rows ([copies * N, C]). */
function repeatRows(condition: Tensor | undefined, copies: number): Tensor | undefined {
  return condition && copies > 1 ? concat(Array.from({ length: copies }, () => condition), 0) : condition;
}

/** weight ||x' - x||^2 / (2 s^2 D) per row: the KL running cost's velocity term (AVR-scaled). */
function velocityCost(next: Tensor, x: Tensor, sSquared: Tensor, dim: number, weight: number): Tensor {
  return mul(div(reduceSum(square(sub(next, x)), [1]), mul(sSquared, 2 * dim)), weight);
}

export async function compilePretrain(dim: number, config: DxmiConfig, store: ParameterStore, session: SessionConfig): Promise<TrainingStep | null> {
  // Only the autoencoder energy has something to pretrain (the residual energy's base is fitted before).
  if (config.energy.kind !== 'spherical-ae' || config.pretrainEpochs === 0) return null;
  const graph = new Graph();
  const x = graph.input('x', [config.batch, dim]);
  const net = energyNet(graph, dim, config.energy);
  const loss = reduceMean(net.energy(x));
  return TrainingStep.compile({ graph, loss, groups: [{ name: 'energy', parameters: net.parameters, lr: config.pretrainLr }], session }, store);
}

async function compileRollout(dim: number, conditionDim: number, config: DxmiConfig, store: ParameterStore, session: SessionConfig): Promise<ForwardStep> {
  const graph = new Graph();
  const n = config.batch;
  const start = graph.input('start', [n, dim]);
  const condition = conditionInput(graph, config, conditionDim);
  const eps = graph.input('eps', [config.steps, n, dim]);
  let x0 = start;
  if (config.energy.kind === 'spherical-ae') {
    // MPDR: perturb the data's code on the latent sphere and decode, so negatives start near the manifold.
    const ae = frozenAutoencoder(graph, dim, config.energy);
    const nu = graph.input('nu', [n, 1]);
    const xi = graph.input('xi', [n, config.energy.latent]);
    x0 = ae.decode(l2Normalize(add(ae.encode(start), mul(nu, xi)), 1));
  }
  const sampler = samplerNet(graph, dim, config, conditionDim);
  const states = [x0];
  const velocities: Tensor[] = [];
  for (let t = 0; t < config.steps; t++) {
    const noise = reshape(slice(eps, { axes: [0], starts: [t], ends: [t + 1] }), [n, dim]);
    const next = samplerStep(sampler, states[t], noise, t, condition);
    velocities.push(reduceMean(reduceSum(square(sub(next, states[t])), [1]), [0], true));
    states.push(next);
  }
  const outputs = {
    states: concat(states.map((s) => unsqueeze(s, [0])), 0),
    velocity: div(concat(velocities, 0), dim),
    sigma: exp(sampler.logSigma),
  };
  return ForwardStep.compile(graph, outputs, store, session);
}

async function compileEnergy(dim: number, conditionDim: number, config: DxmiConfig, store: ParameterStore, session: SessionConfig): Promise<TrainingStep> {
  const graph = new Graph();
  const positive = graph.input('positive', [config.batch, dim]);
  const negative = graph.input('negative', [config.batch, dim]);
  const condition = conditionInput(graph, config, conditionDim);
  const net = energyNet(graph, dim, config.energy, conditionDim);
  const ePos = net.energy(positive, condition);
  const eNeg = net.energy(negative, condition);
  let loss = sub(reduceMean(ePos), reduceMean(eNeg));
  if (config.gamma > 0) {
    const [fPos, fNeg] = [net.learned(positive, condition), net.learned(negative, condition)];
    loss = add(loss, mul(add(reduceMean(square(fPos)), reduceMean(square(fNeg))), config.gamma));
  }
  return TrainingStep.compile(
    {
      graph,
      loss,
      groups: [{ name: 'energy', parameters: net.parameters, lr: config.energyLr }],
      adam: { clipNorm: config.clipNorm },
      outputs: { energyPositive: reduceMean(ePos), energyNegative: reduceMean(eNeg) },
      session,
    },
    store,
  );
}

async function compileValue(t: number, dim: number, conditionDim: number, config: DxmiConfig, store: ParameterStore, session: SessionConfig): Promise<TrainingStep> {
  const graph = new Graph();
  const n = config.batch;
  const x = graph.input('x', [n, dim]);
  const eps = graph.input('eps', [n, dim]);
  const sSquared = graph.input('s_squared', []);
  const condition = conditionInput(graph, config, conditionDim);
  const sampler = samplerNet(graph, dim, config, conditionDim);
  const value = valueNet(graph, dim, config, conditionDim);
  const next = samplerStep(sampler, x, eps, t, condition);
  const last = t === config.steps - 1;
  // V(x_{t+1}, t+1) of the lagging copy when there is one (config.valueTargetAverage).
  const bootstrap = config.valueTargetAverage > 0 ? valueNet(graph, dim, config, conditionDim, VALUE_TARGET) : value;
  const future = last ? energyNet(graph, dim, config.energy, conditionDim).energy(next, condition) : bootstrap.value(next, [t + 1], condition);
  const running = sub(velocityCost(next, x, sSquared, dim, config.velocityWeight ?? config.tau), mul(logSigmaAt(sampler, t), config.tau));
  const target = stopGradient(config.runningCostInValue ? add(future, running) : future);
  const loss = reduceMean(square(sub(value.value(x, [t], condition), target)));
  return TrainingStep.compile(
    { graph, loss, groups: [{ name: 'value', parameters: value.parameters, lr: config.valueLr }], adam: { clipNorm: config.clipNorm }, session },
    store,
  );
}

async function compileSampler(dim: number, conditionDim: number, config: DxmiConfig, store: ParameterStore, session: SessionConfig): Promise<TrainingStep> {
  const graph = new Graph();
  const n = config.batch;
  const steps = config.steps;
  const states = graph.input('states', [steps, n, dim]);
  const eps = graph.input('eps', [steps, n, dim]);
  const sSquared = graph.input('s_squared', [steps]);
  const condition = conditionInput(graph, config, conditionDim);
  const sampler = samplerNet(graph, dim, config, conditionDim);
  const value = valueNet(graph, dim, config, conditionDim);
  const energy = energyNet(graph, dim, config.energy, conditionDim);

  const x = reshape(states, [steps * n, dim]);
  const sigma = reshape(exp(sampler.logSigma), [steps, 1, 1]);
  const mean = reshape(sampler.mean(x, range(steps), repeatRows(condition, steps)), [steps, n, dim]);
  const next = reshape(add(mean, mul(sigma, eps)), [steps * n, dim]);

  // The future cost of each step: V(x_{t+1}, t+1) for t < T-1, E(x_T) for the last.
  const rowsBeforeLast = (steps - 1) * n;
  let future = reduceSum(energy.energy(slice(next, { axes: [0], starts: [rowsBeforeLast], ends: [steps * n] }), condition));
  if (steps > 1) {
    const inner = value.value(slice(next, { axes: [0], starts: [0], ends: [rowsBeforeLast] }), range(steps - 1, 1), repeatRows(condition, steps - 1));
    future = add(future, reduceSum(inner));
  }
  const velocity = reduceMean(reshape(reduceSum(square(sub(next, x)), [1]), [steps, n]), [1]);
  const velocityCosts = mul(div(velocity, mul(sSquared, 2 * dim)), config.velocityWeight ?? config.tau);
  const entropyBonuses = mul(sampler.logSigma, config.tau);
  const loss = sub(add(div(future, n), reduceSum(velocityCosts)), reduceSum(entropyBonuses));
  return TrainingStep.compile(
    {
      graph,
      loss,
      groups: [
        { name: 'sampler', parameters: sampler.parameters, lr: config.samplerLr },
        { name: 'sigma', parameters: [sampler.logSigmaParameter], lr: config.samplerLr * config.sigmaLrFactor },
      ],
      adam: { clipNorm: config.clipNorm },
      // Per step: velocityWeight ||x_{t+1} - x_t||^2 / (2 s_t^2 D) and tau log sigma_t.
      outputs: { velocityCost: velocityCosts, entropyBonus: entropyBonuses },
      session,
    },
    store,
  );
}

export async function compileSteps(dim: number, conditionDim: number, config: DxmiConfig, store: ParameterStore, session: SessionConfig): Promise<DxmiSteps> {
  const value: TrainingStep[] = [];
  for (let t = 0; t < config.steps; t++) value.push(await compileValue(t, dim, conditionDim, config, store, session));
  return {
    rollout: await compileRollout(dim, conditionDim, config, store, session),
    energy: await compileEnergy(dim, conditionDim, config, store, session),
    value,
    sampler: await compileSampler(dim, conditionDim, config, store, session),
  };
}

export async function disposeSteps(steps: DxmiSteps): Promise<void> {
  for (const step of [steps.rollout, steps.energy, ...steps.value, steps.sampler]) await step.dispose();
}
