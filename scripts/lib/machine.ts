/**
 * What bounds a benchmark on this machine, measured in the same run: the CPU model and the peak
 * throughput of one large MatMul in ONNX Runtime. Figures move threefold between machines of the
 * same kind; every benchmark's --json line carries these two so its figures can be told apart.
 */
import os from 'node:os';
import ort from 'onnxruntime-node';
import { median } from 'simple-statistics';
import { Graph } from '../../src/onnx/graph.js';
import { matmul } from '../../src/onnx/ops.js';
import { serialize } from '../../src/onnx/serialize.js';
import { createSession, type Device } from '../../src/onnx/session.js';
import { Random } from '../../src/util/random.js';
import { timeRuns } from './time-runs.js';

export interface Machine {
  cpu: string;
  cores: number;
  /** GFLOP/s of a 2048x2048 MatMul, median of `runs`. */
  peakGflops: number;
}

/** The CPU model as the kernel names it (all cores of these machines are alike). */
export function cpuModel(): string {
  return os.cpus()[0]?.model.trim() || 'unknown';
}

export async function peakMatmulGflops(device: Device = 'cpu', threads?: number, runs = 10): Promise<number> {
  const n = 2048;
  const graph = new Graph();
  const a = graph.input('a', [n, n]);
  const b = graph.input('b', [n, n]);
  const session = await createSession(serialize(graph, { inputs: [a, b], outputs: { c: matmul(a, b) } }), { device, threads });
  const random = new Random(1);
  const feeds = {
    a: new ort.Tensor('float32', random.fillNormal(new Float32Array(n * n)), [n, n]),
    b: new ort.Tensor('float32', random.fillNormal(new Float32Array(n * n)), [n, n]),
  };
  const times = await timeRuns(runs, 2, () => session.run(feeds));
  await session.release();
  return (2 * n * n * n) / (median(times) / 1000) / 1e9;
}

/** Measured at a benchmark's start, before its own work heats or loads the machine. */
export async function measureMachine(device: Device = 'cpu', threads?: number): Promise<Machine> {
  return { cpu: cpuModel(), cores: os.availableParallelism(), peakGflops: +(await peakMatmulGflops(device, threads)).toFixed(1) };
}

export function describeMachine(machine: Machine): string {
  return `${machine.cpu}, ${machine.cores} cores, MatMul peak ${machine.peakGflops} GFLOP/s`;
}
