/** Test images generated in memory: sharp for the formats it writes, hand-built BMP headers. */
import { encode as encodeBmpImage } from 'fast-bmp';
import sharp from 'sharp';

export type Samples = Uint8Array | Uint16Array;

/** A sharp pipeline over raw samples that keeps grey as grey and 16 bits as 16 bits when written. */
export function fromSamples(samples: Samples, width: number, height: number, channels: 1 | 2 | 3 | 4) {
  const sixteen = samples instanceof Uint16Array;
  const space = channels <= 2 ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb';
  return sharp(samples, { raw: { width, height, channels } }).toColourspace(space);
}

export const png = (s: Samples, w: number, h: number, c: 1 | 2 | 3 | 4) => fromSamples(s, w, h, c).png().toBuffer();
export const tiff = (s: Samples, w: number, h: number, c: 1 | 2 | 3 | 4) =>
  fromSamples(s, w, h, c).tiff({ compression: 'deflate' }).toBuffer();
export const webp = (s: Samples, w: number, h: number, c: 1 | 2 | 3 | 4) =>
  fromSamples(s, w, h, c).webp({ lossless: true, exact: true }).toBuffer();
export const jpeg = (s: Samples, w: number, h: number, c: 1 | 3) => fromSamples(s, w, h, c).jpeg({ quality: 95 }).toBuffer();

/** Deterministic 8-bit samples: every channel of every pixel differs from its neighbours. */
export function pattern8(width: number, height: number, channels: number): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let i = 0; i < out.length; i++) out[i] = (i * 37 + ((i / channels) | 0) * 11) % 256;
  return out;
}

/** BMP through fast-bmp's encoder (V5 header, bottom-up rows). */
export function bmp(samples: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Buffer {
  const bits = channels * 8;
  return Buffer.from(encodeBmpImage({ width, height, data: samples, bitsPerPixel: bits, channels, components: channels === 4 ? 3 : channels }));
}

export interface RawBmp {
  width: number;
  /** Negative: rows stored top-down. */
  height: number;
  bitsPerPixel: number;
  compression?: number;
  /** [r, g, b] entries for 1- and 8-bit images. */
  palette?: [number, number, number][];
  /** Rows top-down as they should appear, already packed for the bit depth (without padding). */
  rows: Uint8Array[];
}

/** A BMP with a plain 40-byte BITMAPINFOHEADER, built byte by byte (what Windows GDI writes). */
export function rawBmp(spec: RawBmp): Buffer {
  const height = Math.abs(spec.height);
  const stride = Math.floor((spec.bitsPerPixel * spec.width + 31) / 32) * 4;
  const palette = spec.palette ?? [];
  const offset = 14 + 40 + palette.length * 4;
  const out = Buffer.alloc(offset + stride * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(spec.width, 18);
  out.writeInt32LE(spec.height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(spec.bitsPerPixel, 28);
  out.writeUInt32LE(spec.compression ?? 0, 30);
  out.writeUInt32LE(stride * height, 34);
  out.writeUInt32LE(palette.length, 46);
  palette.forEach(([r, g, b], i) => {
    out[54 + i * 4] = b;
    out[54 + i * 4 + 1] = g;
    out[54 + i * 4 + 2] = r;
  });
  spec.rows.forEach((row, y) => {
    const stored = spec.height < 0 ? y : height - 1 - y;
    out.set(row, offset + stored * stride);
  });
  return out;
}

/** A valid PNG whose IHDR claims width x height (CRC fixed) but carries almost no pixel data. */
export async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const small = Buffer.from(await png(new Uint8Array(16 * 16), 16, 16, 1));
  small.writeUInt32BE(width, 16);
  small.writeUInt32BE(height, 20);
  small.writeUInt32BE(crc32(small.subarray(12, 29)), 29);
  return small;
}

/** CRC-32 as PNG chunks use it (zlib.crc32 needs Node 20.15). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** RGB of pixel (x, y) of a planar decoded image. */
export function at(image: { data: Float32Array; width: number; height: number }, x: number, y: number): number[] {
  const plane = image.width * image.height;
  const i = y * image.width + x;
  return [image.data[i], image.data[plane + i], image.data[2 * plane + i]];
}

/**
 * A classic little-endian TIFF whose first directory holds `entries` StripOffsets entries, each
 * pointing at the same table of `strips` offsets: the shape of a file built to make a directory
 * walk quadratic (65,535 x 20,000 reads from 0.9 MB).
 */
export function repeatedStripTables(entries: number, strips: number): Uint8Array {
  const directory = 8;
  const table = directory + 2 + entries * 12 + 4;
  const bytes = new Uint8Array(table + strips * 4);
  const data = new DataView(bytes.buffer);
  bytes.set([0x49, 0x49, 42, 0]);
  data.setUint32(4, directory, true);
  data.setUint16(directory, entries, true);
  for (let i = 0; i < entries; i++) {
    const entry = directory + 2 + i * 12;
    data.setUint16(entry, 273, true); // StripOffsets
    data.setUint16(entry + 2, 4, true); // LONG
    data.setUint32(entry + 4, strips, true);
    data.setUint32(entry + 8, table, true);
  }
  return bytes;
}
