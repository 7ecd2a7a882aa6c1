/**
 * The Gaussian model of good features that the `gaussian` baseline scores with and the residual
 * DxMI energy starts from: a shrunk Gaussian per grid position (PaDiM) when every image has the
 * same grid, else one Gaussian pooled over all positions, on a seeded random subset of channels.
 *
 * It is kept as whitening factors: with precision P = L L^T (Cholesky), z = L^T (x - mean) has
 * |z|^2 = the squared Mahalanobis distance, and good data is close to N(0, I) in z.
 *
 * `chooseGaussianBase` decides from the training images alone (no defects needed), on two
 * seeded halves: per position or pooled, whichever gives the held-out half the higher
 * log-likelihood; then the spread is scaled so held-out residuals have E z_k^2 = 1 (covariance
 * shrinkage leaves it 10-20% off). The scale changes no ranking; it makes the base's draws look
 * like new good parts, which the residual DxMI energy starts its sampler from.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { rowwise, type GridEnergy } from '../model/anomaly-head.js';
import type { Graph } from '../onnx/graph.js';
import { floats, gather, matmul, reshape, sub, transpose } from '../onnx/ops.js';
import type { Tensor } from '../onnx/tensor.js';
import { Random } from '../util/random.js';
import type { FeatureSet } from './method.js';

export interface GaussianBaseConfig {
  /** Channels kept (random subset); 0 keeps all. */
  dims: number;
  /** Fit one Gaussian per position (needs equal grids) or one for all positions. */
  perPosition: boolean;
}

export interface GaussianBase {
  /** The selected feature channels, ascending. */
  channels: number[];
  perPosition: boolean;
  /** Grid of the per-position Gaussians ([height, width]), null when pooled. */
  grid: [number, number] | null;
  /** Gaussians: 1 when pooled, else height * width. */
  positions: number;
  /** [positions, d]. */
  means: Float32Array;
  /** L^T of each precision's Cholesky factor: [positions, d, d], applied as z = (x - mean) L. */
  whiteners: Float32Array;
  /** Ledoit-Wolf shrinkage of each Gaussian. */
  shrinkage: Float32Array;
}

/** Mean, shrunk covariance's precision and its Cholesky factor for samples [n, d]. */
export function fitGaussian(samples: Float64Array, n: number, d: number): { mean: Float64Array; precision: Float64Array; whitener: Float64Array; shrinkage: number } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += samples[i * d + k] / n;
  const centered = new Matrix(n, d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) centered.set(i, k, samples[i * d + k] - mean[k]);
  const s = centered.transpose().mmul(centered).div(n);
  // Ledoit-Wolf: shrink S toward mu*I with alpha = min(1, b^2 / d^2), b^2 = mean ||x x^T - S||_F^2 / n.
  // Since sum_i x_i x_i^T = n S, b^2 = (sum_i ||x_i||^4 - n ||S||_F^2) / n^2: linear in n, no d x d per sample.
  const mu = s.trace() / d;
  let d2 = 0;
  let frobenius = 0;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      const v = s.get(a, b);
      frobenius += v * v;
      d2 += (v - (a === b ? mu : 0)) ** 2;
    }
  }
  let fourth = 0;
  for (let i = 0; i < n; i++) {
    let squared = 0;
    for (let k = 0; k < d; k++) squared += (samples[i * d + k] - mean[k]) ** 2;
    fourth += squared * squared;
  }
  const b2 = Math.max(0, (fourth - n * frobenius) / (n * n));
  const alpha = d2 > 0 ? Math.min(1, b2 / d2) : 1;
  const shrunk = s.mul(1 - alpha).add(Matrix.eye(d).mul(alpha * mu + 1e-6));
  const precision = new CholeskyDecomposition(shrunk).solve(Matrix.eye(d));
  // Symmetrize before factoring: the solve leaves rounding asymmetry.
  const symmetric = precision.add(precision.transpose()).div(2);
  const lower = new CholeskyDecomposition(symmetric).lowerTriangularMatrix;
  return { mean, precision: Float64Array.from(symmetric.to1DArray()), whitener: Float64Array.from(lower.to1DArray()), shrinkage: alpha };
}

/** A single pooled Gaussian is fitted on at most this many random positions (cost: n d^2). */
const MAX_POOLED_SAMPLES = 50_000;

/** Position p of the given maps, selected channels: [maps, d]. */
function positionSamples(maps: FeatureSet['maps'], channels: readonly number[], p: number): Float64Array {
  const d = channels.length;
  const out = new Float64Array(maps.length * d);
  maps.forEach((map, i) => {
    const plane = map.height * map.width;
    channels.forEach((k, j) => (out[i * d + j] = map.data[k * plane + p]));
  });
  return out;
}

