/**
 * Keras models as TensorFlow.js stores them: a layers topology (Keras 2 JSON, functional
 * `Model`) and a weights manifest whose weights may be quantized. Only the parts kensa's converter
 * reads are validated; everything else passes through.
 */
import { z } from 'zod';

/** One inbound tensor: [layer name, node index, tensor index, kwargs]. */
const InboundTensorSchema = z.tuple([z.string(), z.number(), z.number()]).rest(z.unknown());

export const KerasLayerSchema = z.looseObject({
  name: z.string(),
  class_name: z.string(),
  config: z.record(z.string(), z.unknown()),
  inbound_nodes: z.array(z.array(InboundTensorSchema)),
});
export type KerasLayer = z.infer<typeof KerasLayerSchema>;

export const KerasTopologySchema = z.looseObject({
  keras_version: z.string().optional(),
  model_config: z.looseObject({
    class_name: z.enum(['Model', 'Functional']),
    config: z.looseObject({
      name: z.string().optional(),
      layers: z.array(KerasLayerSchema),
    }),
  }),
});
export type KerasTopology = z.infer<typeof KerasTopologySchema>;

export const WeightSpecSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32']),
  quantization: z
    .object({
      dtype: z.enum(['uint8', 'uint16', 'float16']),
      min: z.number().optional(),
      scale: z.number().optional(),
    })
    .optional(),
});
export type WeightSpec = z.infer<typeof WeightSpecSchema>;

export const WeightsManifestSchema = z.array(z.object({ paths: z.array(z.string()), weights: z.array(WeightSpecSchema) }));
export type WeightsManifest = z.infer<typeof WeightsManifestSchema>;

export interface Weight {
  shape: number[];
  data: Float32Array;
}
export type Weights = Map<string, Weight>;

/** A Keras model with its weights decoded. */
export interface KerasModel {
  topology: KerasTopology;
  weights: Weights;
}

/** IEEE half -> float, as TensorFlow.js's float16 decoder does. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Decode the concatenated weight bytes of every group, in manifest order, exactly as
 * TensorFlow.js does (tfjs-core io_utils decodeWeight): uint8/uint16 values become
 * `v * scale + min`, computed in double precision and stored as float32.
 */
export function decodeWeights(manifest: WeightsManifest, bytes: Uint8Array): Weights {
  const weights: Weights = new Map();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  for (const spec of manifest.flatMap((group) => group.weights)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const q = spec.quantization;
    const bytesPerValue = q ? (q.dtype === 'uint8' ? 1 : 2) : 4;
    if (offset + size * bytesPerValue > bytes.byteLength) {
      throw new Error(`weights end before ${spec.name} (${bytes.byteLength} bytes for the manifest)`);
    }
    const data = new Float32Array(size);
    if (!q) {
      for (let i = 0; i < size; i++) data[i] = spec.dtype === 'int32' ? view.getInt32(offset + 4 * i, true) : view.getFloat32(offset + 4 * i, true);
    } else if (q.dtype === 'float16') {
      for (let i = 0; i < size; i++) data[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
    } else {
      if (q.min === undefined || q.scale === undefined) throw new Error(`weight ${spec.name}: ${q.dtype} quantization without min and scale`);
      const { min, scale } = q;
      for (let i = 0; i < size; i++) {
        const v = q.dtype === 'uint8' ? bytes[offset + i] : view.getUint16(offset + 2 * i, true);
        data[i] = spec.dtype === 'int32' ? Math.round(v * scale + min) : v * scale + min;
      }
    }
    offset += size * bytesPerValue;
    weights.set(spec.name, { shape: [...spec.shape], data });
  }
  if (offset !== bytes.byteLength) throw new Error(`the weights manifest covers ${offset} of ${bytes.byteLength} weight bytes`);
  return weights;
}
