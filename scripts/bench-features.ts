/**
 * Feature-extraction benchmark: decode + resize (sharp) + the feature graph (MobileNetV2 blocks
 * 2/5/9/10 on the stride-8 grid, ONNX Runtime), pipelined and batched exactly as training and
 * evaluation run it, for 900x900 RGB PNGs (the MVTec AD size) and 1280x1024 grayscale JPEGs.
 * In the same run it times decoding + resizing alone (same batches, same parallelism: the limit the
 * pipeline can reach) and the feature graph alone, and reports the pipeline's share of the decode
 * limit (ratioToDecodeLimit) and how much of the smaller stage hides behind the other (overlap).
 *
 *   npm run bench:features -- [--json] [--images N] [--batch N] [--size N] [--backbone NAME]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import sharp from 'sharp';
import { median } from 'simple-statistics';
import { loadBackbone } from '../src/backbones/index.js';
import { FeatureExtractor } from '../src/features/extractor.js';
import { packBatch } from '../src/image/batch.js';
import { decodeImage } from '../src/image/decode.js';
import type { InputSpec } from '../src/model/manifest.js';
import { imageBatches } from '../src/training/image-batches.js';
import { generateDataset } from '../src/synth/generate.js';
import { describeMachine, measureMachine } from './lib/machine.js';
import { timeRuns } from './lib/time-runs.js';

const options = new Command()
  .option('--json', 'print only the JSON summary line')
  .option('--images <n>', 'images per case', (v) => parseInt(v, 10), 64)
  .option('--batch <n>', 'images per ONNX Runtime run', (v) => parseInt(v, 10), 8)
  .option('--size <n>', 'model input side (fill)', (v) => parseInt(v, 10), 224)
  .option('--backbone <name>', 'backbone', 'mobilenet_v2')
  .option('--models <dir>', 'where converted backbones are cached', 'models')
  .parse()
  .opts<{ json?: boolean; images: number; batch: number; size: number; backbone: string; models: string }>();

const log = (line: string): void => {
  if (!options.json) console.log(line);
};

/** Realistic content (a machined part with texture and noise), scaled up to the camera size. */
async function makeImages(dir: string, count: number, width: number, height: number, format: 'png' | 'jpeg'): Promise<string[]> {
  const synth = await generateDataset({ out: path.join(dir, `synth-${format}`), kind: format === 'png' ? 'flange' : 'metal', seed: 1, train: count, testGood: 0, testDefect: 0, width: 256, height: 256 });
  const sources = synth.images.filter((i) => i.split === 'train').map((i) => i.image);
  return Promise.all(
    sources.map(async (source, i) => {
      const file = path.join(dir, `${format}-${i}.${format === 'png' ? 'png' : 'jpg'}`);
      let pipeline = sharp(source).resize(width, height);
      pipeline = format === 'png' ? pipeline.toColourspace('srgb').png() : pipeline.grayscale().jpeg({ quality: 92 });
      await pipeline.toFile(file);
      return file;
    }),
  );
}

interface CaseResult {
  imagesPerSecond: number;
  msPerImage: number;
  /** Decoding + resizing alone, batched and a batch ahead exactly as in the pipeline. */
  decodeLimitImagesPerSecond: number;
  /** Pipeline throughput as a share of decoding alone: the feature graph's cost, as far as it does not overlap. */
  ratioToDecodeLimit: number;
  decodeMs: number;
  /** The feature graph alone, per image at the batch size. */
  featureMs: number;
  /** Share of the smaller stage hidden behind the other: (decode + features - pipeline) / min(decode, features). */
  overlap: number;
}

/** Wall seconds of decoding every image in batches (one batch ahead), handing each batch to `consume`. */
async function timeBatches(bytes: Buffer[], input: InputSpec, consume: (batch: { data: Float32Array; dims: [number, number, number, number] }) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for await (const b of imageBatches(bytes.length, (i) => decodeImage(bytes[i], input), options.batch)) await consume(b);
  return (performance.now() - started) / 1000;
}

async function runCase(name: string, files: string[], extractor: FeatureExtractor, input: InputSpec): Promise<CaseResult> {
  const bytes = await Promise.all(files.map((f) => readFile(f)));
  const decodeSeconds = await timeBatches(bytes, input, async () => undefined);
  // The feature graph alone, on a batch already decoded: per image.
  const decoded = await Promise.all(bytes.slice(0, options.batch).map((b) => decodeImage(b, input)));
  const batch = packBatch(decoded);
  const featureTimes = (await timeRuns(5, 1, () => extractor.run(batch.data, batch.dims))).map((ms) => ms / decoded.length);
  const seconds = await timeBatches(bytes, input, (b) => extractor.run(b.data, b.dims));
  const msPerImage = (seconds * 1000) / bytes.length;
  const decodeMs = (decodeSeconds * 1000) / bytes.length;
  const featureMs = median(featureTimes);
  const result = {
    imagesPerSecond: +(bytes.length / seconds).toFixed(1),
    msPerImage: +msPerImage.toFixed(2),
    decodeLimitImagesPerSecond: +(bytes.length / decodeSeconds).toFixed(1),
    ratioToDecodeLimit: +(decodeSeconds / seconds).toFixed(3),
    decodeMs: +decodeMs.toFixed(2),
    featureMs: +featureMs.toFixed(2),
    overlap: +((decodeMs + featureMs - msPerImage) / Math.min(decodeMs, featureMs)).toFixed(2),
  };
  log(
    `${name.padEnd(28)} ${String(result.imagesPerSecond).padStart(7)} images/s  ${String(result.msPerImage).padStart(6)} ms/image   ` +
      `decode alone ${result.decodeLimitImagesPerSecond} images/s (ratio ${result.ratioToDecodeLimit}); per image: decode ${result.decodeMs} ms, features ${result.featureMs} ms, overlap ${result.overlap}`,
  );
  return result;
}

const machine = await measureMachine();
const dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-bench-features-'));
try {
  log(describeMachine(machine));
  const backbone = await loadBackbone(options.backbone, options.models);
  const extractor = await FeatureExtractor.create({ backbone, stride: 8, normalize: false });
  const input: InputSpec = { policy: 'fill', size: options.size, multiple: 16 };
  log(`decode + resize to ${options.size}x${options.size} + ${options.backbone} features (stride 8, ${extractor.channels} channels), batch ${options.batch}, ${os.availableParallelism()} cores`);
  const png = await runCase('900x900 RGB PNG', await makeImages(dir, options.images, 900, 900, 'png'), extractor, input);
  const jpeg = await runCase('1280x1024 grayscale JPEG', await makeImages(dir, options.images, 1280, 1024, 'jpeg'), extractor, input);
  await extractor.release();
  console.log(JSON.stringify({ ...png, jpeg, machine }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
