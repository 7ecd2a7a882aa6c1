/**
 * Raw scores and anomaly maps of image files from an exported model, for calibration and
 * evaluation (the server adds normalization and regions on top of the same outputs).
 */
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { measureQuality, type ImageQuality } from '../health/image-quality.js';
import { decodeImage, type ImageInfo } from '../image/decode.js';
import type { InputSpec } from '../model/manifest.js';
import { createSession, type SessionConfig } from '../onnx/session.js';
import { imageBatches } from './image-batches.js';
import { MODEL_INPUT } from './inference-model.js';

export interface ScoredImage {
  score: number;
  /** Raw anomaly map at the model input's size, [height, width]. */
  map: Float32Array;
  width: number;
  height: number;
  original: ImageInfo;
  /** Image quality of the model input, as the server measures it on every inspection. */
  quality: ImageQuality;
}

export interface ScoringRun {
  images: ScoredImage[];
  /** Median time inside ONNX Runtime per image (batched runs divided by their size). */
  msPerImage: number;
}

export async function scoreImages(
  model: Uint8Array | string,
  files: readonly string[],
  input: InputSpec,
  options: { session?: SessionConfig; batchSize?: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<ScoringRun> {
  const session = await createSession(model, options.session);
  const images: ScoredImage[] = new Array(files.length);
  const perImage: number[] = [];
  let done = 0;
  try {
    const load = async (index: number) => decodeImage(await readFile(files[index]), input);
    for await (const batch of imageBatches(files.length, load, options.batchSize ?? 8, options.signal)) {
      const started = performance.now();
      const out = await session.run({ [MODEL_INPUT]: new ort.Tensor('float32', batch.data, batch.dims) });
      perImage.push((performance.now() - started) / batch.indices.length);
      const [, , h, w] = batch.dims;
      const maps = out.anomaly_map.data as Float32Array;
      const scores = out.score.data as Float32Array;
      batch.indices.forEach((index, k) => {
        const quality = measureQuality(batch.images[k].data, w, h);
        images[index] = { score: scores[k], map: maps.slice(k * h * w, (k + 1) * h * w), width: w, height: h, original: batch.images[k].original, quality };
      });
      done += batch.indices.length;
      options.onProgress?.(done, files.length);
    }
  } finally {
    await session.release();
  }
  perImage.sort((a, b) => a - b);
  return { images, msPerImage: perImage.length > 0 ? perImage[Math.floor(perImage.length / 2)] : NaN };
}
