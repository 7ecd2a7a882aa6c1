/** Micro-batching on a real ONNX Runtime session: batches fill under load and never mix sizes or models. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, type DecodedImage } from '../../src/image/decode.js';
import type { InputSpec } from '../../src/model/manifest.js';
import { MicroBatcher, type BatchModel, type BatchReport } from '../../src/server/inference/batcher.js';
import { ModelHost } from '../../src/server/inference/executor.js';
import { WorkerExecutor } from '../../src/server/inference/worker-executor.js';
import { writeFixtureModel } from '../helpers/fixture-model.js';
import { greyPng } from './harness.js';

// aspect-preserving: 64x32 and 32x64 images stay 64x32 and 32x64
const INPUT: InputSpec = { policy: 'fit-short-side', size: 32, multiple: 8 };
const modelA: BatchModel = { key: 'a' };
const modelB: BatchModel = { key: 'b' };
let root: string;
let host: ModelHost;
let wide: DecodedImage;
let tall: DecodedImage;
let white: DecodedImage;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kensa-batcher-'));
  const pkgA = await writeFixtureModel(root, { version: 'a', input: INPUT });
  const pkgB = await writeFixtureModel(root, { version: 'b', input: INPUT, imageThreshold: 0.6 });
  host = new ModelHost({ threads: 1 });
  await host.load('a', pkgA.dir);
  await host.load('b', pkgB.dir);
  wide = await decodeImage(await greyPng(64, 32, 128), INPUT);
  tall = await decodeImage(await greyPng(32, 64, 128), INPUT);
  white = await decodeImage(await greyPng(64, 32, 255), INPUT);
});
afterAll(async () => {
  await host.close();
  await rm(root, { recursive: true, force: true });
});

function batcher(maxBatch: number, maxWaitMs: number) {
  const reports: BatchReport<BatchModel>[] = [];
  return { batcher: new MicroBatcher(host, { maxBatch, maxWaitMs, minRegionArea: 1 }, (r) => reports.push(r)), reports };
}

describe('MicroBatcher', () => {
  it('groups concurrent images by model and size, each getting its own verdict', async () => {
    const { batcher: b, reports } = batcher(8, 20);
    const outcomes = await Promise.all([
      b.submit(modelA, wide),
      b.submit(modelA, tall),
      b.submit(modelA, white),
      b.submit(modelB, white),
      b.submit(modelA, wide),
      b.submit(modelA, tall),
    ]);
    expect(outcomes.map((o) => [o.verdict.map.width, o.verdict.map.height])).toEqual([
      [64, 32],
      [32, 64],
      [64, 32],
      [64, 32],
      [64, 32],
      [32, 64],
    ]);
    // white is NG for model a (threshold 0.25) and OK for model b (0.6)
    expect(outcomes.map((o) => o.verdict.decision)).toEqual(['OK', 'OK', 'NG', 'OK', 'OK', 'OK']);
    expect(reports.map((r) => [r.model.key, r.size]).sort()).toEqual([
      ['a', 2],
      ['a', 3],
      ['b', 1],
    ]);
  });

  it('splits at the maximum batch size, and a lone image waits at most maxWaitMs', async () => {
    const { batcher: b, reports } = batcher(2, 5);
    await Promise.all(Array.from({ length: 5 }, () => b.submit(modelA, wide)));
    expect(reports.map((r) => r.size)).toEqual([2, 2, 1]);

    const lone = await b.submit(modelA, wide);
    expect(lone.queueMs).toBeGreaterThanOrEqual(4);
    expect(lone.queueMs).toBeLessThan(100);
  });

  it('runs the same batches in the worker thread as in-process', async () => {
    const worker = new WorkerExecutor({ threads: 1 }, (error) => {
      throw error;
    });
    await worker.load('a', path.join(root, 'widget', 'a'));
    const viaWorker = new MicroBatcher(worker, { maxBatch: 4, maxWaitMs: 5, minRegionArea: 1 });
    const inProcess = batcher(4, 5).batcher;
    const [x, y] = await Promise.all([viaWorker.submit(modelA, white), inProcess.submit(modelA, white)]);
    expect(x.verdict).toEqual(y.verdict);
    expect(x.verdict.map.data).toBeInstanceOf(Uint8Array);
    await worker.close();
  });

  it('replaces a dead worker and loads its models again', async () => {
    const restarts: Error[] = [];
    const worker = new WorkerExecutor({ threads: 1 }, (error) => restarts.push(error));
    await worker.load('a', path.join(root, 'widget', 'a'));
    const viaWorker = new MicroBatcher(worker, { maxBatch: 4, maxWaitMs: 0, minRegionArea: 1 });
    // Kill the thread from outside, as an out-of-memory abort would. Killing starts before the
    // image is submitted: a 2 ms inference could otherwise finish before the thread stops.
    const thread = (worker as unknown as { worker: Worker }).worker;
    const dying = thread.terminate();
    const lost = viaWorker.submit(modelA, white);
    await dying;
    await expect(lost).rejects.toThrow(/inference failed: the inference worker exited/);
    expect(restarts).toHaveLength(1);
    expect((await viaWorker.submit(modelA, white)).verdict.decision).toBe('NG');
    await worker.close();
  });

  it('fails the images of a batch whose model is not loaded, and keeps going', async () => {
    const { batcher: b } = batcher(4, 1);
    await expect(b.submit({ key: 'missing' }, wide)).rejects.toThrow(/not loaded/);
    expect((await b.submit(modelA, wide)).verdict.decision).toBe('OK');
  });
});
