/**
 * Ground-truth masks as binary Uint8Arrays (1 = defect) at the size evaluation needs, usually the
 * model input's. Masks are decoded like images (any supported format, 8 or 16 bits, grey or
 * colour, EXIF orientation), a pixel's intensity is its largest channel in [0, 1] (a red
 * annotation counts as much as a white one), and the resized intensity is thresholded at 0.5.
 */
import { readFile } from 'node:fs/promises';
import { decodeToSize } from '../image/decode.js';
import type { Size } from '../image/resize-policy.js';

/**
 * - nearest: each output pixel takes the source pixel under its centre (masks stay crisp; thin
 *   defects can vanish when shrinking a lot);
 * - area: each output pixel averages the source area it covers, exactly (fractional overlaps
 *   weighted), then the 0.5 threshold keeps pixels that are at least half defect.
 */
export type MaskResize = 'nearest' | 'area';

export interface MaskOptions {
  resize?: MaskResize;
  maxPixels?: number;
}

/** The mask file at `size` ('original': its own size), row-major, 0 or 1; default resize 'area'. */
export async function loadMask(file: string, size: Size | 'original', options: MaskOptions = {}): Promise<Uint8Array> {
  const bytes = await readFile(file);
  const decoded = await decodeToSize(bytes, 'original', { maxPixels: options.maxPixels });
  const intensity = maxChannel(decoded.data, decoded.width * decoded.height);
  const target = size === 'original' ? { width: decoded.width, height: decoded.height } : size;
  const resized = resizePlane(intensity, decoded, target, options.resize ?? 'area');
  const mask = new Uint8Array(resized.length);
  for (let i = 0; i < resized.length; i++) mask[i] = resized[i] >= 0.5 ? 1 : 0;
  return mask;
}

function maxChannel(planar: Float32Array, plane: number): Float32Array {
  const out = new Float32Array(plane);
  for (let i = 0; i < plane; i++) out[i] = Math.max(planar[i], planar[plane + i], planar[2 * plane + i]);
  return out;
}

/** Resize one plane (row-major) from `from` to `to`; exposed for tests. */
export function resizePlane(values: Float32Array, from: Size, to: Size, mode: MaskResize): Float32Array {
  if (values.length !== from.width * from.height) throw new RangeError(`plane holds ${values.length} values, ${from.width}x${from.height} expected`);
  if (!(Number.isInteger(to.width) && Number.isInteger(to.height) && to.width > 0 && to.height > 0)) {
    throw new RangeError(`invalid mask size ${to.width}x${to.height}`);
  }
  if (from.width === to.width && from.height === to.height) return values;
  return mode === 'nearest' ? nearest(values, from, to) : area(values, from, to);
}

function nearest(values: Float32Array, from: Size, to: Size): Float32Array {
  const out = new Float32Array(to.width * to.height);
  const columns = Int32Array.from({ length: to.width }, (_, x) => Math.min(from.width - 1, Math.floor(((x + 0.5) * from.width) / to.width)));
  for (let y = 0; y < to.height; y++) {
    const row = Math.min(from.height - 1, Math.floor(((y + 0.5) * from.height) / to.height)) * from.width;
    for (let x = 0; x < to.width; x++) out[y * to.width + x] = values[row + columns[x]];
  }
  return out;
}

interface Tap {
  first: number;
  weights: number[];
}

/** For each output index along one axis: the source indices it covers and their area shares. */
function taps(from: number, to: number): Tap[] {
  const scale = from / to;
  return Array.from({ length: to }, (_, o) => {
    const start = o * scale;
    const end = (o + 1) * scale;
    const first = Math.floor(start);
    const weights: number[] = [];
    for (let i = first; i < Math.min(from, Math.ceil(end)); i++) weights.push((Math.min(end, i + 1) - Math.max(start, i)) / scale);
    return { first, weights };
  });
}

function area(values: Float32Array, from: Size, to: Size): Float32Array {
  const across = taps(from.width, to.width);
  const down = taps(from.height, to.height);
  // rows first: from.height x to.width
  const half = new Float32Array(from.height * to.width);
  for (let y = 0; y < from.height; y++) {
    const row = y * from.width;
    for (let x = 0; x < to.width; x++) {
      const { first, weights } = across[x];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += values[row + first + k] * weights[k];
      half[y * to.width + x] = sum;
    }
  }
  const out = new Float32Array(to.width * to.height);
  for (let y = 0; y < to.height; y++) {
    const { first, weights } = down[y];
    for (let x = 0; x < to.width; x++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += half[(first + k) * to.width + x] * weights[k];
      out[y * to.width + x] = sum;
    }
  }
  return out;
}
