/** Feature graph and extractor: images -> aligned, normalized multi-scale backbone features. */
export { buildFeatureGraph, DEFAULT_GRID_STRIDE, resolveFeatureOptions, type FeatureGraph, type FeatureGraphOptions, type FeatureOptions } from './feature-graph.js';
export { FEATURE_INPUT, FEATURE_OUTPUT, FeatureExtractor, type FeatureBatch, type FeatureExtractorOptions } from './extractor.js';
