/**
 * The exported model: image -> backbone features -> the method's energy on the grid -> anomaly
 * map at input resolution and image score, with every weight inside one ONNX graph.
 */
import type { Backbone } from '../backbones/backbone.js';
import { buildFeatureGraph, type FeatureOptions } from '../features/feature-graph.js';
import type { FittedMethod } from '../methods/method.js';
import { appendAnomalyHead } from '../model/anomaly-head.js';
import type { RoiMask } from '../model/roi.js';
import { exportModel } from '../onnx/export.js';
import { Graph } from '../onnx/graph.js';
import { ParameterStore } from '../onnx/parameters.js';

export const MODEL_INPUT = 'image';
export const GRID_OUTPUT = 'energy_grid';

export interface InferenceModelSpec {
  backbone: Backbone;
  features: FeatureOptions;
  fitted: FittedMethod;
  /** Box filter on the energy grid before upsampling (odd; 1: none). */
  mapSmoothing: number;
  /** Grid cells averaged into the image score (1: the maximum). */
  scoreTopK: number;
  /** The part of the frame inspected; default all of it. */
  roi?: RoiMask;
  /** Also output the pooled energy grid as `energy_grid` (to choose the pooling on it). */
  gridOutput?: boolean;
  metadata?: Record<string, string>;
}

export function buildInferenceModel(spec: InferenceModelSpec): Uint8Array {
  const graph = new Graph('float32');
  const image = graph.input(MODEL_INPUT, ['N', 3, 'H', 'W']);
  const { features } = buildFeatureGraph(graph, image, { ...spec.features, backbone: spec.backbone });
  const head = appendAnomalyHead(image, features, spec.fitted.energy(graph), { smoothing: spec.mapSmoothing, scoreTopK: spec.scoreTopK, roi: spec.roi });
  return exportModel(graph, {
    inputs: [image],
    outputs: { anomaly_map: head.anomalyMap, score: head.score, ...(spec.gridOutput ? { [GRID_OUTPUT]: head.grid } : {}) },
    store: spec.fitted.store ?? new ParameterStore('float32', 0),
    docString: `kensa ${spec.fitted.method} model on ${spec.backbone.manifest.name}`,
    metadata: spec.metadata,
  });
}
