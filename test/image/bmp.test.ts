/** BMP variants fast-bmp alone gets wrong or cannot read, built byte by byte. */
import { describe, expect, it } from 'vitest';
import { decodeImage, probeImage } from '../../src/image/decode.js';
import { ImageError } from '../../src/image/errors.js';
import type { InputSpec } from '../../src/model/manifest.js';
import { at, rawBmp } from './fixtures.js';

const identity = (size: number): InputSpec => ({ policy: 'fill', size, multiple: 1 });
/** Scale 1 for images whose short side is 1 (size 2 for a short side of 2): no resampling. */
const stored: InputSpec = { policy: 'fit-short-side', size: 1, multiple: 1 };
const bgr = (...pixels: [number, number, number][]) => Uint8Array.from(pixels.flatMap(([r, g, b]) => [b, g, r]));
const RED: [number, number, number] = [255, 0, 0];
const BLUE: [number, number, number] = [0, 0, 255];

async function expectError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageError);
  expect((error as ImageError).code).toBe(code);
  return error as ImageError;
}

describe('BMP layouts', () => {
  it('top-down rows (negative height) keep the top row on top', async () => {
    const bytes = rawBmp({ width: 2, height: -2, bitsPerPixel: 24, rows: [bgr(RED, RED), bgr(BLUE, BLUE)] });
    const image = await decodeImage(bytes, identity(2));
    expect(image.original).toMatchObject({ width: 2, height: 2 });
    expect(at(image, 0, 0)).toEqual([1, 0, 0]);
    expect(at(image, 1, 1)).toEqual([0, 0, 1]);

    const bottomUp = await decodeImage(rawBmp({ width: 2, height: 2, bitsPerPixel: 24, rows: [bgr(RED, RED), bgr(BLUE, BLUE)] }), identity(2));
    expect(at(bottomUp, 0, 0)).toEqual([1, 0, 0]);
    expect(at(bottomUp, 0, 1)).toEqual([0, 0, 1]);
  });

  it('8-bit with a colour palette maps indices to colours', async () => {
    const palette: [number, number, number][] = [
      [10, 20, 30],
      [250, 128, 0],
    ];
    const bytes = rawBmp({ width: 3, height: 2, bitsPerPixel: 8, palette, rows: [Uint8Array.of(0, 1, 0), Uint8Array.of(1, 1, 0)] });
    const image = await decodeImage(bytes, { ...stored, size: 2 });
    expect(image.original).toMatchObject({ channels: 3, bitDepth: 8 });
    expect(at(image, 1, 0)).toEqual([250 / 255, 128 / 255, 0].map((v) => expect.closeTo(v, 6)));
    expect(at(image, 2, 0)).toEqual([10 / 255, 20 / 255, 30 / 255].map((v) => expect.closeTo(v, 6)));
    expect(at(image, 0, 1)).toEqual([250 / 255, 128 / 255, 0].map((v) => expect.closeTo(v, 6)));
  });

  it('8-bit with an inverted grey palette is read through the palette, not as raw indices', async () => {
    const palette = Array.from({ length: 256 }, (_, i) => [255 - i, 255 - i, 255 - i] as [number, number, number]);
    const image = await decodeImage(rawBmp({ width: 2, height: 1, bitsPerPixel: 8, palette, rows: [Uint8Array.of(0, 200)] }), stored);
    expect(image.original.channels).toBe(1);
    expect(at(image, 0, 0)).toEqual([1, 1, 1]);
    expect(at(image, 1, 0)[0]).toBeCloseTo(55 / 255, 6);
  });

  it('1-bit images use their two palette entries', async () => {
    const palette: [number, number, number][] = [
      [0, 0, 0],
      [255, 255, 255],
    ];
    // 10 pixels: 1000000001 -> bytes 0b10000000, 0b01000000
    const image = await decodeImage(rawBmp({ width: 10, height: 1, bitsPerPixel: 1, palette, rows: [Uint8Array.of(0x80, 0x40)] }), stored);
    expect(image.original).toMatchObject({ width: 10, height: 1, bitDepth: 1 });
    expect(Array.from(image.data.subarray(0, 10))).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('32-bit without an alpha mask: the fourth byte is padding, not transparency', async () => {
    // BITMAPINFOHEADER, BI_RGB, padding byte 0 as Windows writes it
    const row = Uint8Array.of(50, 100, 200, 0, 0, 0, 255, 0);
    const image = await decodeImage(rawBmp({ width: 2, height: 1, bitsPerPixel: 32, rows: [row] }), stored);
    expect(image.original).toMatchObject({ channels: 3, hasAlpha: false });
    expect(at(image, 0, 0)).toEqual([200 / 255, 100 / 255, 50 / 255].map((v) => expect.closeTo(v, 6)));
    expect(at(image, 1, 0)).toEqual([1, 0, 0]);
  });
});

describe('BMP guard rails', () => {
  it('a header claiming 60000x60000 is rejected before any pixel is read', async () => {
    const bytes = rawBmp({ width: 2, height: 2, bitsPerPixel: 24, rows: [] });
    bytes.writeInt32LE(60000, 18);
    bytes.writeInt32LE(60000, 22);
    const error = await expectError(probeImage(bytes), 'too-many-pixels');
    expect(error.message).toContain('60000x60000');
    await expectError(decodeImage(bytes, identity(224)), 'too-many-pixels');
  });

  it('cut pixel data is truncated', async () => {
    const bytes = rawBmp({ width: 4, height: 4, bitsPerPixel: 24, rows: [] });
    const error = await expectError(decodeImage(bytes.subarray(0, bytes.length - 5), identity(4)), 'truncated');
    expect(error.message).toMatch(/BMP pixel data is cut off/);
    await expectError(decodeImage(bytes.subarray(0, 30), identity(4)), 'truncated');
    // probing reads no pixels but still sees that they cannot all be there
    await expectError(probeImage(bytes.subarray(0, bytes.length - 5)), 'truncated');
  });

  it('compressed and 16-bit BMPs are unsupported, with the reason', async () => {
    const rle = rawBmp({ width: 2, height: 2, bitsPerPixel: 8, compression: 1, palette: [[0, 0, 0]], rows: [] });
    expect((await expectError(decodeImage(rle, identity(2)), 'unsupported-format')).message).toContain('RLE8');
    const sixteen = rawBmp({ width: 2, height: 2, bitsPerPixel: 16, rows: [] });
    expect((await expectError(decodeImage(sixteen, identity(2)), 'unsupported-format')).message).toContain('16 bits per pixel');
  });

  it('impossible dimensions are corrupt', async () => {
    const bytes = rawBmp({ width: 2, height: 2, bitsPerPixel: 24, rows: [] });
    bytes.writeInt32LE(-5, 18);
    await expectError(decodeImage(bytes, identity(2)), 'corrupt');
  });
});
