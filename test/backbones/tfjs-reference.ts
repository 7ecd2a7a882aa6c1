/**
 * TensorFlow.js (CPU backend) as the independent reference for the Keras converter: it loads the
 * same topology and weight bytes (and dequantizes them itself) and runs the original layers.
 */
import * as tf from '@tensorflow/tfjs';
import type { KerasTopology, WeightsManifest } from '../../src/backbones/keras.js';

let ready: Promise<void> | null = null;

function cpu(): Promise<void> {
  ready ??= tf.setBackend('cpu').then(() => tf.ready());
  return ready;
}

/**
 * The topology cut after the last of `outputs`, with those as the model outputs and a free input
 * size (tfjs checks input shapes against batch_input_shape).
 */
export function truncatedTopology(topology: KerasTopology, outputs: readonly string[]): KerasTopology {
  const copy = structuredClone(topology) as KerasTopology & { model_config: { config: Record<string, unknown> } };
  const layers = copy.model_config.config.layers;
  const last = Math.max(...outputs.map((n) => layers.findIndex((l) => l.name === n)));
  const kept = layers.slice(0, last + 1);
  for (const layer of kept) {
    if (layer.class_name === 'InputLayer') {
      const shape = layer.config.batch_input_shape as (number | null)[];
      layer.config.batch_input_shape = [null, null, null, shape[3]];
    }
  }
  copy.model_config.config.layers = kept;
  copy.model_config.config.output_layers = outputs.map((n) => [n, 0, 0]);
  return copy;
}

export interface Nchw {
  data: Float32Array;
  dims: number[];
}

function toNhwc(x: Nchw): tf.Tensor4D {
  const [n, c, h, w] = x.dims;
  const out = new Float32Array(x.data.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < h * w; i++) out[(b * h * w + i) * c + ch] = x.data[(b * c + ch) * h * w + i];
  return tf.tensor4d(out, [n, h, w, c]);
}

function toNchw(t: tf.Tensor): Nchw {
  const [n, h, w, c] = t.shape as number[];
  const src = t.dataSync() as Float32Array;
  const data = new Float32Array(src.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < h * w; i++) data[(b * c + ch) * h * w + i] = src[(b * h * w + i) * c + ch];
  return { data, dims: [n, c, h, w] };
}

/** Run the Keras layers in tfjs: NCHW in, the named layer outputs (NCHW) out. */
export async function tfjsReference(
  topology: KerasTopology,
  manifest: WeightsManifest,
  weightData: Uint8Array,
  outputs: readonly string[],
  input: Nchw,
): Promise<Record<string, Nchw>> {
  await cpu();
  const bytes = weightData.slice().buffer;
  const model = await tf.loadLayersModel(
    {
      load: async () => ({
        modelTopology: truncatedTopology(topology, outputs) as unknown as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: manifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
        weightData: bytes,
      }),
    },
    { strict: false },
  );
  const x = toNhwc(input);
  const result = model.predict(x) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(result) ? result : [result];
  const out = Object.fromEntries(outputs.map((name, i) => [name, toNchw(list[i])]));
  tf.dispose([x, ...list]);
  model.dispose();
  return out;
}

/** max |a - b| / max |b|: the error relative to the reference activation's scale. */
export function relativeError(actual: ArrayLike<number>, reference: ArrayLike<number>): { error: number; scale: number } {
  let scale = 0;
  let error = 0;
  for (let i = 0; i < reference.length; i++) {
    scale = Math.max(scale, Math.abs(reference[i]));
    error = Math.max(error, Math.abs(actual[i] - reference[i]));
  }
  return { error: error / scale, scale };
}
