/**
 * The engine's floor for DxMI training: what one DxMI iteration would cost if it were nothing but
 * plain steps of the same networks (src/dxmi/networks.ts), at the rows DxMI gives each:
 * - the rollout: the sampler's mean, forward only, at T x N rows;
 * - the energy: one training step (forward, backward, Adam) at 2N rows (data and negatives);
 * - the value network: T training steps at N rows;
 * - the sampler: one training step at T x N rows.
 * Each loss is the plain mean of the network's output: what DxMI adds on top (targets computed
 * through other networks, noise drawn in JavaScript, AVR, T separate value graphs) is the gap
 * between its time and this floor.
 */
import ort from 'onnxruntime-node';
import { median } from 'simple-statistics';
import type { DxmiConfig } from '../../src/dxmi/config.js';
import { energyNet, samplerNet, valueNet } from '../../src/dxmi/networks.js';
import { ForwardStep } from '../../src/onnx/forward-step.js';
import { Graph } from '../../src/onnx/graph.js';
import { reduceMean } from '../../src/onnx/ops.js';
import { ParameterStore } from '../../src/onnx/parameters.js';
import type { SessionConfig } from '../../src/onnx/session.js';
import type { Tensor } from '../../src/onnx/tensor.js';
import { TrainingStep } from '../../src/onnx/training-step.js';
import { Random } from '../../src/util/random.js';
import { timeRuns } from './time-runs.js';

export interface DxmiShape {
  /** Rows per batch (N), vector size (D) and condition size (C, 0 when unconditioned). */
  batch: number;
  dim: number;
  conditionDim: number;
}

type Feeds = Record<string, ort.Tensor>;

/** `rows` of random vectors as input `x` (and `condition`) of a new graph. */
function inputs(graph: Graph, random: Random, rows: number, { dim, conditionDim }: DxmiShape): { x: Tensor; condition?: Tensor; feeds: Feeds } {
  const feeds: Feeds = { x: new ort.Tensor('float32', random.fillNormal(new Float32Array(rows * dim)), [rows, dim]) };
  const x = graph.input('x', [rows, dim]);
  if (conditionDim === 0) return { x, feeds };
  feeds.condition = new ort.Tensor('float32', random.fillNormal(new Float32Array(rows * conditionDim)), [rows, conditionDim]);
  return { x, condition: graph.input('condition', [rows, conditionDim]), feeds };
}

/** Median ms of one floor iteration, over `runs` iterations after two untimed ones. */
export async function dxmiFloorMsPerIteration(config: DxmiConfig, shape: DxmiShape, session: SessionConfig, runs: number): Promise<number> {
  const { batch: n, dim, conditionDim } = shape;
  const t = config.steps;
  const steps = Array.from({ length: t }, (_, i) => i);
  const store = new ParameterStore('float32', config.seed);
  const random = new Random(config.seed);
  const adam = { clipNorm: config.clipNorm };

  const rolloutGraph = new Graph();
  const rolloutIn = inputs(rolloutGraph, random, t * n, shape);
  const rollout = await ForwardStep.compile(rolloutGraph, { mean: samplerNet(rolloutGraph, dim, config, conditionDim).mean(rolloutIn.x, steps, rolloutIn.condition) }, store, session);

  const energyGraph = new Graph();
  const energyIn = inputs(energyGraph, random, 2 * n, shape);
  const energy = energyNet(energyGraph, dim, config.energy, conditionDim);
  const energyStep = await TrainingStep.compile(
    { graph: energyGraph, loss: reduceMean(energy.energy(energyIn.x, energyIn.condition)), groups: [{ name: 'energy', parameters: energy.parameters, lr: config.energyLr }], adam, session },
    store,
  );

  const valueGraph = new Graph();
  const valueIn = inputs(valueGraph, random, n, shape);
  const value = valueNet(valueGraph, dim, config, conditionDim);
  const valueStep = await TrainingStep.compile(
    { graph: valueGraph, loss: reduceMean(value.value(valueIn.x, [0], valueIn.condition)), groups: [{ name: 'value', parameters: value.parameters, lr: config.valueLr }], adam, session },
    store,
  );

  const samplerGraph = new Graph();
  const samplerIn = inputs(samplerGraph, random, t * n, shape);
  const sampler = samplerNet(samplerGraph, dim, config, conditionDim);
  const samplerStep = await TrainingStep.compile(
    { graph: samplerGraph, loss: reduceMean(sampler.mean(samplerIn.x, steps, samplerIn.condition)), groups: [{ name: 'sampler', parameters: sampler.parameters, lr: config.samplerLr }], adam, session },
    store,
  );

  try {
    const times = await timeRuns(runs, 2, async () => {
      await rollout.run(rolloutIn.feeds);
      await energyStep.run(energyIn.feeds);
      for (let k = 0; k < t; k++) await valueStep.run(valueIn.feeds);
      await samplerStep.run(samplerIn.feeds);
    });
    return median(times);
  } finally {
    for (const step of [rollout, energyStep, valueStep, samplerStep]) await step.dispose();
  }
}
