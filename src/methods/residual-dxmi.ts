/**
 * DxMI with the residual energy (the default): the Gaussian base of gaussian-base.ts (the
 * `gaussian` baseline's model), and a position-conditioned correction f trained by DxMI on the
 * base's whitened residuals z.
 *
 * - f learns from out-of-fold residuals: z of each fold's images under the base fitted on the
 *   other fold. In-sample residuals are too small (the base has seen them), and f would learn
 *   to flag every unseen good part; out-of-fold ones have the spread of new parts.
 * - Exported score: sqrt(|z|^2 + 2 D f) = sqrt(2 D E), the base's Mahalanobis distance while
 *   f = 0, so the untrained model is the `gaussian` baseline exactly.
 */
import type { DxmiConfig } from '../dxmi/config.js';
import { energyNet } from '../dxmi/networks.js';
import { trainDxmi, type DxmiProgress } from '../dxmi/trainer.js';
import type { GridEnergy } from '../model/anomaly-head.js';
import type { Graph } from '../onnx/graph.js';
import { floats, mul, relu, sqrt } from '../onnx/ops.js';
import { Random } from '../util/random.js';
import { baseGridEnergy, chooseGaussianBase, whiten, type GaussianBase, type GaussianBaseChoice } from './gaussian-base.js';
import type { FeatureSet, FitOptions, FittedMethod } from './method.js';
import { positionEmbeddingDim, positionEmbeddings } from './position-embedding.js';

type ResidualEnergy = Extract<DxmiConfig['energy'], { kind: 'residual' }>;

/** Out-of-fold whitened residuals of every training position and their position embeddings, subsampled to `maxVectors`. */
function trainingVectors(features: FeatureSet, choice: GaussianBaseChoice, energy: ResidualEnergy, seed: number) {
  const d = choice.base.channels.length;
  // Only a per-position base conditions f on the position; its grid is every map's grid.
  const grid = choice.base.grid;
  const conditionDim = grid ? positionEmbeddingDim(energy.positionFrequencies) : 0;
  const embedding = grid ? positionEmbeddings(grid[0], grid[1], energy.positionFrequencies) : null;
  const rows: { z: Float32Array; p: number }[] = [];
  choice.folds.forEach((fold, f) => {
    const other = choice.foldBases[1 - f];
    for (const i of fold) {
      const map = features.maps[i];
      const z = whiten(other, map);
      for (let p = 0; p < map.height * map.width; p++) rows.push({ z, p });
    }
  });
  const chosen = rows.length > energy.maxVectors ? new Random(seed).fork('residual-vectors').shuffle(rows).slice(0, energy.maxVectors) : rows;
  const data = new Float32Array(chosen.length * d);
  const condition = new Float32Array(chosen.length * conditionDim);
  chosen.forEach((row, r) => {
    data.set(row.z.subarray(row.p * d, (row.p + 1) * d), r * d);
    if (embedding) condition.set(embedding.subarray(row.p * conditionDim, (row.p + 1) * conditionDim), r * conditionDim);
  });
  return { data, count: chosen.length, dim: d, condition: conditionDim > 0 ? { data: condition, dim: conditionDim } : undefined };
}

/** The exported energy: features [N, C, h, w] -> sqrt(2 D E) [N, 1, h, w]. */
function residualGridEnergy(base: GaussianBase, config: DxmiConfig, energy: ResidualEnergy): (graph: Graph) => GridEnergy {
  const d = base.channels.length;
  return (graph) =>
    baseGridEnergy(graph, base, (z, grid) => {
      const conditionDim = grid ? positionEmbeddingDim(energy.positionFrequencies) : 0;
      const net = energyNet(graph, d, config.energy, conditionDim);
      // The positions' embeddings [positions, 1, C], broadcast over the images of the batch.
      const condition = grid ? floats(graph, positionEmbeddings(grid.height, grid.width, energy.positionFrequencies), [grid.height * grid.width, 1, conditionDim]) : undefined;
      return sqrt(relu(mul(net.energy(z, condition), 2 * d)));
    });
}

export async function fitResidualDxmi(features: FeatureSet, config: DxmiConfig, options: FitOptions, describe: (p: DxmiProgress) => string): Promise<FittedMethod> {
  if (config.energy.kind !== 'residual') throw new Error('fitResidualDxmi needs the residual energy');
  const energy = config.energy;
  const started = performance.now();
  const seed = options.seed ?? config.seed;
  const progress = options.onProgress ?? (() => undefined);
  const choice = chooseGaussianBase(features, { dims: energy.baseDims, perPosition: energy.perPosition }, seed, (message, fraction) => progress(message, 0.3 * fraction));
  const vectors = trainingVectors(features, choice, energy, seed);
  const run = await trainDxmi(vectors, { ...config, batch: Math.min(config.batch, vectors.count) }, {
    session: options.session,
    signal: options.signal,
    progressEvery: 20,
    onProgress: (p) => progress(describe(p), 0.3 + 0.7 * (p.iteration / p.iterations)),
  });
  return {
    method: 'dxmi',
    energy: residualGridEnergy(choice.base, config, energy),
    store: run.store,
    config: { ...config, base: choice.record },
    trainSeconds: (performance.now() - started) / 1000,
  };
}
