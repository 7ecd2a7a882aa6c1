/**
 * Seeded noise: 2-D gradient noise (Perlin style) and its fractal sums, the raw material of every
 * synthetic surface, and white noise for the sensor. A lattice hash replaces Perlin's permutation
 * table, so a new noise field per image costs nothing to set up and depends only on its seed.
 */
import { Random } from '../util/random.js';

/** Unit gradients at 16 angles: enough directions that no lattice axis shows in the texture. */
const GRADIENT_X = new Float64Array(16);
const GRADIENT_Y = new Float64Array(16);
for (let i = 0; i < 16; i++) {
  GRADIENT_X[i] = Math.cos((i * Math.PI) / 8);
  GRADIENT_Y[i] = Math.sin((i * Math.PI) / 8);
}

/** Lattice offset between octaves, so the octaves of a fractal sum do not all vanish at the origin. */
const OCTAVE_SHIFT = 37.17;

/** Integer hash of a lattice point (murmur3 finalizer): cheap and well mixed in the low bits. */
function hash(x: number, y: number, seed: number): number {
  let h = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Quintic fade: continuous second derivative, so no creases at lattice lines. */
function fade(t: number): number {
  return t * t * t * (t * (t * 6 - 15) + 10);
}

export class GradientNoise {
  private readonly seed: number;

  constructor(seed: number) {
    this.seed = seed | 0;
  }

  /** A fresh field drawn from `rng`. */
  static from(rng: Random): GradientNoise {
    return new GradientNoise(rng.int(0x7fffffff));
  }

  /** Noise at (x, y) in lattice units: smooth, zero mean, roughly within [-1, 1]. */
  at(x: number, y: number): number {
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    const fx = x - xi;
    const fy = y - yi;
    const n00 = this.dot(xi, yi, fx, fy);
    const n10 = this.dot(xi + 1, yi, fx - 1, fy);
    const n01 = this.dot(xi, yi + 1, fx, fy - 1);
    const n11 = this.dot(xi + 1, yi + 1, fx - 1, fy - 1);
    const u = fade(fx);
    const top = n00 + (n10 - n00) * u;
    const bottom = n01 + (n11 - n01) * u;
    // 2-D Perlin noise peaks near +-0.7; rescale so amplitudes read as fractions of full range.
    return 1.4 * (top + (bottom - top) * fade(fy));
  }

  /**
   * Fractal sum of `octaves` octaves, each at twice the frequency and `gain` times the amplitude of
   * the previous one; normalized so the result stays roughly within [-1, 1].
   */
  fbm(x: number, y: number, octaves: number, gain = 0.5): number {
    let sum = 0;
    let amplitude = 1;
    let norm = 0;
    let frequency = 1;
    for (let o = 0; o < octaves; o++) {
      sum += amplitude * this.at(x * frequency + o * OCTAVE_SHIFT, y * frequency - o * OCTAVE_SHIFT);
      norm += amplitude;
      amplitude *= gain;
      frequency *= 2;
    }
    return sum / norm;
  }

  private dot(xi: number, yi: number, dx: number, dy: number): number {
    const g = hash(xi, yi, this.seed) & 15;
    return GRADIENT_X[g] * dx + GRADIENT_Y[g] * dy;
  }
}

/**
 * A smooth field evaluated every `cell` pixels and bilinearly interpolated in between. For noise
 * whose finest detail spans several cells this looks the same as evaluating every pixel, at
 * 1/cell^2 of the cost. `field` takes image coordinates in pixels.
 */
export function smoothField(width: number, height: number, cell: number, field: (x: number, y: number) => number): Float32Array {
  const columns = Math.ceil(width / cell) + 2;
  const rows = Math.ceil(height / cell) + 2;
  const grid = new Float32Array(columns * rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) grid[r * columns + c] = field(c * cell, r * cell);
  const out = new Float32Array(width * height);
  for (let j = 0; j < height; j++) {
    const gy = (j + 0.5) / cell;
    const r = Math.floor(gy);
    const ty = gy - r;
    for (let i = 0; i < width; i++) {
      const gx = (i + 0.5) / cell;
      const c = Math.floor(gx);
      const tx = gx - c;
      const k = r * columns + c;
      const top = grid[k] + (grid[k + 1] - grid[k]) * tx;
      const bottom = grid[k + columns] + (grid[k + columns + 1] - grid[k + columns]) * tx;
      out[j * width + i] = top + (bottom - top) * ty;
    }
  }
  return out;
}

/** 2^16 standard normal draws, made once; white noise picks among them by hashing. */
const NORMALS = new Random(0x5e5e).fillNormal(new Float32Array(1 << 16));

/**
 * Independent standard normal values indexed by an integer (a pixel): sensor noise. Hashing into
 * a fixed table is an order of magnitude cheaper than drawing a fresh normal per pixel, and the
 * value for a pixel depends only on the seed and the index, never on what was drawn before.
 */
export class WhiteNoise {
  private readonly seed: number;

  constructor(seed: number) {
    this.seed = seed | 0;
  }

  static from(rng: Random): WhiteNoise {
    return new WhiteNoise(rng.int(0x7fffffff));
  }

  at(index: number): number {
    return NORMALS[hash(index, 0x2545f491, this.seed) & 0xffff];
  }
}
