/**
 * Inspection latency while a model trains: `kensa serve` in a child process, a product trained
 * through the jobs API (gaussian on MobileNetV2 features at 224x224, a real model), then
 * inspections sent like a camera does (a fixed rate, not a closed loop) for a while with the
 * server idle, and again while a DxMI training job (the `fast` preset, minutes long) runs in its
 * runner process (nice 19, and stopped while an inspection is in progress). The training job is
 * cancelled afterwards.
 *
 *   npm run bench:retrain -- [--rate N] [--duration S] [--json]
 *
 * Prints p50/p99 of both phases, their ratio (target: p99 while training <= 2x idle), and the
 * machine's load average (other work on the machine shows there). The last line with --json is
 * {"idle": {...}, "training": {...}, "p99Ratio", "loadAverage", "cores"}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { readEvents } from '../src/jobs/server-sent-events.js';
import { ApiKeyStore } from '../src/store/api-keys.js';
import { databasePath, openDatabase } from '../src/store/database.js';
import { generateDataset } from '../src/synth/generate.js';
import { freePort } from '../src/util/free-port.js';

const REPO = path.resolve(import.meta.dirname, '..');
const PRODUCT = 'bench';

interface Phase {
  requests: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface Options {
  rate: number;
  duration: number;
  json: boolean;
}


async function startServer(dataDir: string, modelsDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--models-dir', modelsDir, '--demo', 'false', '--log-level', 'warn'];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`kensa serve exited with code ${child.exitCode}`);
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('kensa serve did not become ready');
}

/** Starts a job on `files`; resolves with its id. */
async function startJob(url: string, key: string, files: string[], query: Record<string, string>): Promise<string> {
  const form = new FormData();
  for (const file of files) form.append('images', new Blob([new Uint8Array(await readFile(file))]), path.basename(file));
  const response = await fetch(`${url}/api/v1/jobs?${new URLSearchParams({ product: PRODUCT, ...query })}`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
  const body = (await response.json()) as { id: string; detail?: string };
  if (response.status !== 202) throw new Error(`the job was refused: ${body.detail}`);
  return body.id;
}

/** Follows a job's events until `until` says stop (or the job ends); returns the last status. */
async function follow(url: string, key: string, id: string, until: (event: string, data: Record<string, unknown>) => boolean): Promise<string> {
  const response = await fetch(`${url}/api/v1/jobs/${id}/events`, { headers: { authorization: `Bearer ${key}` } });
  let status = '';
  for await (const event of readEvents(response.body as unknown as AsyncIterable<Uint8Array>)) {
    const data = JSON.parse(event.data) as Record<string, unknown>;
    if (event.event === 'status') status = String(data.status);
    if (until(event.event, data)) break;
  }
  return status;
}

/** Inspections at a fixed rate for `seconds`, each timed from send to answer. */
async function measure(url: string, key: string, image: Buffer, rate: number, seconds: number): Promise<Phase> {
  const latencies: number[] = [];
  let failed = 0;
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; performance.now() - started < seconds * 1000; i++) {
    const due = started + (i * 1000) / rate;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    const sent = performance.now();
    pending.push(
      fetch(`${url}/api/v1/inspect?product=${PRODUCT}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'image/png' }, body: new Uint8Array(image) }).then(
        async (response) => {
          await response.arrayBuffer();
          if (response.status === 200) latencies.push(performance.now() - sent);
          else failed++;
        },
        () => void failed++,
      ),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { requests: latencies.length + failed, failed, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), maxMs: round(latencies.at(-1) ?? NaN) };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

async function main(): Promise<void> {
  const options = new Command()
    .option('--rate <n>', 'inspections per second', Number, 5)
    .option('--duration <s>', 'seconds per phase', Number, 30)
    .option('--json', 'print the result as JSON (last line)')
    .parse()
    .opts<Options>();

  const root = await mkdtemp(path.join(os.tmpdir(), 'kensa-bench-retrain-'));
  let server: ChildProcess | null = null;
  try {
    const dataDir = path.join(root, 'data');
    const db = openDatabase(databasePath(dataDir));
    const key = new ApiKeyStore(db).create('admin', 'bench').key;
    db.close();
    const dataset = path.join(root, 'dataset');
    await generateDataset({ out: dataset, kind: 'flange', seed: 11, train: 40, testGood: 4, testDefect: 1, width: 224, height: 224 });
    const trainDir = path.join(dataset, 'train', 'good');
    const files = (await readdir(trainDir)).map((name) => path.join(trainDir, name));
    const image = await readFile(path.join(dataset, 'test', 'good', (await readdir(path.join(dataset, 'test', 'good')))[0]));

    const started = await startServer(dataDir, path.join(root, 'models'));
    server = started.child;
    const { url } = started;
    console.error('training the product to inspect with (gaussian, 224x224)');
    const first = await startJob(url, key, files, { method: 'gaussian', inputSize: '224' });
    if ((await follow(url, key, first, () => false)) !== 'succeeded') throw new Error('the first training job failed');

    await measure(url, key, image, options.rate, 2); // warm-up
    console.error(`idle: ${options.duration} s of inspections at ${options.rate}/s`);
    const idle = await measure(url, key, image, options.rate, options.duration);

    const second = await startJob(url, key, files, { method: 'dxmi', inputSize: '224', dxmiPreset: 'fast' });
    let stage = '';
    await follow(url, key, second, (event, data) => {
      stage = String(data.stage ?? stage);
      return event === 'progress';
    });
    console.error(`training (job in stage "${stage}"): ${options.duration} s of inspections at ${options.rate}/s`);
    const loadBefore = os.loadavg();
    const training = await measure(url, key, image, options.rate, options.duration);
    const job = (await (await fetch(`${url}/api/v1/jobs/${second}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { status: string; stage: string; progress: number };
    await fetch(`${url}/api/v1/jobs/${second}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });

    const result = {
      idle,
      training: { ...training, job: { status: job.status, stage: job.stage, progress: Math.round(job.progress * 100) / 100 } },
      p99Ratio: Math.round((training.p99Ms / idle.p99Ms) * 100) / 100,
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
      loadAverageAtTrainingStart: loadBefore.map((l) => Math.round(l * 100) / 100),
      cores: os.availableParallelism(),
      rate: options.rate,
      durationSeconds: options.duration,
    };
    console.log(`idle:     p50 ${idle.p50Ms} ms  p99 ${idle.p99Ms} ms  (${idle.requests} inspections, ${idle.failed} failed)`);
    console.log(`training: p50 ${training.p50Ms} ms  p99 ${training.p99Ms} ms  (${training.requests} inspections, ${training.failed} failed; job ${job.status} in ${job.stage})`);
    console.log(`p99 while training / idle: ${result.p99Ratio} (target <= 2); load average ${result.loadAverage.join(' ')} on ${result.cores} cores`);
    if (options.json) console.log(JSON.stringify(result));
  } finally {
    server?.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await rm(root, { recursive: true, force: true });
  }
}

await main();
