/** One entry point for every method, so training and evaluation treat them alike. */
import type { DxmiConfig } from '../dxmi/config.js';
import type { Method } from '../model/manifest.js';
import { fitDxmi } from '../methods/dxmi.js';
import { fitGaussianMethod, type GaussianConfig } from '../methods/gaussian.js';
import { fitKnn, type KnnConfig } from '../methods/knn.js';
import type { FeatureSet, FitOptions, FittedMethod } from '../methods/method.js';

export interface MethodSettings {
  dxmi: DxmiConfig;
  gaussian: GaussianConfig;
  knn: KnnConfig;
}

export function fitMethod(method: Method, features: FeatureSet, settings: MethodSettings, options: FitOptions): Promise<FittedMethod> {
  switch (method) {
    case 'dxmi':
    case 'dxmi-spherical':
    case 'ae':
      return fitDxmi(features, settings.dxmi, options, method);
    case 'gaussian':
      return fitGaussianMethod(features, settings.gaussian, options);
    case 'knn':
      return fitKnn(features, settings.knn, options);
  }
}
