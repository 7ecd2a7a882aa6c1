/**
 * The Gaussian model of good features that the `gaussian` baseline scores with and the residual
 * DxMI energy starts from, on a seeded random subset of channels, one of three kinds:
 * - `per-position`: a shrunk Gaussian per grid position (PaDiM), positions x d x d floats;
 * - `position-means`: a mean and a spread per position and channel, and one correlation of the
 *   standardized residuals shared by all positions, 2 x positions x d + d x d floats: it stands
 *   in for `per-position` on grids too large for a covariance per position;
 * - `pooled`: one Gaussian for all positions (the only choice when grids differ between images).
 *
 * It is kept as whitening factors: with precision P = L L^T (Cholesky), z = L^T (x - mean) has
 * |z|^2 = the squared Mahalanobis distance, and good data is close to N(0, I) in z.
 *
 * `chooseGaussianBase` decides from the training images alone (no defects needed), on two
 * seeded halves: the allowed kind that gives the held-out half the highest log-likelihood; then
 * the spread is scaled so held-out residuals have E z_k^2 = 1 (covariance shrinkage leaves it
 * 10-20% off). The scale changes no ranking; it makes the base's draws look
 * like new good parts, which the residual DxMI energy starts its sampler from.
 */
import { rowwise, type GridEnergy } from '../model/anomaly-head.js';
import type { Graph } from '../onnx/graph.js';
import { floats, gather, matmul, mul, reshape, sub, transpose } from '../onnx/ops.js';
import type { Tensor } from '../onnx/tensor.js';
import { cholesky, inverseSpd } from '../util/cholesky.js';
import { Random } from '../util/random.js';
import type { FeatureSet } from './method.js';

export interface GaussianBaseConfig {
  /** Channels kept (random subset); 0 keeps all. */
  dims: number;
  /** Allow position-dependent kinds (they need equal grids); false: pooled only. */
  perPosition: boolean;
  /** Largest per-position base, in floats (default 64 M); above it per-position means stand in. */
  maxPerPositionFloats?: number;
}

export const BASE_KINDS = ['per-position', 'position-means', 'pooled'] as const;
export type GaussianBaseKind = (typeof BASE_KINDS)[number];

/** A full covariance per position is left out above this many floats (256 MB): a high-resolution grid. */
const MAX_PER_POSITION_FLOATS = 64 * 1024 * 1024;

export interface GaussianBase {
  kind: GaussianBaseKind;
  /** The selected feature channels, ascending. */
  channels: number[];
  /** Grid of the per-position means ([height, width]), null when pooled. */
  grid: [number, number] | null;
  /** Means: 1 when pooled, else height * width. */
  positions: number;
  /** [positions, d]. */
  means: Float32Array;
  /** L^T of each precision's Cholesky factor: [covariances, d, d], applied as z = (x - mean) L. */
  whiteners: Float32Array;
  /** `position-means`: 1 / the spread of each position and channel, [positions, d], applied before L. */
  inverseSpreads: Float32Array | null;
  /** Ledoit-Wolf shrinkage of each covariance. */
  shrinkage: Float32Array;
}

/** The covariance position p is whitened with. */
const covarianceOf = (base: GaussianBase, p: number): number => (base.kind === 'per-position' ? p : 0);
/** The mean position p is centred on. */
const meanOf = (base: GaussianBase, p: number): number => (base.kind === 'pooled' ? 0 : p);

/** Mean and covariance (divided by n) of samples [n, d]. */
function moments(samples: Float64Array, n: number, d: number): { mean: Float64Array; covariance: Float64Array } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += samples[i * d + k] / n;
  const covariance = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) row[k] = samples[i * d + k] - mean[k];
    for (let a = 0; a < d; a++) {
      const v = row[a] / n;
      for (let b = a; b < d; b++) covariance[a * d + b] += v * row[b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) covariance[a * d + b] = covariance[b * d + a];
  return { mean, covariance };
}

