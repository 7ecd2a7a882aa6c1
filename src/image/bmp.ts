/**
 * BMP, which sharp (libvips) cannot load: the header is read here (dimensions for the pixel limit,
 * before any pixel is touched; layout checks with clear errors), the pixel array is unpacked by
 * fast-bmp, and the palette is applied here (fast-bmp returns palette indices as they are). The
 * unpacking runs off the event loop, in bmp-thread.ts.
 *
 * Supported: uncompressed (BI_RGB) 1-, 8-, 24- and 32-bit images, and 32-bit BI_BITFIELDS with the
 * standard masks; bottom-up and top-down rows; every Windows header version (40 to 124 bytes).
 * Alpha is used only when a V3+ header declares an alpha mask of 0xff000000 (the fourth byte of a
 * plain 32-bit BMP is padding, usually 0, and must not turn the image black).
 */
import { decode } from 'fast-bmp';
import { ImageError } from './errors.js';

export interface BmpHeader {
  width: number;
  height: number;
  /** Rows stored top row first (negative height in the file). */
  topDown: boolean;
  bitsPerPixel: 1 | 8 | 24 | 32;
  /** Channels of the decoded pixels: 1 (grey palette), 3 (colour) or 4 (colour and alpha). */
  channels: 1 | 3 | 4;
  hasAlpha: boolean;
  /** Byte offset and stride of the pixel array. */
  dataOffset: number;
  rowStride: number;
  /** Palette entries (1- and 8-bit images), as [r, g, b] triples. */
  palette: Uint8Array | null;
}

export interface BmpPixels {
  /** Interleaved 8-bit samples, top row first. */
  data: Uint8Array;
  width: number;
  height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA). */
  channels: 1 | 3 | 4;
}

const COMPRESSION_NAMES: Record<number, string> = {
  1: 'RLE8',
  2: 'RLE4',
  4: 'embedded JPEG',
  5: 'embedded PNG',
  6: 'BI_ALPHABITFIELDS',
};

export function readBmpHeader(bytes: Uint8Array): BmpHeader {
  if (bytes.length < 18) throw new ImageError('truncated', `The BMP data ends inside its file header (${bytes.length} bytes).`);
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = data.getUint32(10, true);
  const dibSize = data.getUint32(14, true);
  if (dibSize < 40) throw new ImageError('unsupported-format', `BMP files with the old ${dibSize}-byte OS/2 header are not supported.`);
  if (bytes.length < 14 + 40) throw new ImageError('truncated', `The BMP data ends inside its ${dibSize}-byte header.`);
  const width = data.getInt32(18, true);
  const rawHeight = data.getInt32(22, true);
  const bitsPerPixel = data.getUint16(28, true);
  const compression = data.getUint32(30, true);
  const colorsUsed = data.getUint32(46, true);

  if (width <= 0 || rawHeight === 0 || rawHeight === -0x80000000) {
    throw new ImageError('corrupt', `The BMP header gives impossible dimensions ${width}x${rawHeight}.`);
  }
  if (bitsPerPixel !== 1 && bitsPerPixel !== 8 && bitsPerPixel !== 24 && bitsPerPixel !== 32) {
    throw new ImageError('unsupported-format', `BMP images with ${bitsPerPixel} bits per pixel are not supported (1, 8, 24 and 32 are).`);
  }
  let hasAlpha = false;
  if (compression === 3 && bitsPerPixel === 32) {
    const masksEnd = 54 + 12;
    if (bytes.length < masksEnd) throw new ImageError('truncated', 'The BMP data ends inside its color masks.');
    const masks = [data.getUint32(54, true), data.getUint32(58, true), data.getUint32(62, true)];
    if (masks[0] !== 0x00ff0000 || masks[1] !== 0x0000ff00 || masks[2] !== 0x000000ff) {
      const hex = masks.map((m) => `0x${m.toString(16).padStart(8, '0')}`).join(', ');
      throw new ImageError('unsupported-format', `32-bit BMP images with color masks ${hex} are not supported (only 8 bits per channel, BGRA order).`);
    }
  } else if (compression !== 0) {
    const name = COMPRESSION_NAMES[compression] ?? `compression type ${compression}`;
    throw new ImageError('unsupported-format', `BMP images with ${name} compression and ${bitsPerPixel} bits per pixel are not supported; only uncompressed BMP is.`);
  }
  if (bitsPerPixel === 32 && dibSize >= 56) {
    if (bytes.length < 70) throw new ImageError('truncated', `The BMP data ends inside its ${dibSize}-byte header.`);
    hasAlpha = data.getUint32(66, true) === 0xff000000;
  }

  let palette: Uint8Array | null = null;
  let channels: 1 | 3 | 4 = hasAlpha ? 4 : 3;
  if (bitsPerPixel <= 8) {
    const paletteOffset = 14 + dibSize;
    const maxEntries = 1 << bitsPerPixel;
    const entries = Math.min(colorsUsed === 0 ? maxEntries : colorsUsed, maxEntries, Math.floor((dataOffset - paletteOffset) / 4));
    if (entries <= 0) throw new ImageError('corrupt', 'The BMP file has no room for the color palette its pixel format needs.');
    if (paletteOffset + entries * 4 > bytes.length) throw new ImageError('truncated', 'The BMP data ends inside its color palette.');
    palette = new Uint8Array(maxEntries * 3); // indices past the palette stay black
    for (let i = 0; i < entries; i++) {
      const p = paletteOffset + i * 4;
      palette[i * 3] = bytes[p + 2];
      palette[i * 3 + 1] = bytes[p + 1];
      palette[i * 3 + 2] = bytes[p];
    }
    channels = isGrey(palette) ? 1 : 3;
  }

  const height = Math.abs(rawHeight);
  const rowStride = Math.floor((bitsPerPixel * width + 31) / 32) * 4;
  if (dataOffset < 14 + 40) throw new ImageError('corrupt', `The BMP pixel data offset ${dataOffset} points into its header.`);
  return { width, height, topDown: rawHeight < 0, bitsPerPixel, channels, hasAlpha, dataOffset, rowStride, palette };
}

