/**
 * BMP pixels are unpacked on their own thread: the event loop keeps answering while a large BMP
 * decodes, and the pixels are exactly those of the same picture decoded by sharp.
 */
import { randomFillSync } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { canonicalBmp, readBmpHeader, unpackBmp } from '../../src/image/bmp.js';
import { decodeImage, decodeToSize } from '../../src/image/decode.js';
import { png, rawBmp } from './fixtures.js';

/** A 24-bit BMP of random pixels, and its rows top row first. */
function randomBmp(width: number, height: number, topDown: boolean) {
  const rows = Array.from({ length: height }, () => randomFillSync(new Uint8Array(width * 3)));
  // BMP stores blue, green, red
  const bgr = rows.map((row) => row.map((_, i) => row[i - (i % 3) + 2 - (i % 3)]));
  return { bytes: rawBmp({ width, height: topDown ? -height : height, bitsPerPixel: 24, rows: bgr }), rgb: Buffer.concat(rows) };
}

describe('BMP unpacking off the event loop', () => {
  it('keeps the event loop answering while a 24-megapixel BMP decodes', async () => {
    const width = 6000;
    const height = 4000;
    const bytes = rawBmp({ width, height, bitsPerPixel: 24, rows: [] });
    randomFillSync(bytes, 54);
    const input = { policy: 'fill', size: 256, multiple: 1 } as const;
    await decodeImage(randomBmp(8, 8, false).bytes, input); // the thread's start is not what is measured

    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    await setTimeout(20); // the monitor records from its second tick on
    const started = performance.now();
    const image = await decodeImage(bytes, input);
    const decodeMs = performance.now() - started;
    lag.disable();

    expect(image.original).toMatchObject({ format: 'bmp', width, height });
    // The yardstick, measured on this machine in this run: the unpack done on the event loop, which
    // is how long it held the loop before (0.4 s and more on 2 cores). What is left there now is one
    // copy of the 72 MB pixel array (tens of milliseconds).
    const header = readBmpHeader(bytes);
    const canonical = canonicalBmp(bytes, header);
    const unpackStarted = performance.now();
    unpackBmp(canonical, header);
    const unpackMs = performance.now() - unpackStarted;
    expect(lag.max / 1e6, `decode took ${Math.round(decodeMs)} ms, the unpack alone ${Math.round(unpackMs)} ms`).toBeLessThan(unpackMs / 2);
  });

  it('gives exactly the pixels sharp gives for the same picture, rows stored either way', async () => {
    for (const topDown of [false, true]) {
      const { bytes, rgb } = randomBmp(1001, 601, topDown);
      const fromBmp = await decodeToSize(bytes, 'original');
      const fromPng = await decodeToSize(await png(rgb, 1001, 601, 3), 'original');
      expect(Buffer.from(fromBmp.data.buffer).equals(Buffer.from(fromPng.data.buffer)), `top-down: ${topDown}`).toBe(true);
    }
  });

  it('decodes BMPs that arrive together, each to its own pixels', async () => {
    const images = [false, true, false, true].map((topDown) => randomBmp(97, 31, topDown));
    const decoded = await Promise.all(images.map(({ bytes }) => decodeToSize(bytes, 'original')));
    const expected = await Promise.all(images.map(async ({ rgb }) => decodeToSize(await png(rgb, 97, 31, 3), 'original')));
    decoded.forEach((image, i) => expect(Array.from(image.data)).toEqual(Array.from(expected[i].data)));
  });
});
