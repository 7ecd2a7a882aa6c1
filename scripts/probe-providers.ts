/**
 * Which ONNX Runtime execution providers load here: a one-MatMul session created and run on each.
 * CUDA's provider is a separate library that onnxruntime-node downloads at install time
 * (ONNXRUNTIME_NODE_INSTALL=cuda12); where it is missing, that is the reason given, not ORT's
 * error. Prints one JSON line: { device: { loads, reason? } }. Used by scripts/device-check.sh.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { Graph } from '../src/onnx/graph.js';
import { matmul } from '../src/onnx/ops.js';
import { serialize } from '../src/onnx/serialize.js';
import { createSession, DEVICES, type Device } from '../src/onnx/session.js';

/** The folders holding onnxruntime-node's native libraries. */
function nativeDirs(): string[] {
  const root = path.join(path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')), 'bin');
  if (!existsSync(root)) return [];
  return readdirSync(root).map((napi) => path.join(root, napi, process.platform, process.arch));
}

async function probe(device: Device): Promise<{ loads: boolean; reason?: string }> {
  if (device === 'cuda' && !nativeDirs().some((dir) => existsSync(path.join(dir, 'libonnxruntime_providers_cuda.so')))) {
    return {
      loads: false,
      reason: `libonnxruntime_providers_cuda.so is not installed (${nativeDirs().join(', ') || 'no native folder'}); onnxruntime-node downloads it at install time (ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci), which needs the internet`,
    };
  }
  try {
    const graph = new Graph();
    const a = graph.input('a', [64, 64]);
    const session = await createSession(serialize(graph, { inputs: [a], outputs: { c: matmul(a, a) } }), { device });
    await session.run({ a: new ort.Tensor('float32', new Float32Array(64 * 64).fill(1), [64, 64]) });
    await session.release();
    return { loads: true };
  } catch (error) {
    return { loads: false, reason: (error instanceof Error ? error.message : String(error)).split('\n')[0] };
  }
}

const result: Record<string, { loads: boolean; reason?: string }> = {};
for (const device of DEVICES) result[device] = await probe(device);
console.log(JSON.stringify(result));
