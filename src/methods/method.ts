/**
 * What every anomaly method (DxMI and the baselines) gives the model exporter: an energy on the
 * feature grid that can be appended to the inference graph, and the parameters to bake in.
 */
import type { Graph } from '../onnx/graph.js';
import type { ParameterStore } from '../onnx/parameters.js';
import type { SessionConfig } from '../onnx/session.js';
import type { GridEnergy } from '../model/anomaly-head.js';
import type { Method } from '../model/manifest.js';

/** Feature maps of the training images, each [channels, height, width] row-major. */
export interface FeatureSet {
  channels: number;
  maps: readonly { data: Float32Array; height: number; width: number }[];
}

export interface FittedMethod {
  method: Method;
  /** Append this method's energy to an inference graph. */
  energy(graph: Graph): GridEnergy;
  /** Trained parameters the energy reads (baked into the exported model). */
  store?: ParameterStore;
  /** Resolved configuration, recorded in the manifest. */
  config: Record<string, unknown>;
  trainSeconds: number;
  /** The validation AUROC reported while training, when FitOptions.validation was given. */
  monitor?: { iteration: number; auroc: number }[];
}

export interface FitOptions {
  session?: SessionConfig;
  seed?: number;
  signal?: AbortSignal;
  /**
   * Labelled images to report an image AUROC on while training (monitoring only: nothing is
   * selected by it), every `every` iterations, for methods that train iteratively.
   */
  validation?: { features: FeatureSet; labels: readonly number[]; every: number };
  /** Progress in words and a fraction, for bars and job logs. */
  onProgress?: (message: string, fraction: number) => void;
}

/** Every position of every map as one row: [sum of h*w, channels], optionally L2-normalized. */
export function featureRows(features: FeatureSet, normalize: boolean): Float32Array {
  const c = features.channels;
  const total = features.maps.reduce((sum, m) => sum + m.height * m.width, 0);
  const rows = new Float32Array(total * c);
  let row = 0;
  for (const map of features.maps) {
    const positions = map.height * map.width;
    for (let p = 0; p < positions; p++, row++) {
      let norm = 0;
      for (let k = 0; k < c; k++) {
        const v = map.data[k * positions + p];
        rows[row * c + k] = v;
        norm += v * v;
      }
      if (normalize && norm > 0) {
        const inv = 1 / Math.sqrt(norm);
        for (let k = 0; k < c; k++) rows[row * c + k] *= inv;
      }
    }
  }
  return rows;
}
