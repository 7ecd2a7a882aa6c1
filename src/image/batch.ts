/**
 * Several decoded images of the same size as one NCHW float32 batch (the model's "image" input).
 * To skip even this copy, allocate the batch with `allocateBatch` and decode each image straight
 * into its slot (`decodeImage(..., { out: batchSlot(batch, i) })`).
 */
import type { PlanarImage } from './planar.js';

export interface Batch {
  /** N x 3 x H x W, float32. */
  data: Float32Array;
  dims: [number, number, number, number];
}

export function allocateBatch(count: number, width: number, height: number): Batch {
  if (!(count > 0 && width > 0 && height > 0)) throw new RangeError(`invalid batch ${count}x3x${height}x${width}`);
  return { data: new Float32Array(count * 3 * width * height), dims: [count, 3, height, width] };
}

/** The slot of image `index` in `batch` (a view, no copy). */
export function batchSlot(batch: Batch, index: number): Float32Array {
  const [count, channels, height, width] = batch.dims;
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`index ${index} outside a batch of ${count}`);
  const size = channels * height * width;
  return batch.data.subarray(index * size, (index + 1) * size);
}

/** Copies `images` (all the same width and height) into one new batch buffer. */
export function packBatch(images: readonly PlanarImage[]): Batch {
  if (images.length === 0) throw new RangeError('cannot pack an empty batch');
  const { width, height } = images[0];
  const batch = allocateBatch(images.length, width, height);
  images.forEach((image, i) => {
    if (image.width !== width || image.height !== height) {
      throw new RangeError(`image ${i} is ${image.width}x${image.height}, the batch is ${width}x${height}`);
    }
    const slot = batchSlot(batch, i);
    if (image.data.length !== slot.length) throw new RangeError(`image ${i} holds ${image.data.length} floats, ${slot.length} expected`);
    slot.set(image.data);
  });
  return batch;
}
