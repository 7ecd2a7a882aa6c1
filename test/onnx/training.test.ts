/** The fused optimizer, training steps, export and checkpoints, run in real ONNX Runtime sessions. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { captureTraining, loadCheckpoint, restoreTraining, saveCheckpoint } from '../../src/onnx/checkpoint.js';
import { exportModel } from '../../src/onnx/export.js';
import { Graph } from '../../src/onnx/graph.js';
import { init } from '../../src/onnx/initializers.js';
import { mlp } from '../../src/onnx/nn.js';
import * as op from '../../src/onnx/ops.js';
import { ParameterStore } from '../../src/onnx/parameters.js';
import { createSession, DeviceUnavailableError } from '../../src/onnx/session.js';
import { TrainingStep } from '../../src/onnx/training-step.js';
import type { Tensor } from '../../src/onnx/tensor.js';
import { Random } from '../../src/util/random.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'kensa-engine-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Independent reference: one Adam step on plain arrays, as written in Kingma & Ba (2015). */
function referenceAdam(p: number[], g: number[], m: number[], v: number[], t: number, lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8) {
  const m2 = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
  const v2 = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] ** 2);
  const p2 = p.map((pi, i) => pi - (lr * (m2[i] / (1 - b1 ** t))) / (Math.sqrt(v2[i] / (1 - b2 ** t)) + eps));
  return { p: p2, m: m2, v: v2 };
}

/** loss = sum(c * (w - target)^2), so dloss/dw = 2 c (w - target) is known in closed form. */
function quadratic(graph: Graph, w: Tensor, target: number[], c: number[]): Tensor {
  const t = graph.constant(Float64Array.from(target), [target.length], 'float64');
  const k = graph.constant(Float64Array.from(c), [c.length], 'float64');
  return op.reduceSum(op.mul(k, op.square(op.sub(w, t))));
}

describe('Adam fused into the graph', () => {
  it('matches a hand-computed reference over several steps, per group learning rates', async () => {
    const graph = new Graph('float64');
    const w = graph.parameter('w', [3], init.values([0.5, -1, 2]));
    const u = graph.parameter('u', [2], init.values([1, 1]));
    const target = [1, 0, -1];
    const c = [1, 3, 0.5];
    const loss = op.add(quadratic(graph, w, target, c), quadratic(graph, u, [0, 2], [1, 1]));
    const store = new ParameterStore('float64', 0);
    const step = await TrainingStep.compile(
      { graph, loss, groups: [{ name: 'w', parameters: [w], lr: 0.1 }, { name: 'u', parameters: [u], lr: 0.01 }] },
      store,
    );
    let ref = { p: [0.5, -1, 2], m: [0, 0, 0], v: [0, 0, 0] };
    let refU = { p: [1, 1], m: [0, 0], v: [0, 0] };
    for (let t = 1; t <= 4; t++) {
      const gw = ref.p.map((p, i) => 2 * c[i] * (p - target[i]));
      const gu = refU.p.map((p, i) => 2 * (p - [0, 2][i]));
      ref = referenceAdam(ref.p, gw, ref.m, ref.v, t, 0.1);
      refU = referenceAdam(refU.p, gu, refU.m, refU.v, t, 0.01);
      await step.run({});
      Array.from(store.get('w').data).forEach((value, i) => expect(value).toBeCloseTo(ref.p[i], 12));
      Array.from(store.get('u').data).forEach((value, i) => expect(value).toBeCloseTo(refU.p[i], 12));
    }
    expect(Array.from(step.optimizerState().get('w.adam_m')!)).toEqual(ref.m.map((x) => expect.closeTo(x, 12)));
    expect(step.steps).toBe(4);
  });

  it('clips the global gradient norm as defined: g * min(1, maxNorm / (||g|| + 1e-6))', async () => {
    const graph = new Graph('float64');
    const a = graph.parameter('a', [2], init.values([3, 0]));
    const b = graph.parameter('b', [1], init.values([4]));
    // loss = sum(a^2)/2 + b^2/2: gradients are a and b, global norm 5.
    const loss = op.mul(op.add(op.reduceSum(op.square(a)), op.reduceSum(op.square(b))), 0.5);
    const store = new ParameterStore('float64', 0);
    const step = await TrainingStep.compile({ graph, loss, groups: [{ name: 'all', parameters: [a, b], lr: 0.1 }], adam: { clipNorm: 1, beta1: 0.5 } }, store);
    const result = await step.run({});
    expect(Number(result.grad_norm.data[0])).toBeCloseTo(5, 12);
    const scale = 1 / (5 + 1e-6);
    // First moment after one step is (1 - beta1) * clipped gradient.
    expect(Array.from(step.optimizerState().get('a.adam_m')!)).toEqual([expect.closeTo(0.5 * 3 * scale, 12), 0]);
    expect(step.optimizerState().get('b.adam_m')![0]).toBeCloseTo(0.5 * 4 * scale, 12);
  });

  it('AdamW decays weights directly; Adam with weight decay adds it to the gradient', async () => {
    for (const decoupled of [true, false]) {
      const graph = new Graph('float64');
      const w = graph.parameter('w', [1], init.values([2]));
      const loss = op.mul(op.reduceSum(w), 0); // zero gradient: only the decay acts
      const store = new ParameterStore('float64', 0);
      const step = await TrainingStep.compile(
        { graph, loss, groups: [{ name: 'w', parameters: [w], lr: 0.1, weightDecay: 0.5 }], adam: { decoupledWeightDecay: decoupled } },
        store,
      );
      await step.run({});
      // AdamW shrinks w by lr * decay * w = 0.1 outside the moments. Adam + L2 sees a gradient of
      // decay * w = 1, and its first step moves by lr = 0.1 through the moments. Both reach 1.9.
      expect(store.get('w').data[0]).toBeCloseTo(1.9, 6);
      expect(step.optimizerState().get('w.adam_m')![0]).toBeCloseTo(decoupled ? 0 : 0.1, 12);
    }
  });
});

