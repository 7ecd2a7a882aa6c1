/**
 * `gaussian` (PaDiM, Defard et al. 2020): a Gaussian per grid position over the training images,
 * anomaly = Mahalanobis distance. When image sizes vary (aspect-preserving input) positions do
 * not correspond across images, so one Gaussian over all positions is fitted instead.
 *
 * Covariances are shrunk toward a scaled identity with the Ledoit-Wolf coefficient: with a few
 * hundred images and hundreds of channels the sample covariance is singular or nearly so. Like
 * PaDiM, a seeded random subset of channels keeps the model small (positions x d x d floats).
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import type { Graph } from '../onnx/graph.js';
import type { Tensor } from '../onnx/tensor.js';
import { floats, gather, matmul, mul, reduceSum, reshape, sqrt, sub, transpose, relu } from '../onnx/ops.js';
import { rowwise, type GridEnergy } from '../model/anomaly-head.js';
import { Random } from '../util/random.js';
import type { FeatureSet, FitOptions, FittedMethod } from './method.js';

export interface GaussianConfig {
  /** Channels kept (random subset); 0 keeps all. */
  dims: number;
  /** Fit one Gaussian per position (needs equal grids) or one for all positions. */
  perPosition: boolean;
}

export const DEFAULT_GAUSSIAN: GaussianConfig = { dims: 100, perPosition: true };

/** Mean and precision (inverse shrunk covariance) of samples [n, d]. */
export function fitGaussian(samples: Float64Array, n: number, d: number): { mean: Float64Array; precision: Float64Array; shrinkage: number } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += samples[i * d + k] / n;
  const centered = new Matrix(n, d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) centered.set(i, k, samples[i * d + k] - mean[k]);
  const s = centered.transpose().mmul(centered).div(n);
  // Ledoit-Wolf: shrink S toward mu*I with alpha = min(1, b^2 / d^2), b^2 = mean ||x x^T - S||_F^2 / n.
  const mu = s.trace() / d;
  let d2 = 0;
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) d2 += (s.get(a, b) - (a === b ? mu : 0)) ** 2;
  let b2 = 0;
  for (let i = 0; i < n; i++) {
    const row = centered.getRow(i);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) b2 += (row[a] * row[b] - s.get(a, b)) ** 2;
  }
  b2 /= n * n;
  const alpha = d2 > 0 ? Math.min(1, b2 / d2) : 1;
  const shrunk = s.mul(1 - alpha).add(Matrix.eye(d).mul(alpha * mu + 1e-6));
  const inverse = new CholeskyDecomposition(shrunk).solve(Matrix.eye(d));
  return { mean, precision: Float64Array.from(inverse.to1DArray()), shrinkage: alpha };
}

/** A single pooled Gaussian is fitted on at most this many random positions (cost: n d^2). */
const MAX_POOLED_SAMPLES = 50_000;

/** Position p of every map, selected channels: [images, d]. */
function positionSamples(features: FeatureSet, channels: readonly number[], p: number): Float64Array {
  const d = channels.length;
  const out = new Float64Array(features.maps.length * d);
  features.maps.forEach((map, i) => {
    const plane = map.height * map.width;
    channels.forEach((k, j) => (out[i * d + j] = map.data[k * plane + p]));
  });
  return out;
}

/** Up to `limit` random positions of all maps (all of them when there are fewer), selected channels. */
function pooledSamples(features: FeatureSet, channels: readonly number[], limit: number, random: Random): Float64Array {
  const d = channels.length;
  const all = features.maps.flatMap((map, m) => Array.from({ length: map.height * map.width }, (_, p) => [m, p] as const));
  const chosen = all.length > limit ? random.shuffle(all).slice(0, limit) : all;
  const out = new Float64Array(chosen.length * d);
  chosen.forEach(([m, p], i) => {
    const map = features.maps[m];
    const plane = map.height * map.width;
    channels.forEach((k, j) => (out[i * d + j] = map.data[k * plane + p]));
  });
  return out;
}

/** Distance sqrt((x - mean)^T P (x - mean)) for x [P, N, d] against means [P, 1, d], precisions [P, d, d]. */
function mahalanobis(x: Tensor, means: Tensor, precisions: Tensor): Tensor {
  const diff = sub(x, means);
  return sqrt(relu(reduceSum(mul(matmul(diff, precisions), diff), [2])));
}

export async function fitGaussianMethod(features: FeatureSet, config: GaussianConfig = DEFAULT_GAUSSIAN, options: FitOptions = {}): Promise<FittedMethod> {
  const started = performance.now();
  const c = features.channels;
  const d = config.dims > 0 ? Math.min(config.dims, c) : c;
  const channels = new Random(options.seed ?? 0).fork('gaussian-channels').shuffle([...Array(c).keys()]).slice(0, d).sort((a, b) => a - b);
  const { height, width } = features.maps[0];
  const equalGrids = features.maps.every((m) => m.height === height && m.width === width);
  const perPosition = config.perPosition && equalGrids;
  const positions = perPosition ? height * width : 1;

  const means = new Float32Array(positions * d);
  const precisions = new Float32Array(positions * d * d);
  const random = new Random(options.seed ?? 0).fork('gaussian-samples');
  for (let p = 0; p < positions; p++) {
    const samples = perPosition ? positionSamples(features, channels, p) : pooledSamples(features, channels, MAX_POOLED_SAMPLES, random);
    const fit = fitGaussian(samples, samples.length / d, d);
    means.set(fit.mean, p * d);
    precisions.set(fit.precision, p * d * d);
    if (p % 16 === 0) options.onProgress?.(`Gaussian ${p + 1}/${positions}`, (p + 1) / positions);
  }

  const energy = (graph: Graph): GridEnergy => {
    const index = graph.constant(BigInt64Array.from(channels, BigInt), [d], 'int64');
    const meanT = floats(graph, means, [positions, 1, d]);
    const precisionT = floats(graph, precisions, [positions, d, d]);
    if (!perPosition) return rowwise((rows) => reshape(mahalanobis(reshape(gather(rows, index, 1), [1, -1, d]), meanT, precisionT), [-1]));
    return (featuresT) => {
      // [N, d, h, w] -> [h*w, N, d]: one batched product per position.
      const selected = reshape(gather(featuresT, index, 1), [-1, d, positions]);
      const distances = mahalanobis(transpose(selected, [2, 0, 1]), meanT, precisionT);
      return reshape(transpose(distances, [1, 0]), [-1, 1, height, width]);
    };
  };
  return {
    method: 'gaussian',
    energy,
    config: { dims: d, perPosition, positions, grid: perPosition ? [height, width] : null },
    trainSeconds: (performance.now() - started) / 1000,
  };
}
