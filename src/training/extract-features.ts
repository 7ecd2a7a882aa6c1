/**
 * Feature maps of a list of image files, batched (see image-batches.ts), optionally cached on
 * disk by image content and feature configuration.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FeatureExtractor } from '../features/extractor.js';
import { decodeImage, type DecodedImage } from '../image/decode.js';
import { imageBatches } from './image-batches.js';
import type { InputSpec } from '../model/manifest.js';
import type { FeatureSet } from '../methods/method.js';

export interface ExtractOptions {
  extractor: FeatureExtractor;
  input: InputSpec;
  /** Images per ONNX Runtime run when their sizes agree. */
  batchSize?: number;
  /** Folder for cached feature maps; `cacheKey` names the feature configuration. */
  cache?: { dir: string; key: string };
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ExtractedFeatures extends FeatureSet {
  /** sha256 of each image's bytes, in input order (the training-set digest uses them). */
  hashes: string[];
}

const HEADER_BYTES = 12;

async function readCached(file: string): Promise<{ data: Float32Array; height: number; width: number } | undefined> {
  const bytes = await readFile(file).catch(() => null);
  if (!bytes || bytes.length < HEADER_BYTES) return undefined;
  const [channels, height, width] = [bytes.readUInt32LE(0), bytes.readUInt32LE(4), bytes.readUInt32LE(8)];
  if (bytes.length !== HEADER_BYTES + channels * height * width * 4) return undefined;
  return { data: new Float32Array(new Uint8Array(bytes.subarray(HEADER_BYTES)).buffer), height, width };
}

async function writeCached(file: string, channels: number, map: { data: Float32Array; height: number; width: number }): Promise<void> {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(channels, 0);
  header.writeUInt32LE(map.height, 4);
  header.writeUInt32LE(map.width, 8);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, Buffer.concat([header, Buffer.from(map.data.buffer, map.data.byteOffset, map.data.byteLength)]));
  await rename(temporary, file);
}

export async function extractFeatures(files: readonly string[], options: ExtractOptions): Promise<ExtractedFeatures> {
  const { extractor } = options;
  const batchSize = options.batchSize ?? 8;
  const channels = extractor.channels;
  if (options.cache) await mkdir(options.cache.dir, { recursive: true });
  const cacheFile = (hash: string): string => path.join(options.cache!.dir, `${createHash('sha256').update(`${options.cache!.key}:${hash}`).digest('hex')}.f32`);

  const maps: ExtractedFeatures['maps'][number][] = new Array(files.length);
  const hashes: string[] = new Array(files.length);
  let done = 0;
  const load = async (index: number): Promise<DecodedImage | null> => {
    const file = files[index];
    const bytes = await readFile(file);
    const hash = (hashes[index] = createHash('sha256').update(bytes).digest('hex'));
    const cached = options.cache ? await readCached(cacheFile(hash)) : undefined;
    if (cached) {
      maps[index] = cached;
      done++;
      return null;
    }
    try {
      return await decodeImage(bytes, options.input);
    } catch (error) {
      throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };

  for await (const batch of imageBatches(files.length, load, batchSize, options.signal)) {
    const result = await extractor.run(batch.data, batch.dims);
    const [, , h, w] = result.dims;
    const size = channels * h * w;
    for (const [k, index] of batch.indices.entries()) {
      const map = { data: result.data.slice(k * size, (k + 1) * size), height: h, width: w };
      maps[index] = map;
      if (options.cache) await writeCached(cacheFile(hashes[index]), channels, map);
    }
    done += batch.indices.length;
    options.onProgress?.(done, files.length);
  }
  return { channels, maps, hashes };
}
