/**
 * Training-engine benchmark: full training steps (forward, backward, Adam) of the DxMI paper's
 * encoder shape, MLP 272 -> 1024 -> 1024 -> 1024 -> 128 with ReLU at batch 784, against the peak
 * throughput of one large MatMul in ONNX Runtime on the same machine.
 *
 *   npm run bench:engine -- [--json] [--steps N] [--threads N] [--device cpu|cuda|webgpu]
 */
import { Command } from 'commander';
import ort from 'onnxruntime-node';
import { Graph } from '../src/onnx/graph.js';
import { mlp } from '../src/onnx/nn.js';
import { reduceMean, relu, square, sub } from '../src/onnx/ops.js';
import { ParameterStore } from '../src/onnx/parameters.js';
import { DEVICES, type Device } from '../src/onnx/session.js';
import { TrainingStep } from '../src/onnx/training-step.js';
import { Random } from '../src/util/random.js';
import { median } from 'simple-statistics';
import { describeMachine, measureMachine } from './lib/machine.js';
import { timeRuns } from './lib/time-runs.js';

const WIDTHS = [272, 1024, 1024, 1024, 128];
const BATCH = 784;

function forwardFlops(): number {
  let flops = 0;
  for (let i = 1; i < WIDTHS.length; i++) flops += 2 * BATCH * WIDTHS[i - 1] * WIDTHS[i];
  return flops;
}

async function trainingStepMs(device: Device, threads: number | undefined, steps: number): Promise<number[]> {
  const graph = new Graph();
  const x = graph.input('x', ['N', WIDTHS[0]]);
  const target = graph.input('target', ['N', WIDTHS[WIDTHS.length - 1]]);
  const net = mlp(graph, 'encoder', WIDTHS, relu);
  const loss = reduceMean(square(sub(net.apply(x), target)));
  const store = new ParameterStore('float32', 0);
  const step = await TrainingStep.compile({ graph, loss, groups: [{ name: 'all', parameters: net.parameters, lr: 1e-4 }], adam: { clipNorm: 1 }, session: { device, threads } }, store);
  const random = new Random(2);
  const feeds = {
    x: new ort.Tensor('float32', random.fillNormal(new Float32Array(BATCH * WIDTHS[0])), [BATCH, WIDTHS[0]]),
    target: new ort.Tensor('float32', random.fillNormal(new Float32Array(BATCH * 128)), [BATCH, 128]),
  };
  const times = await timeRuns(steps, 3, () => step.run(feeds));
  await step.dispose();
  return times;
}

const options = new Command()
  .option('--json', 'print only the JSON summary line')
  .option('--steps <n>', 'timed training steps', (v) => parseInt(v, 10), 20)
  .option('--threads <n>', 'intra-op threads (default: all cores)', (v) => parseInt(v, 10))
  .option('--device <device>', `execution provider: ${DEVICES.join(', ')}`, 'cpu')
  .parse()
  .opts<{ json?: boolean; steps: number; threads?: number; device: Device }>();

const machine = await measureMachine(options.device, options.threads);
const stepTimes = await trainingStepMs(options.device, options.threads, options.steps);
const stepMs = median(stepTimes);
const achievedGflops = (3 * forwardFlops()) / (stepMs / 1000) / 1e9;
const summary = { stepMs: +stepMs.toFixed(2), achievedGflops: +achievedGflops.toFixed(1), peakGflops: machine.peakGflops, ratio: +(achievedGflops / machine.peakGflops).toFixed(3), device: options.device, machine };
if (!options.json) {
  console.log(describeMachine(machine));
  console.log(`MLP ${WIDTHS.join(' -> ')}, batch ${BATCH}, device ${options.device}, ${options.steps} steps`);
  console.log(`training step: median ${summary.stepMs} ms (min ${Math.min(...stepTimes).toFixed(1)}, max ${Math.max(...stepTimes).toFixed(1)})`);
  console.log(`achieved ${summary.achievedGflops} GFLOP/s (3x forward matmul FLOPs); peak MatMul ${summary.peakGflops} GFLOP/s; ratio ${summary.ratio}`);
}
console.log(JSON.stringify(summary));
