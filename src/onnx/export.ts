/** A standalone forward model: the chosen outputs, with trained parameters baked in. */
import type { Graph } from './graph.js';
import type { ParameterStore } from './parameters.js';
import { serialize } from './serialize.js';
import type { Tensor } from './tensor.js';
import type { FloatArray } from './dtype.js';

export interface ExportOptions {
  inputs: readonly Tensor[];
  outputs: Record<string, Tensor>;
  store: ParameterStore;
  docString?: string;
  metadata?: Record<string, string>;
}

/** ONNX bytes that any ONNX runtime can run alone: inputs in, outputs out, no parameters fed. */
export function exportModel(graph: Graph, options: ExportOptions): Uint8Array {
  const bake = new Map<string, FloatArray>();
  for (const name of graph.parameters.keys()) if (options.store.has(name)) bake.set(name, options.store.get(name).data);
  return serialize(graph, { inputs: options.inputs, outputs: options.outputs, bake, docString: options.docString, metadata: options.metadata });
}
