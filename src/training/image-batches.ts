/**
 * Decoded images in batches for a model: decoding (sharp, on the libuv pool) runs one batch
 * ahead of the caller's ONNX Runtime work (on the main thread), and each yielded batch holds
 * images of one size, so aspect-preserving inputs batch wherever sizes happen to agree.
 */
import { packBatch } from '../image/batch.js';
import type { DecodedImage } from '../image/decode.js';

export interface ImageBatch {
  /** Positions of the batch's images in the input list. */
  indices: number[];
  images: DecodedImage[];
  data: Float32Array;
  dims: [number, number, number, number];
}

/**
 * @param load decodes image `index`, or returns null when the caller needs no decoding for it
 *   (a cache hit); failures propagate
 */
export async function* imageBatches(count: number, load: (index: number) => Promise<DecodedImage | null>, batchSize: number, signal?: AbortSignal): AsyncGenerator<ImageBatch> {
  const loadChunk = (start: number): Promise<(DecodedImage | null)[]> => {
    const chunk = Promise.all(Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => load(start + i)));
    chunk.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
    return chunk;
  };
  let pending = count > 0 ? loadChunk(0) : null;
  for (let start = 0; start < count; start += batchSize) {
    if (signal?.aborted) throw new Error('cancelled');
    const decoded = await pending!;
    pending = start + batchSize < count ? loadChunk(start + batchSize) : null;
    const groups = new Map<string, number[]>();
    decoded.forEach((image, i) => {
      if (!image) return;
      const key = `${image.width}x${image.height}`;
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    for (const members of groups.values()) {
      const images = members.map((i) => decoded[i]!);
      const batch = packBatch(images);
      yield { indices: members.map((i) => start + i), images, data: batch.data, dims: batch.dims };
    }
  }
}
