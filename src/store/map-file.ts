/**
 * The stored form of a normalized anomaly map: "KMP1", width and height (uint32 little-endian),
 * then width x height bytes. Written as the camera is answered (no PNG encoding on that path);
 * heatmaps are rendered from it when someone asks.
 */
import type { NormalizedMap } from '../model/loaded-model.js';

const MAGIC = 'KMP1';
const HEADER_BYTES = 12;

export function encodeMap(map: NormalizedMap): Uint8Array {
  if (map.data.length !== map.width * map.height) throw new RangeError(`map holds ${map.data.length} bytes, ${map.width}x${map.height} expected`);
  const out = new Uint8Array(HEADER_BYTES + map.data.length);
  const view = new DataView(out.buffer);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  view.setUint32(4, map.width, true);
  view.setUint32(8, map.height, true);
  out.set(map.data, HEADER_BYTES);
  return out;
}

export function decodeMap(bytes: Uint8Array): NormalizedMap {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_BYTES || Buffer.from(bytes.subarray(0, 4)).toString('latin1') !== MAGIC) throw new Error('not a kensa map file');
  const width = view.getUint32(4, true);
  const height = view.getUint32(8, true);
  if (bytes.length !== HEADER_BYTES + width * height) throw new Error(`map file holds ${bytes.length - HEADER_BYTES} bytes, ${width}x${height} expected`);
  return { width, height, data: bytes.subarray(HEADER_BYTES) };
}
