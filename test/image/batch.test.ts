import { describe, expect, it } from 'vitest';
import { allocateBatch, batchSlot, packBatch } from '../../src/image/batch.js';
import { decodeImage } from '../../src/image/decode.js';
import { pattern8, png } from './fixtures.js';

describe('batches', () => {
  it('packs same-size planar images as NCHW', () => {
    const image = (base: number) => ({ width: 3, height: 2, data: Float32Array.from({ length: 18 }, (_, i) => base + i) });
    const batch = packBatch([image(0), image(100)]);
    expect(batch.dims).toEqual([2, 3, 2, 3]);
    expect(batch.data).toHaveLength(36);
    // image 1, channel 2, y 1, x 0 -> 18 + 2*6 + 1*3 + 0
    expect(batch.data[18 + 12 + 3]).toBe(100 + 15);
    expect(batch.data[17]).toBe(17);
  });

  it('refuses mixed sizes and empty batches', () => {
    const a = { width: 2, height: 2, data: new Float32Array(12) };
    const b = { width: 2, height: 3, data: new Float32Array(18) };
    expect(() => packBatch([a, b])).toThrow(/image 1 is 2x3, the batch is 2x2/);
    expect(() => packBatch([])).toThrow(RangeError);
  });

  it('decodes straight into batch slots, no copy', async () => {
    const spec = { policy: 'fill', size: 8, multiple: 8 } as const;
    const batch = allocateBatch(2, 8, 8);
    const first = await png(pattern8(10, 10, 3), 10, 10, 3);
    const second = await png(new Uint8Array(300).fill(255), 10, 10, 3);
    await decodeImage(first, spec, { out: batchSlot(batch, 0) });
    await decodeImage(second, spec, { out: batchSlot(batch, 1) });
    const reference = await decodeImage(first, spec);
    expect(Array.from(batch.data.subarray(0, 192))).toEqual(Array.from(reference.data));
    expect(batch.data.subarray(192).every((v) => v === 1)).toBe(true);
    expect(() => batchSlot(batch, 2)).toThrow(RangeError);
  });
});
