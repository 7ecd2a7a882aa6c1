import { describe, expect, it } from 'vitest';
import { sniff, sniffFormat } from '../../src/image/sniff.js';
import { bmp, jpeg, pattern8, png, tiff, webp } from './fixtures.js';

describe('sniff', () => {
  it('recognizes every supported format from its bytes', async () => {
    const px = pattern8(4, 4, 3);
    expect(sniffFormat(await png(px, 4, 4, 3))).toBe('png');
    expect(sniffFormat(await jpeg(px, 4, 4, 3))).toBe('jpeg');
    expect(sniffFormat(await tiff(px, 4, 4, 3))).toBe('tiff');
    expect(sniffFormat(await webp(px, 4, 4, 3))).toBe('webp');
    expect(sniffFormat(bmp(px, 4, 4, 3))).toBe('bmp');
    // big-endian TIFF and BigTIFF signatures
    expect(sniffFormat(Uint8Array.of(0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8))).toBe('tiff');
    expect(sniffFormat(Uint8Array.of(0x49, 0x49, 0x2b, 0x00, 8, 0, 0, 0))).toBe('tiff');
  });

  it('reports data that ends inside a signature as incomplete', () => {
    expect(sniff(Uint8Array.of(0x89, 0x50, 0x4e))).toEqual({ format: 'png', complete: false });
    expect(sniff(Uint8Array.of(0xff, 0xd8))).toEqual({ format: 'jpeg', complete: false });
    expect(sniffFormat(Uint8Array.of(0xff, 0xd8))).toBeNull();
  });

  it('"BM" alone is not enough for a BMP', () => {
    const text = new TextEncoder().encode('BMW 320i, 2019, excellent condition, low mileage');
    expect(sniff(text)).toEqual({ format: null, what: 'text' });
  });

  it('names the formats it does not support', () => {
    const what = (bytes: Uint8Array) => {
      const result = sniff(bytes);
      return result.format === null ? result.what : result.format;
    };
    const ascii = (s: string) => new TextEncoder().encode(s);
    expect(what(ascii('GIF89a\x01\x00\x01\x00'))).toBe('a GIF image');
    expect(what(Uint8Array.of(0, 0, 0, 0x1c, ...ascii('ftypheic'), 0, 0))).toBe('a HEIF/HEIC image');
    expect(what(Uint8Array.of(0, 0, 0, 0x1c, ...ascii('ftypavif'), 0, 0))).toBe('an AVIF image');
    expect(what(ascii('%PDF-1.7\n'))).toBe('a PDF document');
    expect(what(ascii('RIFF\x10\x00\x00\x00WAVEfmt '))).toBe('a RIFF file that is not WebP');
    expect(what(ascii('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe('an SVG image');
    expect(what(Uint8Array.of(0, 1, 2, 3, 250, 251, 252, 253))).toBe('an unrecognized format (first bytes: 00 01 02 03 fa fb fc fd)');
  });
});
