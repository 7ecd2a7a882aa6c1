/** Every way bad input fails: a typed ImageError with the right code and a useful message, fast. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, probeImage } from '../../src/image/decode.js';
import { ImageError, isImageError, type ImageErrorCode } from '../../src/image/errors.js';
import type { InputSpec } from '../../src/model/manifest.js';
import { jpeg, pattern8, png, pngClaiming, repeatedStripTables, tiff, webp } from './fixtures.js';

const spec: InputSpec = { policy: 'fill', size: 32, multiple: 1 };

async function expectError(bytes: Uint8Array, code: ImageErrorCode, options = {}): Promise<ImageError> {
  const error = await decodeImage(bytes, spec, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `decoding should fail with ${code}`).toBeInstanceOf(ImageError);
  expect((error as ImageError).code).toBe(code);
  return error as ImageError;
}

// 64x48 with texture, so that every part of the compressed stream carries pixels
const W = 64;
const H = 48;
const pngBytes = await png(pattern8(W, H, 3), W, H, 3);
const jpegBytes = await jpeg(pattern8(W, H, 3), W, H, 3);

describe('ImageError', () => {
  it('carries a code, a fixed title and a specific message', async () => {
    const error = await expectError(new Uint8Array(0), 'empty');
    expect(error.title).toBe('The image is empty');
    expect(error.message).toContain('0 bytes');
    expect(error.name).toBe('ImageError');
    expect(isImageError(error)).toBe(true);
    expect(isImageError(new Error('x'))).toBe(false);
  });
});

describe('truncated', () => {
  it('a PNG cut in half', async () => {
    const error = await expectError(pngBytes.subarray(0, pngBytes.length >> 1), 'truncated');
    expect(error.message).toMatch(/PNG image is truncated: its IDAT chunk needs \d+ bytes/);
  });

  it('a PNG cut inside its header, and inside its signature', async () => {
    await expectError(pngBytes.subarray(0, 30), 'truncated');
    const error = await expectError(pngBytes.subarray(0, 4), 'truncated');
    expect(error.message).toContain('inside the PNG signature');
  });

  it('a JPEG cut in half, and one missing only its end marker', async () => {
    await expectError(jpegBytes.subarray(0, jpegBytes.length >> 1), 'truncated');
    await expectError(jpegBytes.subarray(0, jpegBytes.length - 2), 'truncated');
    await expectError(jpegBytes.subarray(0, 200), 'truncated');
  });

  it('TIFF and WebP cut short', async () => {
    const t = await tiff(pattern8(W, H, 3), W, H, 3);
    expect((await expectError(t.subarray(0, t.length >> 1), 'truncated')).message).toContain('TIFF image is truncated');
    expect((await expectError(t.subarray(0, t.length - 1), 'truncated')).message).toContain('TIFF image is truncated');
    // uncompressed, directory first: the cut falls into the pixel data
    const plain = await sharp(pattern8(W, H, 3), { raw: { width: W, height: H, channels: 3 } }).tiff({ compression: 'none' }).toBuffer();
    await expectError(plain.subarray(0, plain.length - 100), 'truncated');
    const w = await webp(pattern8(W, H, 3), W, H, 3);
    expect((await expectError(w.subarray(0, w.length - 10), 'truncated')).message).toContain('RIFF header announces');
  });

  it('probeImage reports a provably cut file without decoding it', async () => {
    await expect(probeImage(pngBytes.subarray(0, 100))).rejects.toMatchObject({ code: 'truncated' });
  });
});

describe('corrupt', () => {
  it('a PNG with damaged pixel data (structure intact)', async () => {
    const bad = Buffer.from(pngBytes);
    for (let i = 0; i < 8; i++) bad[(bad.length >> 1) + i] ^= 0xa5;
    const error = await expectError(bad, 'corrupt');
    expect(error.message).toContain('PNG image is corrupt');
  });

  it('a JPEG with damaged entropy-coded data is rejected, not filled with grey', async () => {
    const bad = Buffer.from(jpegBytes);
    for (let i = 0; i < 40; i++) bad[(bad.length >> 1) + i] = 0xff;
    expect(await sharp(bad, { failOn: 'none' }).raw().toBuffer()).toBeTruthy(); // libjpeg alone would "succeed"
    const error = await expectError(bad, 'corrupt');
    expect(error.message).toMatch(/JPEG image is corrupt/);
  });

  it('a TIFF with damaged compressed data', async () => {
    // libvips writes the strip right after the 8-byte header and the directory after it
    const t = Buffer.from(await tiff(pattern8(128, 128, 3), 128, 128, 3));
    const strip = t.readUInt32LE(4) - 8;
    for (let i = 0; i < 16; i++) t[8 + (strip >> 1) + i] ^= 0x5a;
    expect((await expectError(t, 'corrupt')).message).toContain('TIFF image is corrupt');
  });
});

describe('hostile structure', () => {
  it('a TIFF whose directory repeats one strip table 65,535 times is refused at once', async () => {
    const started = performance.now();
    const error = await expectError(repeatedStripTables(65_535, 20_000), 'corrupt');
    expect(error.message).toContain('tag 273 appears more than once');
    // The refusal reads the directory once; the walk it replaces took minutes on this file.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('unsupported-format', () => {
  it('random bytes', async () => {
    let seed = 7;
    const random = Uint8Array.from({ length: 1000 }, () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed >> 16;
    });
    const error = await expectError(random, 'unsupported-format');
    expect(error.message).toContain('unrecognized format');
  });

  it('a text file, JSON, SVG', async () => {
    expect((await expectError(Buffer.from('Lot 4711, line 3: all parts OK\n'), 'unsupported-format')).message).toContain('is text');
    expect((await expectError(Buffer.from('{"image": "nope"}'), 'unsupported-format')).message).toContain('JSON');
    const svg = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    expect((await expectError(svg, 'unsupported-format')).message).toContain('SVG');
  });

  it('a GIF, which sharp could read but kensa does not accept', async () => {
    const gif = await sharp(pattern8(8, 8, 3), { raw: { width: 8, height: 8, channels: 3 } }).gif().toBuffer();
    const error = await expectError(gif, 'unsupported-format');
    expect(error.message).toContain('GIF');
    expect(error.message).toContain('PNG, JPEG, TIFF, WebP or BMP');
  });
});

describe('too-many-pixels', () => {
  it('a tiny PNG whose header claims 60000x60000 is rejected from its header, quickly', async () => {
    const bomb = await pngClaiming(60000, 60000);
    expect(bomb.length).toBeLessThan(1000);
    const started = performance.now();
    const error = await expectError(bomb, 'too-many-pixels');
    // a guard against decoding it, not a benchmark: 3.6 gigapixels would take minutes or run out of memory
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.message).toContain('60000x60000');
    expect(error.message).toContain('3600 megapixels');
    await expect(probeImage(bomb)).rejects.toMatchObject({ code: 'too-many-pixels' });
  });

  it('the limit is configurable', async () => {
    const bytes = await png(pattern8(100, 100, 3), 100, 100, 3);
    await expectError(bytes, 'too-many-pixels', { maxPixels: 9999 });
    await expect(decodeImage(bytes, spec, { maxPixels: 10000 })).resolves.toMatchObject({ width: 32 });
  });

  it('the resized size is limited too (a 1-pixel-high strip under fit-short-side)', async () => {
    const strip = await png(pattern8(4000, 1, 3), 4000, 1, 3);
    const error = await decodeImage(strip, { policy: 'fit-short-side', size: 224, multiple: 32 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'too-many-pixels' });
    // 4000 x 1 with its short side at 224 would be 896000 x 224
    expect((error as ImageError).message).toContain('896000x224');
    expect((error as ImageError).message).toContain('resized to the model input');
  });
});
