/**
 * Training benchmark for the default recipe (the `fast` preset): a 200-image product (synthetic
 * flanges, 256x256) trained end to end exactly as a retrain does (features, DxMI, export,
 * calibration), and the exported model's latency for one image inside ONNX Runtime.
 *
 *   npm run bench:train -- [--json] [--images N] [--method dxmi|ae|gaussian|knn]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import ort from 'onnxruntime-node';
import { median } from 'simple-statistics';
import { decodeImage } from '../src/image/decode.js';
import { METHODS, type Method } from '../src/model/manifest.js';
import { DEFAULT_RECIPE, trainingConfig } from '../src/jobs/recipe.js';
import { createSession } from '../src/onnx/session.js';
import { generateDataset } from '../src/synth/generate.js';
import { MODEL_INPUT } from '../src/training/inference-model.js';
import { trainProduct } from '../src/training/train-product.js';

const options = new Command()
  .option('--json', 'print only the JSON summary line')
  .option('--images <n>', 'good images of the product', (v) => parseInt(v, 10), 200)
  .option('--method <method>', `one of ${METHODS.join(', ')}`, 'dxmi')
  .option('--models <dir>', 'where converted backbones are cached', 'models')
  .parse()
  .opts<{ json?: boolean; images: number; method: Method; models: string }>();

const dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-bench-train-'));
try {
  const data = path.join(dir, 'product');
  await generateDataset({ out: data, kind: 'flange', seed: 11, train: options.images, testGood: 0, testDefect: 0, width: 256, height: 256 });
  const stages: Record<string, number> = {};
  let stage = '';
  let stageStart = performance.now();
  const started = performance.now();
  const pkg = await trainProduct({
    product: 'bench',
    version: 'v1',
    out: path.join(dir, 'package'),
    ...trainingConfig(DEFAULT_RECIPE, data, options.models, {}),
    method: options.method,
    onProgress: (next, message, fraction) => {
      if (next !== stage) {
        if (stage) stages[stage] = (performance.now() - stageStart) / 1000;
        stage = next;
        stageStart = performance.now();
      }
      if (!options.json && fraction === 1) console.log(`${next}: ${message}`);
    },
  });
  stages[stage] = (performance.now() - stageStart) / 1000;
  const trainSeconds = (performance.now() - started) / 1000;

  // One image at a time through the exported model, inside ONNX Runtime.
  const session = await createSession(pkg.modelPath);
  const image = await decodeImage(await readFile(path.join(data, 'train', 'good', '000.png')), pkg.manifest.input);
  const feeds = { [MODEL_INPUT]: new ort.Tensor('float32', image.data, [1, 3, image.height, image.width]) };
  const times: number[] = [];
  for (let i = 0; i < 43; i++) {
    const t = performance.now();
    await session.run(feeds);
    if (i >= 3) times.push(performance.now() - t);
  }
  await session.release();
  const summary = { trainSeconds: +trainSeconds.toFixed(1), stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, +v.toFixed(1)])), msPerImage: +median(times).toFixed(2), images: options.images, method: options.method };
  if (!options.json) {
    console.log(`${options.images}-image product, ${options.method} (fast preset), ${os.availableParallelism()} cores: trained in ${summary.trainSeconds} s`);
    console.log(`  stages: ${Object.entries(summary.stages).map(([k, v]) => `${k} ${v} s`).join(', ')}`);
    console.log(`  scoring one image inside ONNX Runtime: median ${summary.msPerImage} ms`);
  }
  console.log(JSON.stringify(summary));
} finally {
  await rm(dir, { recursive: true, force: true });
}
