/**
 * Signs in a file's container structure that its data was cut off (an upload that stopped early, a
 * file copied while it was still being written). Decoders report such files with messages that
 * rarely say "truncated"; these checks make the error code dependable, and cost nothing next to
 * decoding: they only follow length fields, never pixel data, and each reads every byte of the
 * file at most once, so a crafted file cannot make them slow.
 */
import { ImageError } from './errors.js';
import type { ImageFormat } from './sniff.js';

export interface Truncation {
  /** What is missing, for an error message. */
  detail: string;
  /**
   * True when the structure proves the data is cut off (a chunk runs past the end of the data);
   * false when it only suggests it (no end marker), since some writers leave the marker out or
   * append bytes after it: then only a decoder failure confirms it.
   */
  certain: boolean;
}

export function findTruncation(format: ImageFormat, bytes: Uint8Array): Truncation | null {
  switch (format) {
    case 'png':
      return pngTruncation(bytes);
    case 'jpeg':
      return jpegTruncation(bytes);
    case 'webp':
      return webpTruncation(bytes);
    case 'tiff':
      return tiffTruncation(bytes);
    case 'bmp':
      return null; // src/image/bmp.ts checks its header and pixel array sizes itself
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** PNG: 8-byte signature, then chunks of length(4) type(4) data(length) crc(4) up to IEND. */
function pngTruncation(bytes: Uint8Array): Truncation | null {
  const data = view(bytes);
  let pos = 8;
  while (pos < bytes.length) {
    if (pos + 8 > bytes.length) return { detail: `the data ends inside a chunk header at byte ${bytes.length}`, certain: true };
    const length = data.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const end = pos + 12 + length;
    if (end > bytes.length) {
      return { detail: `its ${type} chunk needs ${end - pos} bytes but only ${bytes.length - pos} are left`, certain: true };
    }
    if (type === 'IEND') return null;
    pos = end;
  }
  return { detail: 'it has no IEND chunk', certain: pos === 8 };
}

/** JPEG: ends with the EOI marker FF D9 (some writers pad with zeros or append data after it). */
function jpegTruncation(bytes: Uint8Array): Truncation | null {
  let end = bytes.length;
  while (end > 2 && bytes[end - 1] === 0) end--;
  if (end >= 4 && bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9) return null;
  return { detail: 'it has no end-of-image marker', certain: false };
}

/** WebP: RIFF header, whose size field counts every byte after the first 8. */
function webpTruncation(bytes: Uint8Array): Truncation | null {
  const expected = view(bytes).getUint32(4, true) + 8;
  if (bytes.length < expected) return { detail: `its RIFF header announces ${expected} bytes but only ${bytes.length} are present`, certain: true };
  return null;
}

/** Bytes per value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, ..., LONG8, IFD8). */
const TIFF_TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };
const STRIP_OR_TILE = [
  [273, 279], // StripOffsets, StripByteCounts
  [324, 325], // TileOffsets, TileByteCounts
] as const;

/**
 * TIFF: the first image file directory, every value it points to, and every strip or tile of the
 * first image must lie inside the data (classic and BigTIFF layouts). A tag that appears twice
 * makes the file corrupt (the format allows each once): repeated strip tables pointing at the same
 * bytes would otherwise make the walk quadratic in the file's size.
 */
function tiffTruncation(bytes: Uint8Array): Truncation | null {
  const cut = (detail: string): Truncation => ({ detail, certain: true });
  if (bytes.length < 8) return cut('the data ends inside the TIFF header');
  const data = view(bytes);
  const little = bytes[0] === 0x49;
  const big = data.getUint16(2, little) === 0x2b;
  if (big && bytes.length < 16) return cut('the data ends inside the BigTIFF header');
  const offset = big ? Number(data.getBigUint64(8, little)) : data.getUint32(4, little);
  const countSize = big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  const inline = big ? 8 : 4;
  if (offset + countSize > bytes.length) return cut(`its first directory is at byte ${offset} but the data has only ${bytes.length} bytes`);
  const entries = big ? Number(data.getBigUint64(offset, little)) : data.getUint16(offset, little);
  const end = offset + countSize + entries * entrySize;
  if (end > bytes.length) return cut(`its first directory needs bytes up to ${end} but the data has only ${bytes.length}`);

  const fields = new Map<number, number[]>();
  const seen = new Set<number>();
  for (let i = 0; i < entries; i++) {
    const entry = offset + countSize + i * entrySize;
    const tag = data.getUint16(entry, little);
    if (seen.has(tag)) throw new ImageError('corrupt', `The TIFF image is corrupt: tag ${tag} appears more than once in its first directory.`);
    seen.add(tag);
    const type = data.getUint16(entry + 2, little);
    const count = big ? Number(data.getBigUint64(entry + 4, little)) : data.getUint32(entry + 4, little);
    const size = (TIFF_TYPE_SIZES[type] ?? 1) * count;
    const valueAt = entry + (big ? 12 : 8);
    const start = size > inline ? (big ? Number(data.getBigUint64(valueAt, little)) : data.getUint32(valueAt, little)) : valueAt;
    if (start + size > bytes.length) return cut(`tag ${tag} of its first directory points past the end of the data`);
    if ((type === 3 || type === 4 || type === 16) && STRIP_OR_TILE.some((pair) => pair.includes(tag as never))) {
      const values: number[] = [];
      for (let k = 0; k < count; k++) {
        const at = start + k * (TIFF_TYPE_SIZES[type] ?? 1);
        values.push(type === 3 ? data.getUint16(at, little) : type === 4 ? data.getUint32(at, little) : Number(data.getBigUint64(at, little)));
      }
      fields.set(tag, values);
    }
  }
  for (const [offsetsTag, countsTag] of STRIP_OR_TILE) {
    const offsets = fields.get(offsetsTag);
    const counts = fields.get(countsTag);
    if (!offsets || !counts) continue;
    for (let k = 0; k < Math.min(offsets.length, counts.length); k++) {
      if (offsets[k] + counts[k] > bytes.length) {
        return cut(`its pixel data needs bytes up to ${offsets[k] + counts[k]} but the data has only ${bytes.length}`);
      }
    }
  }
  return null;
}
