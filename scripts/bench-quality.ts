/**
 * What measuring image quality costs the inspect path: `kensa serve` in a child process answers
 * posts of a 900x900 part PNG one at a time (the p50 a camera sees), and in the same run, in
 * rounds alternating with the posts so that other work on the machine falls on both alike, this
 * process times measureQuality on that image decoded to the model's input, as the server runs it
 * for every inspection. The server measures quality while the image's batch waits and runs, so
 * its share of the p50 is at most its own time; the target is 5%. Beside it, the drift checks an
 * inspection may run before it is answered (a full window of the default 100 frames: five
 * Kolmogorov-Smirnov distances and the NG-rate test).
 *
 *   npm run bench:quality -- [--model DIR] [--rounds N] [--posts N] [--json]
 *
 * Without --model, a gaussian model is trained first on 60 synthetic flanges with the default
 * recipe (320x320 input and a coarse pass). The last line with --json is
 * {"inspectP50Ms","serverTotalP50Ms","qualityP50Ms","qualityShareOfP50","driftCheckP50Ms","driftCheckShareOfP50","target","input","model","cpu","posts"}.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { quantile } from 'simple-statistics';
import { checkWindow, type Frame } from '../src/health/drift-checks.js';
import { measureQuality } from '../src/health/image-quality.js';
import { buildReference } from '../src/health/reference.js';
import { DEFAULT_LINE_HEALTH_SETTINGS } from '../src/health/settings.js';
import { decodeImage } from '../src/image/decode.js';
import { DEFAULT_RECIPE, trainingConfig } from '../src/jobs/recipe.js';
import { readModelPackage, type ModelPackage } from '../src/model/model-package.js';
import { ApiKeyStore } from '../src/store/api-keys.js';
import { databasePath, openDatabase } from '../src/store/database.js';
import { generateDataset } from '../src/synth/generate.js';
import { trainProduct } from '../src/training/train-product.js';
import { ServerProcess } from './lib/server-process.js';
import { syntheticPartPng } from './lib/synthetic-part.js';

const TARGET = 0.05;
const WARM_UP_POSTS = 20;
/** Quality measurements per round: enough for a stable median of a sub-millisecond step. */
const QUALITY_RUNS = 200;

const options = new Command()
  .option('--model <dir>', 'a model package to serve (default: a gaussian trained on synthetic flanges)')
  .option('--rounds <n>', 'rounds of posts and quality timings', (v) => parseInt(v, 10), 5)
  .option('--posts <n>', 'posts per round', (v) => parseInt(v, 10), 40)
  .option('--json', 'print only the JSON summary line')
  .parse()
  .opts<{ model?: string; rounds: number; posts: number; json?: boolean }>();
const log = (line: string) => {
  if (!options.json) console.log(line);
};

async function benchModel(root: string): Promise<ModelPackage> {
  if (options.model) return readModelPackage(path.resolve(options.model));
  const data = path.join(root, 'flanges');
  await generateDataset({ out: data, kind: 'flange', seed: 11, train: 60, testGood: 0, testDefect: 0, width: 256, height: 256 });
  log(`training a gaussian model on 60 synthetic flanges (${DEFAULT_RECIPE.input.size}x${DEFAULT_RECIPE.input.size} input)`);
  return trainProduct({ product: 'bench', version: 'v1', out: path.join(root, 'package'), ...trainingConfig(DEFAULT_RECIPE, data, 'models', {}), method: 'gaussian' });
}

