/**
 * Serving benchmark: `kensa serve` in a child process with a real model package, driven by
 * autocannon with a 900x900 PNG (or `--synthetic 2592x1944 --gray`: a 5-megapixel grayscale
 * frame) at concurrency 1, 4 and 16, then an overload run: 128 connections
 * offering twice the best measured throughput (cameras at a fixed frame rate, not a closed loop
 * that retries refusals instantly), once with the bounded queue and once, for contrast, with an
 * unbounded one. During each run /healthz is probed every 50 ms: its latency shows whether HTTP
 * stays responsive while batches run.
 *
 *   npm run bench:serve -- [--model DIR] [--image FILE | --synthetic WxH [--gray]] [--duration S]
 *                          [--threads N] [--inference-thread worker|main] [--compare-threads]
 *                          [--ratios-only] [--json]
 *
 * Its limits, in the same run and at the server's thread settings, in rounds alternating with the
 * server at concurrency 1 and at its best concurrency of the 1/4/16 runs (lib/serve-limit.ts):
 * for one image, the server's own inspection service called in this process without HTTP
 * (lib/in-process-server.ts), latencyRatio (target <= 1.15); for throughput, the pipeline it wraps
 * in full batches of the server's size (lib/in-process-pipeline.ts), throughputRatio (target >= 0.85).
 * --ratios-only stops there (no traceability, sinks or overload). Before them, a fresh server's
 * peak memory for one request at a time (lib/request-memory.ts): requestMemory.perRequestMB.
 *
 * Then the cost of traceability, on the same server at concurrency 1: rounds of plain posts, posts
 * with traceability fields (a serial of their own, lot, station, three attributes) and posts that
 * are also one view of a multi-view part (each opens and completes a part record), interleaved so
 * that drift and other work on the machine fall on all three alike; their p50s are compared from
 * every answer's own latency (autocannon's percentiles are whole milliseconds).
 *
 * Without --model, the bundled demo product's DxMI model (MobileNetV2 features at stride 8 and the
 * trained energy, 224x224) is trained first, as `npm start` does on a fresh clone. The last line with --json is
 * {"p50Ms","p99Ms","imagesPerSecond","throughputRatio","latencyRatio","limit","requestMemory","image","machine","traceability"}:
 * p50/p99 at concurrency 1, the best throughput of the 1/4/16 runs, the ratios above with the figures behind them, the
 * image, the CPU model and MatMul peak measured at the start,
 * and {"plainP50Ms","tracedP50Ms","tracedP50Ratio","viewP50Ms","viewP50Ratio"} (ratios against plain; the target is within 1.05),
 * and "sinks": the same server with three active sinks (a webhook receiver, an in-process aedes
 * broker and a folder, see lib/sink-cost.ts) against none, p50 at concurrency 1 and throughput at
 * the measured capacity, as ratios (the target is within 10%), and what each sink received.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Command } from 'commander';
import sharp from 'sharp';
import pino from 'pino';
import { readModelPackage } from '../src/model/model-package.js';
import { DEMO_PRODUCT, ensureDemoProduct } from '../src/server/demo.js';
import { discoverModelPackages } from '../src/server/model-discovery.js';
import { ApiKeyStore } from '../src/store/api-keys.js';
import { databasePath, openDatabase } from '../src/store/database.js';
import { ProductViewStore } from '../src/store/product-views.js';
import { describeMachine, measureMachine } from './lib/machine.js';
import { compareToLimit, type LimitComparison } from './lib/serve-limit.js';
import { ServerProcess } from './lib/server-process.js';
import { measureRequestMemory } from './lib/request-memory.js';
import { compareSinkCost, type SinkCost } from './lib/sink-cost.js';
import { parseSize, syntheticPartPng } from './lib/synthetic-part.js';

const CONCURRENCY = [1, 4, 16];
const OVERLOAD_CONCURRENCY = 128;
const OVERLOAD_QUEUE = 32;
/** Interleaved rounds per traceability variant. */
const TRACE_ROUNDS = 3;
/** The multi-view product of the "traced view" posts: one view, scored by the benchmarked product's model. */
const BENCH_PART_PRODUCT = 'bench-part';