/** Up to `limit` random positions of the maps (all of them when there are fewer), selected channels. */
function pooledSamples(maps: FeatureSet['maps'], channels: readonly number[], limit: number, random: Random): Float64Array {
  const d = channels.length;
  const all = maps.flatMap((map, m) => Array.from({ length: map.height * map.width }, (_, p) => [m, p] as const));
  const chosen = all.length > limit ? random.shuffle(all).slice(0, limit) : all;
  const out = new Float64Array(chosen.length * d);
  chosen.forEach(([m, p], i) => {
    const map = maps[m];
    const plane = map.height * map.width;
    channels.forEach((k, j) => (out[i * d + j] = map.data[k * plane + p]));
  });
  return out;
}

/** The channels a base of `dims` keeps for `channels` features (seeded, ascending). */
export function baseChannels(channels: number, dims: number, seed: number): number[] {
  const d = dims > 0 ? Math.min(dims, channels) : channels;
  return new Random(seed).fork('gaussian-channels').shuffle([...Array(channels).keys()]).slice(0, d).sort((a, b) => a - b);
}

/** Whether every map has the same grid (positions correspond across images). */
export function equalGrids(maps: FeatureSet['maps']): boolean {
  const { height, width } = maps[0];
  return maps.every((m) => m.height === height && m.width === width);
}

export function fitGaussianBase(
  maps: FeatureSet['maps'],
  channels: number[],
  perPosition: boolean,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): GaussianBase {
  const d = channels.length;
  const { height, width } = maps[0];
  const positions = perPosition ? height * width : 1;
  const means = new Float32Array(positions * d);
  const whiteners = new Float32Array(positions * d * d);
  const shrinkage = new Float32Array(positions);
  const random = new Random(seed).fork('gaussian-samples');
  for (let p = 0; p < positions; p++) {
    const samples = perPosition ? positionSamples(maps, channels, p) : pooledSamples(maps, channels, MAX_POOLED_SAMPLES, random);
    const fit = fitGaussian(samples, samples.length / d, d);
    means.set(fit.mean, p * d);
    whiteners.set(fit.whitener, p * d * d);
    shrinkage[p] = fit.shrinkage;
    if (p % 16 === 0) onProgress?.(p + 1, positions);
  }
  return { channels, perPosition, grid: perPosition ? [height, width] : null, positions, means, whiteners, shrinkage };
}

/** Whitened residuals of every position of `map` ([positions of the map, d], row-major). */
export function whiten(base: GaussianBase, map: FeatureSet['maps'][number]): Float32Array {
  const d = base.channels.length;
  const plane = map.height * map.width;
  const out = new Float32Array(plane * d);
  const residual = new Float64Array(d);
  for (let p = 0; p < plane; p++) {
    const g = base.perPosition ? p : 0;
    base.channels.forEach((k, j) => (residual[j] = map.data[k * plane + p] - base.means[g * d + j]));
    const w = base.whiteners.subarray(g * d * d, (g + 1) * d * d);
    // z_j = sum_i r_i L[i][j] for the lower factor L (row-major), so only i >= j contribute.
    for (let j = 0; j < d; j++) {
      let z = 0;
      for (let i = j; i < d; i++) z += residual[i] * w[i * d + j];
      out[p * d + j] = z;
    }
  }
  return out;
}

/** The base with z scaled by `factor` (a wider or narrower Gaussian of the same shape). */
export function scaledBase(base: GaussianBase, factor: number): GaussianBase {
  return { ...base, whiteners: base.whiteners.map((w) => w * factor) };
}

/**
 * How the base fits other images, in one whitening pass: mean log-density (nats per position)
 * and mean z_k^2 (1 when the base's spread fits them).
 */
export function heldOutFit(base: GaussianBase, maps: FeatureSet['maps']): { logLikelihood: number; meanSquared: number } {
  const d = base.channels.length;
  // log det P = 2 sum log diag(L).
  const logDets = Array.from({ length: base.positions }, (_, g) => {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += Math.log(base.whiteners[g * d * d + j * d + j]);
    return 2 * sum;
  });
  let logLikelihood = 0;
  let squaredTotal = 0;
  let positions = 0;
  for (const map of maps) {
    const z = whiten(base, map);
    for (let p = 0; p < map.height * map.width; p++) {
      let squared = 0;
      for (let j = 0; j < d; j++) squared += z[p * d + j] ** 2;
      logLikelihood += 0.5 * logDets[base.perPosition ? p : 0] - 0.5 * squared - 0.5 * d * Math.log(2 * Math.PI);
      squaredTotal += squared;
      positions++;
    }
  }
  return { logLikelihood: logLikelihood / positions, meanSquared: squaredTotal / (positions * d) };
}

/** Whitened residuals of feature rows [R, C] under a pooled base: [R, d]. */
export function whitenRows(graph: Graph, base: GaussianBase, rows: Tensor): Tensor {
  const d = base.channels.length;
  const index = graph.constant(BigInt64Array.from(base.channels, BigInt), [d], 'int64');
  return matmul(sub(gather(rows, index, 1), floats(graph, base.means, [1, d])), floats(graph, base.whiteners, [d, d]));
}