async function regressionRun(seed: number, steps: number) {
  const graph = new Graph('float32');
  const x = graph.input('x', ['N', 2]);
  const y = graph.input('y', ['N', 1]);
  const net = mlp(graph, 'net', [2, 64, 64, 1], op.tanh);
  const prediction = net.apply(x);
  const loss = op.reduceMean(op.square(op.sub(prediction, y)));
  const store = new ParameterStore('float32', seed);
  const step = await TrainingStep.compile(
    { graph, loss, groups: [{ name: 'net', parameters: net.parameters, lr: 0.01 }], outputs: { prediction }, session: { threads: 1 } },
    store,
  );
  // A fixed nonlinear target: y = sin(3 x1) cos(2 x2), x uniform in [-1, 1]^2.
  const data = new Random(7);
  const n = 256;
  const xs = data.fillUniform(new Float32Array(n * 2), -1, 1);
  const ys = new Float32Array(n).map((_, i) => Math.sin(3 * xs[2 * i]) * Math.cos(2 * xs[2 * i + 1]));
  const feeds = { x: new ort.Tensor('float32', xs, [n, 2]), y: new ort.Tensor('float32', ys, [n, 1]) };
  let last = Infinity;
  for (let i = 0; i < steps; i++) last = Number((await step.run(feeds)).loss.data[0]);
  const variance = ys.reduce((s, v) => s + v * v, 0) / n - (ys.reduce((s, v) => s + v, 0) / n) ** 2;
  return { graph, x, prediction, store, step, feeds, loss: last, variance };
}

describe('training an MLP', () => {
  it('fits a nonlinear regression below 2% of the target variance', async () => {
    const run = await regressionRun(1, 800);
    expect(run.variance).toBeGreaterThan(0.1);
    expect(run.loss).toBeLessThan(0.02 * run.variance);
  });

  it('same seed gives bit-identical parameters; another seed does not', async () => {
    const a = await regressionRun(3, 20);
    const b = await regressionRun(3, 20);
    const c = await regressionRun(4, 20);
    for (const name of a.store.names()) expect(Buffer.from(b.store.get(name).data.buffer).equals(Buffer.from(a.store.get(name).data.buffer))).toBe(true);
    expect(Array.from(c.store.get('net.0.weight').data)).not.toEqual(Array.from(a.store.get('net.0.weight').data));
  });

  it('exports a standalone forward model that reproduces the training graph', async () => {
    const run = await regressionRun(5, 30);
    run.step.learningRates.net = 0; // a step with lr 0 reports the prediction of the current weights
    const inGraph = (await run.step.run(run.feeds)).prediction.data as Float32Array;
    const model = exportModel(run.graph, { inputs: [run.x], outputs: { prediction: run.prediction }, store: run.store });
    const session = await createSession(model, { threads: 1 });
    expect(session.inputNames).toEqual(['x']);
    const exported = (await session.run({ x: run.feeds.x })).prediction.data as Float32Array;
    expect(exported.length).toBe(256);
    exported.forEach((v, i) => expect(v).toBeCloseTo(inGraph[i], 5));
  });

  it('resumes from a checkpoint exactly', async () => {
    const original = await regressionRun(6, 10);
    const file = path.join(tmp, 'run.safetensors');
    await saveCheckpoint(file, captureTraining(original.store, { net: original.step }));
    const resumed = await regressionRun(99, 0); // different initialization, overwritten by the checkpoint
    restoreTraining(await loadCheckpoint(file), resumed.store, { net: resumed.step });
    expect(resumed.step.steps).toBe(10);
    for (let i = 0; i < 5; i++) {
      await original.step.run(original.feeds);
      await resumed.step.run(resumed.feeds);
    }
    for (const name of original.store.names()) {
      expect(Array.from(resumed.store.get(name).data)).toEqual(Array.from(original.store.get(name).data));
    }
  });

  it('says how to install the CUDA provider when it is missing', async () => {
    const graph = new Graph();
    const x = graph.input('x', [1]);
    const model = exportModel(graph, { inputs: [x], outputs: { y: op.neg(x) }, store: new ParameterStore('float32', 0) });
    const cudaInstalled = await createSession(model, { device: 'cuda' }).then(() => true, (e: unknown) => {
      expect(e).toBeInstanceOf(DeviceUnavailableError);
      expect(String(e)).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci');
      return false;
    });
    expect(typeof cudaInstalled).toBe('boolean');
  });
});
