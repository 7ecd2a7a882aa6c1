/** Element types of symbolic tensors and how they map to ONNX and to JavaScript typed arrays. */
import { OnnxDataType } from './proto.js';

export type FloatDType = 'float32' | 'float64';
export type DType = FloatDType | 'int64' | 'int32' | 'bool' | 'uint8';

export type FloatArray = Float32Array | Float64Array;

export const ONNX_DTYPE: Record<DType, number> = {
  float32: OnnxDataType.FLOAT,
  float64: OnnxDataType.DOUBLE,
  int64: OnnxDataType.INT64,
  int32: OnnxDataType.INT32,
  bool: OnnxDataType.BOOL,
  uint8: OnnxDataType.UINT8,
};

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

export function floatArray(dtype: FloatDType, length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** Bytes of a typed array, little-endian as ONNX raw_data requires (every supported host is). */
export function rawBytes(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