/** Whitened residuals of features [N, C, h, w] under a per-position base: [h*w, N, d], position-major. */
export function whitenByPosition(graph: Graph, base: GaussianBase, features: Tensor): Tensor {
  const d = base.channels.length;
  const index = graph.constant(BigInt64Array.from(base.channels, BigInt), [d], 'int64');
  // [N, d, h, w] -> [h*w, N, d]: one batched product per position.
  const byPosition = transpose(reshape(gather(features, index, 1), [-1, d, base.positions]), [2, 0, 1]);
  return matmul(sub(byPosition, floats(graph, base.means, [base.positions, 1, d])), floats(graph, base.whiteners, [base.positions, d, d]));
}

/**
 * A grid energy from a score of whitened residuals: `score(z)` maps [..., d] to [...] (rows of a
 * pooled base, or [positions, N, d] with the positions' `condition` [positions, 1, C] broadcast).
 */
export function baseGridEnergy(graph: Graph, base: GaussianBase, score: (z: Tensor, position?: { height: number; width: number }) => Tensor): GridEnergy {
  if (!base.perPosition) return rowwise((rows) => score(whitenRows(graph, base, rows)));
  const [height, width] = base.grid!;
  return (features) => reshape(transpose(score(whitenByPosition(graph, base, features), { height, width }), [1, 0]), [-1, 1, height, width]);
}

export interface GaussianBaseChoice {
  /** Fitted on all images, spread-scaled. */
  base: GaussianBase;
  /** The two halves of the image indices, and the base of the chosen kind fitted on each (spread-scaled). */
  folds: number[][];
  foldBases: GaussianBase[];
  record: { kind: 'per-position' | 'pooled'; reason: string; heldOutLogLikelihood: Record<string, number>; spreadScale: number; channels: number; floats: number };
}

/** Two seeded halves of the image indices. */
function twoFolds(count: number, seed: number): number[][] {
  const order = new Random(seed).fork('base-folds').shuffle([...Array(count).keys()]);
  const half = Math.floor(count / 2);
  return [order.slice(0, half).sort((a, b) => a - b), order.slice(half).sort((a, b) => a - b)];
}

export function chooseGaussianBase(features: FeatureSet, config: GaussianBaseConfig, seed: number, progress: (message: string, fraction: number) => void = () => undefined): GaussianBaseChoice {
  const channels = baseChannels(features.channels, config.dims, seed);
  const folds = twoFolds(features.maps.length, seed);
  const mapsOf = (fold: number[]): FeatureSet['maps'] => fold.map((i) => features.maps[i]);
  const candidates = config.perPosition && equalGrids(features.maps) ? [true, false] : [false];
  const heldOut: Record<string, number> = {};
  const spreads = new Map<boolean, number>();
  const foldBases = new Map<boolean, GaussianBase[]>();
  for (const perPosition of candidates) {
    const name = perPosition ? 'per-position' : 'pooled';
    const bases = folds.map((fold, f) => fitGaussianBase(mapsOf(fold), channels, perPosition, seed, (done, total) => progress(`${name} Gaussian, half ${f + 1}/2: ${done}/${total}`, done / total / 3)));
    foldBases.set(perPosition, bases);
    // Each half's base on the other half.
    const fits = [heldOutFit(bases[0], mapsOf(folds[1])), heldOutFit(bases[1], mapsOf(folds[0]))];
    heldOut[name] = (fits[0].logLikelihood + fits[1].logLikelihood) / 2;
    spreads.set(perPosition, (fits[0].meanSquared + fits[1].meanSquared) / 2);
  }
  const perPosition = candidates.length === 2 && heldOut['per-position'] > heldOut.pooled;
  const reason =
    candidates.length === 2
      ? `held-out log-likelihood per position: per-position ${heldOut['per-position'].toFixed(1)}, pooled ${heldOut.pooled.toFixed(1)} nats`
      : config.perPosition
        ? 'images have different feature grids, so positions do not correspond'
        : 'per-position Gaussians are disabled';
  const halves = foldBases.get(perPosition)!;
  const scale = 1 / Math.sqrt(spreads.get(perPosition)!);
  const full = fitGaussianBase(features.maps, channels, perPosition, seed, (done, total) => progress(`Gaussian ${done}/${total}`, 1 / 3 + (2 / 3) * (done / total)));
  const base = scaledBase(full, scale);
  return {
    base,
    folds,
    foldBases: halves.map((b) => scaledBase(b, scale)),
    record: {
      kind: perPosition ? 'per-position' : 'pooled',
      reason,
      heldOutLogLikelihood: heldOut,
      spreadScale: scale,
      channels: channels.length,
      floats: base.means.length + base.whiteners.length,
    },
  };
}