interface Options {
  model?: string;
  image?: string;
  synthetic: string;
  gray: boolean;
  ratiosOnly: boolean;
  duration: number;
  threads?: number;
  inferenceThread: 'worker' | 'main';
  compareThreads: boolean;
  json: boolean;
}

interface RunResult {
  label: string;
  connections: number;
  p50Ms: number;
  p99Ms: number;
  imagesPerSecond: number;
  refused: number;
  errors: number;
  healthP99Ms: number;
}

/** Latencies of /healthz, probed every 50 ms until `stop`. */
function probeHealth(url: string) {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await fetch(`${url}/healthz`).then((r) => r.arrayBuffer()).catch(() => undefined);
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return async () => {
    running = false;
    await loop;
    latencies.sort((a, b) => a - b);
    return latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? NaN;
  };
}

/** What every request posts. */
interface Load {
  product: string;
  key: string;
  image: Buffer;
}

async function drive(server: ServerProcess, label: string, load: Load, connections: number, duration: number, overallRate?: number): Promise<RunResult> {
  const stopProbe = probeHealth(server.url);
  const result = await autocannon({
    url: `${server.url}/api/v1/inspect?product=${encodeURIComponent(load.product)}`,
    method: 'POST',
    headers: { authorization: `Bearer ${load.key}`, 'content-type': 'application/octet-stream' },
    body: load.image,
    connections,
    duration,
    ...(overallRate ? { overallRate } : {}),
    // latency of answered inspections only: refusals are fast and would flatter the percentiles
    excludeErrorStats: true,
  });
  const healthP99Ms = await stopProbe();
  return {
    label,
    connections,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    imagesPerSecond: result['2xx'] / result.duration,
    refused: result.non2xx,
    errors: result.errors,
    healthP99Ms,
  };
}

/** What the line adds to an inspection: a serial of its own per post, the rest as a real line sends it. */
function traceability(n: number): string {
  return `part=SN-${String(n).padStart(8, '0')}&lot=L-2025-03-14&station=ST4&attr[heat]=H12&attr[shift]=B&attr[operator]=K7`;
}

interface TraceVariant {
  label: string;
  path(n: number): string;
}

