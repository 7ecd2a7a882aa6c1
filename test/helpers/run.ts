/** Run a symbolic graph once in a real ONNX Runtime session (tests only). */
import ort from 'onnxruntime-node';
import type { Graph } from '../../src/onnx/graph.js';
import { serialize } from '../../src/onnx/serialize.js';
import { createSession } from '../../src/onnx/session.js';
import type { Tensor } from '../../src/onnx/tensor.js';

export interface Feed {
  data: number[] | Float64Array | Float32Array;
  shape: number[];
}

export function toOrt(dtype: 'float32' | 'float64', feed: Feed): ort.Tensor {
  const data = dtype === 'float64' ? Float64Array.from(feed.data) : Float32Array.from(feed.data);
  return new ort.Tensor(dtype, data, feed.shape);
}

/** Compile `outputs` of `graph` into a session; the returned function runs it on plain arrays. */
export async function compile(graph: Graph, inputs: Tensor[], outputs: Record<string, Tensor>) {
  const session = await createSession(serialize(graph, { inputs, outputs }), { threads: 1 });
  return async (feeds: Record<string, Feed>): Promise<Record<string, number[]>> => {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const t of inputs) ortFeeds[t.name] = toOrt(t.dtype as 'float32' | 'float64', feeds[t.name]);
    const result = await session.run(ortFeeds);
    return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, Array.from(v.data as Float64Array, Number)]));
  };
}