/** Mean, shrunk covariance's precision and its Cholesky factor for samples [n, d]. */
export function fitGaussian(samples: Float64Array, n: number, d: number): { mean: Float64Array; precision: Float64Array; whitener: Float64Array; shrinkage: number } {
  const { mean, covariance: s } = moments(samples, n, d);
  // Ledoit-Wolf: shrink S toward mu*I with alpha = min(1, b^2 / d^2), b^2 = mean ||x x^T - S||_F^2 / n.
  // Since sum_i x_i x_i^T = n S, b^2 = (sum_i ||x_i||^4 - n ||S||_F^2) / n^2: linear in n, no d x d per sample.
  let mu = 0;
  for (let a = 0; a < d; a++) mu += s[a * d + a] / d;
  let d2 = 0;
  let frobenius = 0;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      const v = s[a * d + b];
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
  const shrunk = s.map((v, i) => (1 - alpha) * v + (i % (d + 1) === 0 ? alpha * mu + 1e-6 : 0));
  const precision = inverseSpd(shrunk, d);
  return { mean, precision, whitener: cholesky(precision, d), shrinkage: alpha };
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

/**
 * Up to `limit` random positions of the maps (all of them when there are fewer), selected
 * channels, standardized by the position's own moments when they are given.
 */
function pooledSamples(maps: FeatureSet['maps'], channels: readonly number[], limit: number, random: Random, moments?: { means: Float64Array; inverseSpreads: Float64Array }): Float64Array {
  const d = channels.length;
  const all = maps.flatMap((map, m) => Array.from({ length: map.height * map.width }, (_, p) => [m, p] as const));
  const chosen = all.length > limit ? random.shuffle(all).slice(0, limit) : all;
  const out = new Float64Array(chosen.length * d);
  chosen.forEach(([m, p], i) => {
    const map = maps[m];
    const plane = map.height * map.width;
    channels.forEach((k, j) => {
      const v = map.data[k * plane + p];
      out[i * d + j] = moments ? (v - moments.means[p * d + j]) * moments.inverseSpreads[p * d + j] : v;
    });
  });
  return out;
}

/** Mean and 1 / standard deviation of every position and selected channel over the maps (equal grids): [positions, d] each. */
function positionMoments(maps: FeatureSet['maps'], channels: readonly number[]): { means: Float64Array; inverseSpreads: Float64Array } {
  const d = channels.length;
  const plane = maps[0].height * maps[0].width;
  const means = new Float64Array(plane * d);
  const squares = new Float64Array(plane * d);
  for (const map of maps) {
    channels.forEach((k, j) => {
      for (let p = 0; p < plane; p++) {
        const v = map.data[k * plane + p];
        means[p * d + j] += v / maps.length;
        squares[p * d + j] += (v * v) / maps.length;
      }
    });
  }
  // A floor keeps a channel that never moves at one position (padding, a dead activation) finite.
  const inverseSpreads = means.map((m, i) => 1 / Math.sqrt(Math.max(squares[i] - m * m, 0) + 1e-6));
  return { means, inverseSpreads };
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
  kind: GaussianBaseKind,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): GaussianBase {
  const d = channels.length;
  const { height, width } = maps[0];
  const grid: [number, number] | null = kind === 'pooled' ? null : [height, width];
  const random = new Random(seed).fork('gaussian-samples');
  if (kind !== 'per-position') {
    const moments = kind === 'position-means' ? positionMoments(maps, channels) : undefined;
    const samples = pooledSamples(maps, channels, MAX_POOLED_SAMPLES, random, moments);
    const fit = fitGaussian(samples, samples.length / d, d);
    // The standardized residuals' own mean (near 0) moves every centre by its spread.
    const means = moments ? Float32Array.from(moments.means, (v, i) => v + fit.mean[i % d] / moments.inverseSpreads[i]) : Float32Array.from(fit.mean);
    onProgress?.(1, 1);
    return {
      kind,
      channels,
      grid,
      positions: means.length / d,
      means,
      whiteners: Float32Array.from(fit.whitener),
      inverseSpreads: moments ? Float32Array.from(moments.inverseSpreads) : null,
      shrinkage: Float32Array.of(fit.shrinkage),
    };
  }
  const positions = height * width;
  const means = new Float32Array(positions * d);
  const whiteners = new Float32Array(positions * d * d);
  const shrinkage = new Float32Array(positions);
  for (let p = 0; p < positions; p++) {
    const fit = fitGaussian(positionSamples(maps, channels, p), maps.length, d);
    means.set(fit.mean, p * d);
    whiteners.set(fit.whitener, p * d * d);
    shrinkage[p] = fit.shrinkage;
    if (p % 16 === 0) onProgress?.(p + 1, positions);
  }
  return { kind, channels, grid, positions, means, whiteners, inverseSpreads: null, shrinkage };
}

/** Whitened residuals of every position of `map` ([positions of the map, d], row-major). */
export function whiten(base: GaussianBase, map: FeatureSet['maps'][number]): Float32Array {
  const d = base.channels.length;
  const plane = map.height * map.width;
  const out = new Float32Array(plane * d);
  const residual = new Float64Array(d);
  for (let p = 0; p < plane; p++) {
    const m = meanOf(base, p);
    const g = covarianceOf(base, p);
    base.channels.forEach((k, j) => (residual[j] = (map.data[k * plane + p] - base.means[m * d + j]) * (base.inverseSpreads ? base.inverseSpreads[m * d + j] : 1)));
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
  const logDets = Array.from({ length: base.shrinkage.length }, (_, g) => {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += Math.log(base.whiteners[g * d * d + j * d + j]);
    return 2 * sum;
  });
  // Per-position spreads add their own log-determinant: log det diag(1/s_p)^2.
  const spreadLogDets = base.inverseSpreads
    ? Array.from({ length: base.positions }, (_, p) => {
        let sum = 0;
        for (let j = 0; j < d; j++) sum += Math.log(base.inverseSpreads![p * d + j]);
        return 2 * sum;
      })
    : null;
  let logLikelihood = 0;
  let squaredTotal = 0;
  let positions = 0;
  for (const map of maps) {
    const z = whiten(base, map);
    for (let p = 0; p < map.height * map.width; p++) {
      let squared = 0;
      for (let j = 0; j < d; j++) squared += z[p * d + j] ** 2;
      logLikelihood += 0.5 * (logDets[covarianceOf(base, p)] + (spreadLogDets ? spreadLogDets[p] : 0)) - 0.5 * squared - 0.5 * d * Math.log(2 * Math.PI);
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

/** Whitened residuals of features [N, C, h, w] under a position-dependent base: [h*w, N, d], position-major. */
export function whitenByPosition(graph: Graph, base: GaussianBase, features: Tensor): Tensor {
  const d = base.channels.length;
  const index = graph.constant(BigInt64Array.from(base.channels, BigInt), [d], 'int64');
  // [N, d, h, w] -> [h*w, N, d]: one batched product per position (or one product with a shared covariance).
  const byPosition = transpose(reshape(gather(features, index, 1), [-1, d, base.positions]), [2, 0, 1]);
  const centred = sub(byPosition, floats(graph, base.means, [base.positions, 1, d]));
  if (base.kind === 'per-position') return matmul(centred, floats(graph, base.whiteners, [base.positions, d, d]));
  return matmul(mul(centred, floats(graph, base.inverseSpreads!, [base.positions, 1, d])), floats(graph, base.whiteners, [d, d]));
}

/**
 * A grid energy from a score of whitened residuals: `score(z)` maps [..., d] to [...] (rows of a
 * pooled base, or [positions, N, d] with the positions' `condition` [positions, 1, C] broadcast).
 */
export function baseGridEnergy(graph: Graph, base: GaussianBase, score: (z: Tensor, position?: { height: number; width: number }) => Tensor): GridEnergy {
  if (base.kind === 'pooled') return rowwise((rows) => score(whitenRows(graph, base, rows)));
  const [height, width] = base.grid!;
  return (features) => reshape(transpose(score(whitenByPosition(graph, base, features), { height, width }), [1, 0]), [-1, 1, height, width]);
}

export interface GaussianBaseChoice {
  /** Fitted on all images, spread-scaled. */
  base: GaussianBase;
  /** The two halves of the image indices, and the base of the chosen kind fitted on each (spread-scaled). */
  folds: number[][];
  foldBases: GaussianBase[];
  record: { kind: GaussianBaseKind; reason: string; heldOutLogLikelihood: Record<string, number>; spreadScale: number; channels: number; floats: number };
}

/** Two seeded halves of the image indices. */
function twoFolds(count: number, seed: number): number[][] {
  const order = new Random(seed).fork('base-folds').shuffle([...Array(count).keys()]);
  const half = Math.floor(count / 2);
  return [order.slice(0, half).sort((a, b) => a - b), order.slice(half).sort((a, b) => a - b)];
}

/** The kinds a config and the data allow, and why the others are left out. */
function candidateKinds(features: FeatureSet, config: GaussianBaseConfig, d: number): { kinds: GaussianBaseKind[]; note: string } {
  if (!config.perPosition) return { kinds: ['pooled'], note: 'position-dependent Gaussians are disabled' };
  if (!equalGrids(features.maps)) return { kinds: ['pooled'], note: 'images have different feature grids, so positions do not correspond' };
  const positions = features.maps[0].height * features.maps[0].width;
  // Per-position means with shared correlation only stand in for full covariances that do not fit:
  // where both fit, the full ones were better on MTD (image AUROC 0.928 vs 0.835), and on small
  // sets the shared kind can win the held-out likelihood with a spikier score.
  if (positions * d * d > (config.maxPerPositionFloats ?? MAX_PER_POSITION_FLOATS)) {
    return { kinds: ['position-means', 'pooled'], note: `a covariance per position would take ${positions} x ${d} x ${d} floats` };
  }
  return { kinds: ['per-position', 'pooled'], note: '' };
}

export function chooseGaussianBase(features: FeatureSet, config: GaussianBaseConfig, seed: number, progress: (message: string, fraction: number) => void = () => undefined): GaussianBaseChoice {
  const channels = baseChannels(features.channels, config.dims, seed);
  const folds = twoFolds(features.maps.length, seed);
  const mapsOf = (fold: number[]): FeatureSet['maps'] => fold.map((i) => features.maps[i]);
  const { kinds, note } = candidateKinds(features, config, channels.length);
  const heldOut: Record<string, number> = {};
  const spreads = new Map<GaussianBaseKind, number>();
  const foldBases = new Map<GaussianBaseKind, GaussianBase[]>();
  if (kinds.length > 1) {
    for (const kind of kinds) {
      const bases = folds.map((fold, f) => fitGaussianBase(mapsOf(fold), channels, kind, seed, (done, total) => progress(`${kind} Gaussian, half ${f + 1}/2: ${done}/${total}`, done / total / 3)));
      foldBases.set(kind, bases);
      // Each half's base on the other half.
      const fits = [heldOutFit(bases[0], mapsOf(folds[1])), heldOutFit(bases[1], mapsOf(folds[0]))];
      heldOut[kind] = (fits[0].logLikelihood + fits[1].logLikelihood) / 2;
      spreads.set(kind, (fits[0].meanSquared + fits[1].meanSquared) / 2);
    }
  }
  const kind = kinds.reduce((best, k) => (heldOut[k] > heldOut[best] ? k : best));
  if (!foldBases.has(kind)) {
    const bases = folds.map((fold) => fitGaussianBase(mapsOf(fold), channels, kind, seed));
    foldBases.set(kind, bases);
    const fits = [heldOutFit(bases[0], mapsOf(folds[1])), heldOutFit(bases[1], mapsOf(folds[0]))];
    spreads.set(kind, (fits[0].meanSquared + fits[1].meanSquared) / 2);
  }
  const likelihoods = kinds.length > 1 ? `held-out log-likelihood per position: ${kinds.map((k) => `${k} ${heldOut[k].toFixed(1)}`).join(', ')} nats` : '';
  const reason = [likelihoods, note].filter(Boolean).join('; ');
  const scale = 1 / Math.sqrt(spreads.get(kind)!);
  const full = fitGaussianBase(features.maps, channels, kind, seed, (done, total) => progress(`Gaussian ${done}/${total}`, 1 / 3 + (2 / 3) * (done / total)));
  const base = scaledBase(full, scale);
  return {
    base,
    folds,
    foldBases: foldBases.get(kind)!.map((b) => scaledBase(b, scale)),
    record: { kind, reason, heldOutLogLikelihood: heldOut, spreadScale: scale, channels: channels.length, floats: base.means.length + base.whiteners.length + (base.inverseSpreads?.length ?? 0) },
  };
}
