/**
 * Feature-extraction benchmark: decode + resize (sharp) + the feature graph (MobileNetV2 blocks
 * 2/5/9/10 on the stride-8 grid, ONNX Runtime), pipelined and batched exactly as training and
 * evaluation run it, for 900x900 RGB PNGs (the MVTec AD size) and 1280x1024 grayscale JPEGs.
 * It also times decoding alone and the feature graph alone, to show where the time goes.
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
  decodeMs: number;
  featureMs: number;
}

async function runCase(name: string, files: string[], extractor: FeatureExtractor, input: InputSpec): Promise<CaseResult> {
  const bytes = await Promise.all(files.map((f) => readFile(f)));
  // Decoding alone: one image at a time, median.
  const decodeTimes: number[] = [];
  for (const b of bytes.slice(0, 16)) {
    const started = performance.now();
    await decodeImage(b, input);
    decodeTimes.push(performance.now() - started);
  }
  // The feature graph alone, on a batch already decoded: per image.
  const decoded = await Promise.all(bytes.slice(0, options.batch).map((b) => decodeImage(b, input)));
  const batch = packBatch(decoded);
  const featureTimes: number[] = [];
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    await extractor.run(batch.data, batch.dims);
    if (i > 0) featureTimes.push((performance.now() - started) / decoded.length);
  }
  // The real pipeline: decoding runs a batch ahead of the feature graph.
  const started = performance.now();
  for await (const b of imageBatches(bytes.length, (i) => decodeImage(bytes[i], input), options.batch)) await extractor.run(b.data, b.dims);
  const seconds = (performance.now() - started) / 1000;
  const result = {
    imagesPerSecond: +(bytes.length / seconds).toFixed(1),
    msPerImage: +((seconds * 1000) / bytes.length).toFixed(2),
    decodeMs: +median(decodeTimes).toFixed(2),
    featureMs: +median(featureTimes).toFixed(2),
  };
  log(`${name.padEnd(28)} ${String(result.imagesPerSecond).padStart(7)} images/s  ${String(result.msPerImage).padStart(6)} ms/image   decode ${result.decodeMs} ms, features ${result.featureMs} ms per image`);
  return result;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-bench-features-'));
try {
  const backbone = await loadBackbone(options.backbone, options.models);
  const extractor = await FeatureExtractor.create({ backbone, stride: 8, normalize: false });
  const input: InputSpec = { policy: 'fill', size: options.size, multiple: 16 };
  log(`decode + resize to ${options.size}x${options.size} + ${options.backbone} features (stride 8, ${extractor.channels} channels), batch ${options.batch}, ${os.availableParallelism()} cores`);
  const png = await runCase('900x900 RGB PNG', await makeImages(dir, options.images, 900, 900, 'png'), extractor, input);
  const jpeg = await runCase('1280x1024 grayscale JPEG', await makeImages(dir, options.images, 1280, 1024, 'jpeg'), extractor, input);
  await extractor.release();
  console.log(JSON.stringify({ ...png, jpeg }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
