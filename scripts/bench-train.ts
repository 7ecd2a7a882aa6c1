/**
 * Training benchmark for the default recipe (the `fast` preset): a 200-image product (synthetic
 * flanges, 256x256) trained end to end exactly as a retrain does (features, DxMI, export,
 * calibration), and the exported model's latency for one image inside ONNX Runtime.
 *
 * For DxMI methods, in the same run, the engine's floor for that stage (lib/dxmi-floor.ts): the
 * same networks, at the same rows, as plain forward+backward steps, as many iterations as DxMI
 * ran. DxMI's time per iteration comes from its progress reports (every 20 iterations, so
 * compiling the graphs is not counted); `dxmi.ratioToFloor` is DxMI's time over the floor's.
 *
 *   npm run bench:train -- [--json] [--images N] [--method dxmi|ae|gaussian|knn] [--device cpu|cuda|webgpu]
 *                          [--iterations N]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import ort from 'onnxruntime-node';
import { median } from 'simple-statistics';
import { decodeImage } from '../src/image/decode.js';
import { DxmiConfigSchema, type DxmiConfig } from '../src/dxmi/config.js';
import { METHODS, type Manifest, type Method } from '../src/model/manifest.js';
import { DEFAULT_RECIPE, trainingConfig } from '../src/jobs/recipe.js';
import { positionEmbeddingDim } from '../src/methods/position-embedding.js';
import { createSession, DEVICES, type Device } from '../src/onnx/session.js';
import { generateDataset } from '../src/synth/generate.js';
import { MODEL_INPUT } from '../src/training/inference-model.js';
import { trainProduct } from '../src/training/train-product.js';
import { dxmiFloorMsPerIteration, type DxmiShape } from './lib/dxmi-floor.js';
import { describeMachine, measureMachine } from './lib/machine.js';

const options = new Command()
  .option('--json', 'print only the JSON summary line')
  .option('--images <n>', 'good images of the product', (v) => parseInt(v, 10), 200)
  .option('--method <method>', `one of ${METHODS.join(', ')}`, 'dxmi')
  .option('--models <dir>', 'where converted backbones are cached', 'models')
  .option('--device <device>', `execution provider: ${DEVICES.join(', ')}`, 'cpu')
  .option('--iterations <n>', 'cap on DxMI iterations (default: the preset\'s)', (v) => parseInt(v, 10))
  .parse()
  .opts<{ json?: boolean; images: number; method: Method; models: string; device: Device; iterations?: number }>();
const session = { device: options.device };
const recipe = options.iterations ? { ...DEFAULT_RECIPE, dxmi: { ...DEFAULT_RECIPE.dxmi, maxIterations: options.iterations } } : DEFAULT_RECIPE;

/** The rows DxMI trained on, from the manifest: the residual energy's base channels and position embedding, or the features. */
function dxmiShape(manifest: Manifest): { config: DxmiConfig; shape: DxmiShape } {
  const recorded = manifest.training.config as { base?: { kind: string; channels: number } };
  const config = DxmiConfigSchema.parse(recorded);
  if (config.energy.kind !== 'residual' || !recorded.base) return { config, shape: { batch: config.batch, dim: manifest.backbone.channels, conditionDim: 0 } };
  const conditionDim = recorded.base.kind !== 'pooled' ? positionEmbeddingDim(config.energy.positionFrequencies) : 0;
  return { config, shape: { batch: config.batch, dim: recorded.base.channels, conditionDim } };
}

/** "DxMI 40/1000 ...": the iteration a progress report is at, and of how many. */
const DXMI_PROGRESS = /^DxMI (\d+)\/(\d+)/;

const machine = await measureMachine(options.device);
const dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-bench-train-'));
try {
  const data = path.join(dir, 'product');
  await generateDataset({ out: data, kind: 'flange', seed: 11, train: options.images, testGood: 0, testDefect: 0, width: 256, height: 256 });
  const stages: Record<string, number> = {};
  let stage = '';
  let stageStart = performance.now();
  const dxmiReports: { at: number; iteration: number; iterations: number }[] = [];
  const started = performance.now();
  const pkg = await trainProduct({
    product: 'bench',
    version: 'v1',
    out: path.join(dir, 'package'),
    ...trainingConfig(recipe, data, options.models, session),
    method: options.method,
    onProgress: (next, message, fraction) => {
      const dxmi = DXMI_PROGRESS.exec(message);
      if (dxmi) dxmiReports.push({ at: performance.now(), iteration: Number(dxmi[1]), iterations: Number(dxmi[2]) });
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
  const scorer = await createSession(pkg.modelPath, session);
  const image = await decodeImage(await readFile(path.join(data, 'train', 'good', '000.png')), pkg.manifest.input);
  const feeds = { [MODEL_INPUT]: new ort.Tensor('float32', image.data, [1, 3, image.height, image.width]) };
  const times: number[] = [];
  for (let i = 0; i < 43; i++) {
    const t = performance.now();
    await scorer.run(feeds);
    if (i >= 3) times.push(performance.now() - t);
  }
  await scorer.release();

  let dxmi = null;
  if (dxmiReports.length >= 2) {
    const [first, last] = [dxmiReports[0], dxmiReports[dxmiReports.length - 1]];
    const msPerIteration = (last.at - first.at) / (last.iteration - first.iteration);
    const { config, shape } = dxmiShape(pkg.manifest);
    const floorMs = await dxmiFloorMsPerIteration(config, shape, session, 20);
    // A multi-scale recipe runs DxMI once per pass (the coarse pass's reports carry a prefix; its networks are the same size).
    const passes = (pkg.manifest.training.config.scales as unknown[] | undefined)?.length ?? 1;
    dxmi = {
      iterations: last.iterations,
      passes,
      ...shape,
      msPerIteration: +msPerIteration.toFixed(2),
      floorMsPerIteration: +floorMs.toFixed(2),
      seconds: +((msPerIteration * last.iterations * passes) / 1000).toFixed(1),
      floorSeconds: +((floorMs * last.iterations * passes) / 1000).toFixed(1),
      ratioToFloor: +(msPerIteration / floorMs).toFixed(3),
    };
  }
  const summary = { trainSeconds: +trainSeconds.toFixed(1), stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, +v.toFixed(1)])), msPerImage: +median(times).toFixed(2), images: options.images, method: options.method, device: options.device, dxmi, machine };
  if (!options.json) {
    console.log(describeMachine(machine));
    console.log(`${options.images}-image product, ${options.method} (fast preset), ${os.availableParallelism()} cores: trained in ${summary.trainSeconds} s`);
    console.log(`  stages: ${Object.entries(summary.stages).map(([k, v]) => `${k} ${v} s`).join(', ')}`);
    console.log(`  scoring one image inside ONNX Runtime: median ${summary.msPerImage} ms`);
    if (dxmi) {
      console.log(
        `  DxMI: ${dxmi.passes} x ${dxmi.iterations} iterations (N ${dxmi.batch}, D ${dxmi.dim}, C ${dxmi.conditionDim}), ${dxmi.msPerIteration} ms each (${dxmi.seconds} s); ` +
          `plain forward+backward steps of the same networks ${dxmi.floorMsPerIteration} ms (${dxmi.floorSeconds} s); ratio ${dxmi.ratioToFloor}`,
      );
    }
  }
  console.log(JSON.stringify(summary));
} finally {
  await rm(dir, { recursive: true, force: true });
}
