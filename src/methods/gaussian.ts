/**
 * `gaussian` (PaDiM, Defard et al. 2020): the Gaussian base alone (see gaussian-base.ts: per
 * position or pooled, chosen on held-out training images), anomaly = Mahalanobis distance |z| of
 * the whitened residual. Like PaDiM, a seeded random subset of channels keeps the model small
 * (positions x d x d floats). It is exactly where the residual DxMI energy starts.
 */
import { reduceSum, sqrt, square } from '../onnx/ops.js';
import { baseGridEnergy, chooseGaussianBase, type GaussianBaseConfig } from './gaussian-base.js';
import type { FeatureSet, FitOptions, FittedMethod } from './method.js';

export type GaussianConfig = GaussianBaseConfig;

export const DEFAULT_GAUSSIAN: GaussianConfig = { dims: 100, perPosition: true };

export async function fitGaussianMethod(features: FeatureSet, config: GaussianConfig = DEFAULT_GAUSSIAN, options: FitOptions = {}): Promise<FittedMethod> {
  const started = performance.now();
  const seed = options.seed ?? 0;
  const { base, record } = chooseGaussianBase(features, config, seed, options.onProgress);
  return {
    method: 'gaussian',
    energy: (graph) => baseGridEnergy(graph, base, (z) => sqrt(reduceSum(square(z), [-1]))),
    config: { ...config, base: record },
    trainSeconds: (performance.now() - started) / 1000,
  };
}
