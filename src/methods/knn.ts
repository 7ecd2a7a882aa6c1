/**
 * `knn` (PatchCore, Roth et al. 2022): a memory bank of training feature vectors reduced by greedy
 * coreset subsampling, anomaly = distance to the nearest bank vector.
 *
 * The coreset is chosen greedily (farthest point first) on a seeded random projection of the
 * vectors to `projection` dimensions, as PatchCore does, which preserves distances well enough
 * for the selection and makes it several times cheaper.
 */
import type { Graph } from '../onnx/graph.js';
import { add, floats, matmul, mul, neg, reduceMax, reduceSum, relu, sqrt, square, transpose } from '../onnx/ops.js';
import { rowwise } from '../model/anomaly-head.js';
import { Random } from '../util/random.js';
import { featureRows, type FeatureSet, type FitOptions, type FittedMethod } from './method.js';

export interface KnnConfig {
  /** Share of the training vectors kept in the bank. */
  coresetRatio: number;
  /** Upper bound on the bank size (scoring cost grows with it). */
  maxBank: number;
  /** Vectors considered for the coreset, a seeded random subset beyond this. */
  maxCandidates: number;
  projection: number;
}

export const DEFAULT_KNN: KnnConfig = { coresetRatio: 0.01, maxBank: 4096, maxCandidates: 60_000, projection: 128 };

/** Indices (into `rows`) of a greedy k-center coreset of `size` rows. */
export function greedyCoreset(rows: Float32Array, count: number, dim: number, size: number, projection: number, random: Random): Int32Array {
  const p = Math.min(projection, dim);
  const matrix = random.fillNormal(new Float32Array(dim * p), 0, 1 / Math.sqrt(p));
  const projected = new Float32Array(count * p);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < dim; k++) {
      const v = rows[i * dim + k];
      if (v === 0) continue;
      for (let j = 0; j < p; j++) projected[i * p + j] += v * matrix[k * p + j];
    }
  }
  const chosen = new Int32Array(size);
  const nearest = new Float32Array(count).fill(Infinity);
  let next = random.int(count);
  for (let s = 0; s < size; s++) {
    chosen[s] = next;
    let farthest = -1;
    let farthestDistance = -1;
    const base = next * p;
    for (let i = 0; i < count; i++) {
      let d = 0;
      for (let j = 0; j < p; j++) {
        const diff = projected[i * p + j] - projected[base + j];
        d += diff * diff;
      }
      if (d < nearest[i]) nearest[i] = d;
      if (nearest[i] > farthestDistance) {
        farthestDistance = nearest[i];
        farthest = i;
      }
    }
    next = farthest;
  }
  return chosen;
}

export async function fitKnn(features: FeatureSet, config: KnnConfig = DEFAULT_KNN, options: FitOptions = {}): Promise<FittedMethod> {
  const started = performance.now();
  const c = features.channels;
  const random = new Random(options.seed ?? 0).fork('knn');
  let rows = featureRows(features, false);
  let count = rows.length / c;
  if (count > config.maxCandidates) {
    const keep = random.shuffle(Int32Array.from({ length: count }, (_, i) => i)).subarray(0, config.maxCandidates).sort();
    const subset = new Float32Array(keep.length * c);
    keep.forEach((row, i) => subset.set(rows.subarray(row * c, (row + 1) * c), i * c));
    rows = subset;
    count = keep.length;
  }
  const size = Math.max(1, Math.min(config.maxBank, Math.round((config.coresetRatio * features.maps.reduce((s, m) => s + m.height * m.width, 0)))));
  options.onProgress?.(`coreset of ${size} from ${count} vectors`, 0);
  const chosen = greedyCoreset(rows, count, c, Math.min(size, count), config.projection, random);
  const bank = new Float32Array(chosen.length * c);
  const bankNorms = new Float32Array(chosen.length);
  chosen.forEach((row, i) => {
    bank.set(rows.subarray(row * c, (row + 1) * c), i * c);
    for (let k = 0; k < c; k++) bankNorms[i] += rows[row * c + k] ** 2;
  });
  options.onProgress?.(`coreset of ${chosen.length}`, 1);

  return {
    method: 'knn',
    // ||x - b||^2 = ||x||^2 - 2 x.b + ||b||^2, minimized over the bank as -max(-d^2).
    energy: (graph: Graph) =>
      rowwise((x) => {
        const cross = matmul(x, transpose(floats(graph, bank, [chosen.length, c]), [1, 0]));
        const squared = add(add(mul(cross, -2), floats(graph, bankNorms, [chosen.length])), reduceSum(square(x), [1], true));
        return sqrt(relu(neg(reduceMax(neg(squared), [1]))));
      }),
    config: { ...config, bank: chosen.length },
    trainSeconds: (performance.now() - started) / 1000,
  };
}
