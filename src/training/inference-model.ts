/**
 * The exported model: image -> backbone features -> the method's energy on the grid -> anomaly
 * map at input resolution and image score, with every weight inside one ONNX graph. A multi-scale
 * model runs a second, coarse pass over the shrunk frame with its own fitted energy and fuses the
 * two grids (model/scale-fusion.ts) before the anomaly head.
 */
import type { Backbone } from '../backbones/backbone.js';
import { buildFeatureGraph, type FeatureOptions } from '../features/feature-graph.js';
import type { FittedMethod } from '../methods/method.js';
import { appendAnomalyHead, ignoreOutside } from '../model/anomaly-head.js';
import type { RoiMask } from '../model/roi.js';
import { fuseScaleGrids, type ScaleNormalization } from '../model/scale-fusion.js';
import { exportModel } from '../onnx/export.js';
import { Graph } from '../onnx/graph.js';
import { ParameterStore } from '../onnx/parameters.js';

export const MODEL_INPUT = 'image';
export const GRID_OUTPUT = 'energy_grid';

/** One backbone pass and the energy fitted on its features. */
export interface ScalePass {
  features: FeatureOptions;
  fitted: FittedMethod;
}

export interface InferenceModelSpec {
  backbone: Backbone;
  /** The fine pass first; more than one are fused, each put in units of its `normalizations` entry. */
  passes: readonly ScalePass[];
  normalizations?: readonly ScaleNormalization[];
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

/** Parameter names of pass i inside the one graph: the first pass keeps its own, so one-pass models are as before. */
const passPrefix = (i: number): string => (i === 0 ? '' : `scale${i}/`);

export function buildInferenceModel(spec: InferenceModelSpec): Uint8Array {
  if (spec.passes.length === 0) throw new Error('an inference model needs at least one pass');
  const graph = new Graph('float32');
  const image = graph.input(MODEL_INPUT, ['N', 3, 'H', 'W']);
  const grids = spec.passes.map((pass, i) =>
    graph.withParameterPrefix(passPrefix(i), () => {
      const { features } = buildFeatureGraph(graph, image, { ...pass.features, backbone: spec.backbone });
      return pass.fitted.energy(graph)(features);
    }),
  );
  // Each pass's grid is masked before the coarse one is resized, or its cells outside the region would bleed into the cells inside.
  const masked = spec.roi && grids.length > 1 ? grids.map((grid) => ignoreOutside(grid, spec.roi!)(grid)) : grids;
  const energies = masked.length === 1 ? masked[0] : fuseScaleGrids(masked, spec.normalizations ?? []);
  const head = appendAnomalyHead(image, energies, { smoothing: spec.mapSmoothing, scoreTopK: spec.scoreTopK, roi: spec.roi });
  const store = new ParameterStore('float32', 0);
  spec.passes.forEach((pass, i) => pass.fitted.store && store.adopt(pass.fitted.store, passPrefix(i)));
  const [fine] = spec.passes;
  return exportModel(graph, {
    inputs: [image],
    outputs: { anomaly_map: head.anomalyMap, score: head.score, ...(spec.gridOutput ? { [GRID_OUTPUT]: head.grid } : {}) },
    store,
    docString: `kensa ${fine.fitted.method} model on ${spec.backbone.manifest.name}${spec.passes.length > 1 ? `, ${spec.passes.length} scales` : ''}`,
    metadata: spec.metadata,
  });
}