/** One post at a time; each answer's latency as the client saw it, and the server's own total. */
async function posts(server: ServerProcess, product: string, key: string, image: Buffer, count: number): Promise<{ clientMs: number[]; serverMs: number[] }> {
  const clientMs: number[] = [];
  const serverMs: number[] = [];
  for (let n = 0; n < count; n++) {
    const started = performance.now();
    const response = await fetch(`${server.url}/api/v1/inspect?product=${encodeURIComponent(product)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'image/png' },
      body: new Uint8Array(image),
    });
    const body = (await response.json()) as { timings?: { totalMs: number }; detail?: string };
    clientMs.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`inspect answered ${response.status}: ${body.detail}`);
    serverMs.push(body.timings!.totalMs);
  }
  return { clientMs, serverMs };
}

const root = await mkdtemp(path.join(os.tmpdir(), 'kensa-bench-quality-'));
try {
  const pkg = await benchModel(root);
  const { product, version, input } = pkg.manifest;
  const modelsDir = path.join(root, 'models');
  const dataDir = path.join(root, 'data');
  await cp(pkg.dir, path.join(modelsDir, product, version), { recursive: true });
  const db = openDatabase(databasePath(dataDir));
  const key = new ApiKeyStore(db).create('camera', 'bench').key;
  db.close();

  const image = await syntheticPartPng();
  const decoded = await decodeImage(image, input);
  // a full window of frames like this one, and a reference of the same: the checks' work does not depend on the values
  const quality = measureQuality(decoded.data, decoded.width, decoded.height);
  const settings = DEFAULT_LINE_HEALTH_SETTINGS.drift;
  const frames: Frame[] = Array.from({ length: settings.window }, (_, n) => ({
    inspectionId: String(n),
    createdMs: n,
    decision: 'OK',
    rawScore: 1 + (n % 10) / 10,
    threshold: 3,
    quality: { ...quality, brightness: quality.brightness * (1 + (n % 7) / 100) },
  }));
  const reference = buildReference(frames.map((f) => ({ rawScore: f.rawScore, quality: f.quality! })));
  const server = await ServerProcess.start({ 'models-dir': modelsDir, 'data-dir': dataDir });
  const clientMs: number[] = [];
  const serverMs: number[] = [];
  const qualityMs: number[] = [];
  const checkMs: number[] = [];
  try {
    await posts(server, product, key, image, WARM_UP_POSTS);
    for (let round = 0; round < options.rounds; round++) {
      const answered = await posts(server, product, key, image, options.posts);
      clientMs.push(...answered.clientMs);
      serverMs.push(...answered.serverMs);
      for (let n = 0; n < QUALITY_RUNS; n++) {
        const started = performance.now();
        measureQuality(decoded.data, decoded.width, decoded.height);
        qualityMs.push(performance.now() - started);
        const checked = performance.now();
        checkWindow(frames, { ng: 10, count: settings.ngBaseline }, reference, settings);
        checkMs.push(performance.now() - checked);
      }
    }
  } finally {
    await server.stop();
  }

  const p50 = (values: number[]) => quantile(values, 0.5);
  const summary = {
    inspectP50Ms: round(p50(clientMs)),
    serverTotalP50Ms: round(p50(serverMs)),
    qualityP50Ms: round(p50(qualityMs), 4),
    qualityShareOfP50: round(p50(qualityMs) / p50(clientMs), 4),
    driftCheckP50Ms: round(p50(checkMs), 4),
    driftCheckShareOfP50: round(p50(checkMs) / p50(clientMs), 4),
    target: TARGET,
    input: `${decoded.width}x${decoded.height} (${input.policy} ${input.size}) from ${image.length} bytes of 900x900 PNG`,
    model: `${product}/${version} (${pkg.manifest.method})`,
    cpu: `${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}`,
    posts: clientMs.length,
  };
  log(`inspect p50 ${summary.inspectP50Ms} ms at the client (${summary.serverTotalP50Ms} ms inside the server), ${summary.posts} posts at concurrency 1`);
  log(`image quality p50 ${summary.qualityP50Ms} ms on ${summary.input}`);
  log(`share of the inspect p50: ${(100 * summary.qualityShareOfP50).toFixed(2)}% (target at most ${100 * TARGET}%) on ${summary.cpu}`);
  log(`drift checks on a full window of ${settings.window}: p50 ${summary.driftCheckP50Ms} ms, ${(100 * summary.driftCheckShareOfP50).toFixed(2)}% of the inspect p50`);
  console.log(JSON.stringify(summary));
  if (summary.qualityShareOfP50 > TARGET) process.exitCode = 1;
} finally {
  await rm(root, { recursive: true, force: true });
}

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