/** Throws ImageError('truncated') when the pixel array the header describes runs past the data. */
export function checkBmpData(bytes: Uint8Array, header: BmpHeader): void {
  const { width, height, bitsPerPixel, dataOffset, rowStride } = header;
  const needed = rowStride * height;
  if (dataOffset + needed > bytes.length) {
    throw new ImageError(
      'truncated',
      `The BMP pixel data is cut off: ${width}x${height} at ${bitsPerPixel} bits per pixel needs ${needed} bytes, only ${Math.max(0, bytes.length - dataOffset)} are present.`,
    );
  }
}

/**
 * The pixel array of a BMP whose header `readBmpHeader` and data `checkBmpData` accepted, behind
 * the minimal header fast-bmp reads (40-byte DIB header, standard masks at byte 54, positive
 * height): fast-bmp reads the height as unsigned and the masks at a fixed offset, so top-down
 * files and 32-bit BI_RGB files need this. One copy of the pixel array, which `unpackBmp` takes.
 */
export function canonicalBmp(bytes: Uint8Array, header: BmpHeader): Uint8Array {
  const headerSize = 14 + 40 + 12;
  const pixels = bytes.subarray(header.dataOffset, header.dataOffset + header.rowStride * header.height);
  const out = new Uint8Array(headerSize + pixels.length);
  const data = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  data.setUint32(2, out.length, true);
  data.setUint32(10, headerSize, true);
  data.setUint32(14, 40, true);
  data.setInt32(18, header.width, true);
  data.setInt32(22, header.height, true);
  data.setUint16(26, 1, true);
  data.setUint16(28, header.bitsPerPixel, true);
  data.setUint32(30, header.bitsPerPixel === 32 ? 3 : 0, true);
  data.setUint32(54, 0x00ff0000, true);
  data.setUint32(58, 0x0000ff00, true);
  data.setUint32(62, 0x000000ff, true);
  out.set(pixels, headerSize);
  return out;
}

/**
 * Unpacks the pixels of `canonicalBmp(bytes, header)`: a loop over every sample in JavaScript, so
 * the server runs it on its BMP thread (bmp-thread.ts). Throws fast-bmp's errors as they are.
 */
export function unpackBmp(canonical: Uint8Array, header: BmpHeader): BmpPixels {
  const { width, height, bitsPerPixel } = header;
  let pixels = decode(canonical).data as Uint8Array;
  if (header.palette) pixels = applyPalette(pixels, header.palette, header.channels === 1);
  else if (bitsPerPixel === 32 && !header.hasAlpha) pixels = dropFourth(pixels);
  const channels = header.channels;
  if (header.topDown) flipRows(pixels, width * channels, height);
  return { data: pixels, width, height, channels };
}

function isGrey(palette: Uint8Array): boolean {
  for (let i = 0; i < palette.length; i += 3) {
    if (palette[i] !== palette[i + 1] || palette[i] !== palette[i + 2]) return false;
  }
  return true;
}

/** Palette indices to grey (one channel) or RGB samples. */
function applyPalette(indices: Uint8Array, palette: Uint8Array, grey: boolean): Uint8Array {
  if (grey) {
    const out = new Uint8Array(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = palette[indices[i] * 3];
    return out;
  }
  const out = new Uint8Array(indices.length * 3);
  for (let i = 0; i < indices.length; i++) {
    const p = indices[i] * 3;
    out[i * 3] = palette[p];
    out[i * 3 + 1] = palette[p + 1];
    out[i * 3 + 2] = palette[p + 2];
  }
  return out;
}

/** RGBX to RGB: the fourth byte of a BMP without an alpha mask is padding. */
function dropFourth(rgbx: Uint8Array): Uint8Array {
  const pixels = rgbx.length / 4;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    out[i * 3] = rgbx[i * 4];
    out[i * 3 + 1] = rgbx[i * 4 + 1];
    out[i * 3 + 2] = rgbx[i * 4 + 2];
  }
  return out;
}

function flipRows(data: Uint8Array, rowBytes: number, height: number): void {
  const scratch = new Uint8Array(rowBytes);
  for (let top = 0, bottom = height - 1; top < bottom; top++, bottom--) {
    const a = data.subarray(top * rowBytes, (top + 1) * rowBytes);
    const b = data.subarray(bottom * rowBytes, (bottom + 1) * rowBytes);
    scratch.set(a);
    a.set(b);
    b.set(scratch);
  }
}