interface TraceResult {
  label: string;
  answered: number;
  p50Ms: number;
  p99Ms: number;
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;

/** Every variant at concurrency 1, in interleaved rounds; percentiles over each variant's answers from all rounds. */
async function compareTraceability(server: ServerProcess, load: Load, duration: number): Promise<TraceResult[]> {
  const product = encodeURIComponent(load.product);
  const variants: TraceVariant[] = [
    { label: 'plain', path: () => `/api/v1/inspect?product=${product}` },
    { label: 'traced', path: (n) => `/api/v1/inspect?product=${product}&${traceability(n)}` },
    { label: 'traced view', path: (n) => `/api/v1/inspect?product=${BENCH_PART_PRODUCT}&view=top&${traceability(n)}` },
  ];
  const latencies = new Map<string, number[]>(variants.map((variant) => [variant.label, []]));
  let posted = 0;
  for (let round = 0; round < TRACE_ROUNDS; round++) {
    for (const variant of variants) {
      await new Promise<void>((resolve, reject) => {
        const run = autocannon(
          {
            url: server.url,
            connections: 1,
            duration,
            requests: [
              {
                method: 'POST',
                headers: { authorization: `Bearer ${load.key}`, 'content-type': 'application/octet-stream' },
                body: load.image,
                // every variant builds its path the same way, so the client's own work is alike
                setupRequest: (request) => ({ ...request, path: variant.path(posted++) }),
              },
            ],
          },
          (error) => (error ? reject(error as Error) : resolve()),
        );
        run.on('response', (_client, status, _bytes, ms) => {
          if (status === 200) latencies.get(variant.label)!.push(ms);
        });
      });
    }
  }
  return variants.map(({ label }) => {
    const sorted = latencies.get(label)!.sort((a, b) => a - b);
    return { label, answered: sorted.length, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
  });
}

async function main(): Promise<void> {
  const program = new Command()
    .option('--model <dir>', "model package to serve (default: the demo product's, trained first)")
    .option('--image <file>', 'image to post (default: a synthetic part PNG, see --synthetic)')
    .option('--synthetic <WxH>', 'size of the synthetic part PNG', '900x900')
    .option('--gray', 'make the synthetic part grayscale')
    .option('--ratios-only', 'stop after the 1/4/16 runs and their ratios to the in-process pipeline')
    .option('--duration <s>', 'seconds per run', (v) => Number(v), 5)
    .option('--threads <n>', 'ONNX Runtime intra-op threads of the server (default: its own default)', (v) => Number(v))
    .option('--inference-thread <where>', 'worker or main', 'worker')
    .option('--compare-threads', 'also run 1/4/16 with the other --inference-thread and print both')
    .option('--json', 'print the result as JSON (last line)')
    .parse();
  const options = program.opts<Options>();

  const machine = await measureMachine('cpu', options.threads);
  const root = await mkdtemp(path.join(os.tmpdir(), 'kensa-bench-'));
  try {
    const modelsDir = path.join(root, 'models');
    const dataDir = path.join(root, 'data');
    let modelLine: string;
    let product = DEMO_PRODUCT;
    if (options.model) {
      const pkg = await readModelPackage(path.resolve(options.model));
      const { version, method, backbone, input } = pkg.manifest;
      await cp(pkg.dir, path.join(modelsDir, pkg.manifest.product, version), { recursive: true });
      product = pkg.manifest.product;
      modelLine = `model: ${pkg.dir} (${pkg.manifest.product}/${version}, ${method}, backbone ${backbone.name}, input ${input.policy} ${input.size})`;
    } else {
      await ensureDemoProduct(modelsDir, dataDir, pino({ level: 'warn' }));
      modelLine = 'model: the demo product (dxmi, backbone mobilenet_v2, input fill 224, stride 8)';
    }
    const modelDir = (await discoverModelPackages(modelsDir)).packages.find((pkg) => pkg.manifest.product === product)!.dir;
    const image = options.image ? await readFile(options.image) : await syntheticPartPng({ ...parseSize(options.synthetic), gray: options.gray ?? false });
    const imageInfo = await sharp(image).metadata();

    const db = openDatabase(databasePath(dataDir));
    const keys = new ApiKeyStore(db);
    const load: Load = { product, key: keys.create('camera', 'bench').key, image };
    const adminKey = keys.create('admin', 'bench sinks').key;
    new ProductViewStore(db).set(BENCH_PART_PRODUCT, [{ name: 'top', product }], 30_000, null);
    db.close();

    const loadBefore = os.loadavg();
    const base = { 'models-dir': modelsDir, 'data-dir': dataDir, demo: String(!options.model), ...(options.threads ? { threads: options.threads } : {}) };
    const post = { path: `/api/v1/inspect?product=${encodeURIComponent(load.product)}`, key: load.key, image: load.image };
    const fresh = await ServerProcess.start({ ...base, 'inference-thread': options.inferenceThread });
    const memory = await measureRequestMemory(fresh, post).finally(() => fresh.stop());
    const modes = options.compareThreads ? (['worker', 'main'] as const) : [options.inferenceThread];
    const runs: RunResult[] = [];
    let traced: TraceResult[] = [];
    let sinkCost: SinkCost | null = null;
    let limit: LimitComparison | null = null;
    for (const mode of modes) {
      const server = await ServerProcess.start({ ...base, 'inference-thread': mode });
      try {
        await drive(server, 'warm-up', load, 4, 2);
        for (const connections of CONCURRENCY) runs.push(await drive(server, mode, load, connections, options.duration));
        if (mode !== options.inferenceThread) continue;
        const measured = runs.filter((r) => r.label === mode);
        const capacity = measured.reduce((best, r) => (r.imagesPerSecond > best.imagesPerSecond ? r : best)).connections;
        limit = await compareToLimit(server, post, { dir: modelDir, modelsDir, product }, { inferenceThread: mode, ...(options.threads ? { threads: options.threads } : {}) }, capacity);
        if (!options.ratiosOnly) {
          traced = await compareTraceability(server, load, options.duration);
          sinkCost = await compareSinkCost(server, { ...load, adminKey }, capacity, options.duration);
        }
      } finally {
        await server.stop();
      }
    }
    const offered = Math.round(2 * Math.max(...runs.map((r) => r.imagesPerSecond)));
    const overload: RunResult[] = [];
    const overloads = [
      [`2x load, queue ${OVERLOAD_QUEUE}`, OVERLOAD_QUEUE],
      ['2x load, unbounded', 1_000_000],
    ] as const;
    for (const [label, queue] of options.ratiosOnly ? [] : overloads) {
      const server = await ServerProcess.start({ ...base, 'inference-thread': options.inferenceThread, 'max-queue': queue });
      try {
        await drive(server, 'warm-up', load, 4, 1);
        overload.push(await drive(server, label, load, OVERLOAD_CONCURRENCY, options.duration, offered));
      } finally {
        await server.stop();
      }
    }
    const loadAfter = os.loadavg();

    const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
    console.log(modelLine);
    console.log(`image: ${imageInfo.width}x${imageInfo.height} ${imageInfo.format}, ${(image.length / 1024).toFixed(0)} KiB`);
    console.log(`machine: ${describeMachine(machine)}, load average ${loadBefore.map(fmt).join(' ')} before, ${loadAfter.map(fmt).join(' ')} after`);
    if (overload.length > 0) console.log(`overload: ${offered} images/s offered on ${OVERLOAD_CONCURRENCY} connections; latencies are of answered inspections`);
    console.log('');
    console.log('run                       conns   p50 ms   p99 ms   images/s   refused  errors  /healthz p99 ms');
    for (const r of [...runs, ...overload]) {
      console.log(
        `${r.label.padEnd(25)} ${String(r.connections).padStart(5)} ${fmt(r.p50Ms).padStart(8)} ${fmt(r.p99Ms).padStart(8)} ${fmt(r.imagesPerSecond).padStart(10)} ${String(r.refused).padStart(9)} ${String(r.errors).padStart(7)} ${fmt(r.healthP99Ms).padStart(16)}`,
      );
    }
    const primary = runs.filter((r) => r.label === options.inferenceThread);
    const single = primary.find((r) => r.connections === 1)!;
    const imagesPerSecond = Math.max(...primary.map((r) => r.imagesPerSecond));
    const { serverP50Ms, serverImagesPerSecond, inProcessMs, inProcessImagesPerSecond, throughputRatio, latencyRatio, maxBatch, threads } = limit!;
    console.log('');
    console.log(`against its limits in process, no HTTP (${threads} threads, inference on the ${options.inferenceThread} thread), interleaved rounds (ratios: median of the rounds'):`);
    console.log(`  one image: server p50 ${serverP50Ms.toFixed(2)} ms, its inspection service in process ${inProcessMs.toFixed(2)} ms: latencyRatio ${latencyRatio.toFixed(3)} (target <= 1.15)`);
    console.log(
      `  throughput: server ${serverImagesPerSecond.toFixed(1)} images/s, the pipeline in full batches of ${maxBatch} ${inProcessImagesPerSecond.toFixed(1)} images/s: throughputRatio ${throughputRatio.toFixed(3)} (target >= 0.85)`,
    );
    console.log(`  memory: one request at a time, the server's peak resident set ${memory.perRequestMB.toFixed(0)} MB above the ready server's ${memory.readyMB.toFixed(0)} MB (${memory.requests} requests)`);
    const [plain, withTrace, withView] = traced;
    const ratio = (r: TraceResult) => r.p50Ms / plain.p50Ms;
    if (traced.length > 0) {
      console.log('');
      console.log(`traceability: concurrency 1, ${TRACE_ROUNDS} interleaved rounds of ${options.duration} s per variant; p50 from every answer's latency`);
      console.log('variant          answered   p50 ms   p99 ms   p50 vs plain');
      for (const r of traced) {
        console.log(`${r.label.padEnd(16)} ${String(r.answered).padStart(8)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)} ${ratio(r).toFixed(3).padStart(14)}`);
      }
    }
    if (sinkCost) {
      console.log('');
      console.log(`sinks: a webhook, an MQTT broker and a folder, every result to each, against none; rounds interleaved; p50 at concurrency 1, images/s at the measured capacity`);
      console.log('variant            p50 ms   images/s');
      for (const v of sinkCost.variants) console.log(`${v.label.padEnd(16)} ${v.p50Ms.toFixed(2).padStart(8)} ${v.imagesPerSecond.toFixed(1).padStart(10)}`);
      const delivered = Object.entries(sinkCost.delivered).map(([sink, { distinct, messages }]) => `${sink} ${distinct} (${messages} messages)`);
      console.log(`p50 ratio ${sinkCost.p50Ratio.toFixed(3)}, throughput ratio ${sinkCost.throughputRatio.toFixed(3)} (target: within 10%); ${sinkCost.logged} logged for the sinks, delivered: ${delivered.join(', ')}`);
    }
    const summary = {
      p50Ms: Number(single.p50Ms.toFixed(2)),
      p99Ms: Number(single.p99Ms.toFixed(2)),
      imagesPerSecond: Number(imagesPerSecond.toFixed(1)),
      throughputRatio: Number(throughputRatio.toFixed(3)),
      latencyRatio: Number(latencyRatio.toFixed(3)),
      limit: {
        serverP50Ms: Number(serverP50Ms.toFixed(2)),
        inProcessMs: Number(inProcessMs.toFixed(2)),
        serverImagesPerSecond: Number(serverImagesPerSecond.toFixed(1)),
        inProcessImagesPerSecond: Number(inProcessImagesPerSecond.toFixed(1)),
        maxBatch,
        threads,
      },
      requestMemory: { readyMB: Math.round(memory.readyMB), peakMB: Math.round(memory.peakMB), perRequestMB: Math.round(memory.perRequestMB) },
      image: { width: imageInfo.width, height: imageInfo.height, format: imageInfo.format, channels: imageInfo.channels, bytes: image.length },
      machine,
      traceability: plain
        ? {
            plainP50Ms: Number(plain.p50Ms.toFixed(2)),
            tracedP50Ms: Number(withTrace.p50Ms.toFixed(2)),
            tracedP50Ratio: Number(ratio(withTrace).toFixed(3)),
            viewP50Ms: Number(withView.p50Ms.toFixed(2)),
            viewP50Ratio: Number(ratio(withView).toFixed(3)),
          }
        : null,
      sinks: sinkCost && {
        noSinksP50Ms: Number(sinkCost.variants[0].p50Ms.toFixed(2)),
        sinksP50Ms: Number(sinkCost.variants[1].p50Ms.toFixed(2)),
        p50Ratio: Number(sinkCost.p50Ratio.toFixed(3)),
        noSinksImagesPerSecond: Number(sinkCost.variants[0].imagesPerSecond.toFixed(1)),
        sinksImagesPerSecond: Number(sinkCost.variants[1].imagesPerSecond.toFixed(1)),
        throughputRatio: Number(sinkCost.throughputRatio.toFixed(3)),
        logged: sinkCost.logged,
        delivered: sinkCost.delivered,
      },
    };
    if (options.json) console.log(JSON.stringify(summary));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
