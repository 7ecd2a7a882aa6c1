/**
 * Merge an ONNX model (decoded with proto.ts) into a symbolic Graph: its initializers become
 * constants, its nodes are copied under a name prefix, its input is bound to a tensor of ours, and
 * the tensors asked for come back as ordinary Tensors that later ops can build on. Only the nodes
 * the requested tensors need are copied (a classifier head after the features is left out).
 *
 * The merged graph is serialized at our opset (18). Models at opsets 11..17 are accepted: the ops
 * whose signature changed since (axes and split moved from attributes to inputs, Dropout) are
 * rewritten; the few whose semantics changed and cannot be rewritten safely are rejected with a
 * message that says so. Opsets below 11 or above 18, other domains and control flow are rejected.
 */
import type { DType } from './dtype.js';
import type { ConstantData, Graph } from './graph.js';
import { OnnxAttributeType, OnnxDataType, type AttributeProto, type ModelProto, type NodeProto, type TensorProto } from './proto.js';
import { OPSET } from './serialize.js';
import { attr, type Attr, type Attrs, type Shape, type Tensor } from './tensor.js';

export const MIN_IMPORT_OPSET = 11;

export class OnnxImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxImportError';
  }
}

export interface ImportOptions {
  /** Prefix for every imported tensor name (`<prefix>/<name>`), so merged graphs never clash. */
  prefix: string;
  /** The model's graph inputs to bind, by their name in the model, to tensors of ours. */
  inputs: Record<string, Tensor>;
  /**
   * Tensors of the model to return, by their name in the model (graph outputs or any
   * intermediate value), with the static shape and dtype they are known to have.
   */
  outputs: Record<string, { shape: Shape; dtype?: DType }>;
  /** Named in error messages (for example the ONNX file). */
  source?: string;
}

const ONNX_TO_DTYPE: Partial<Record<number, DType>> = {
  [OnnxDataType.FLOAT]: 'float32',
  [OnnxDataType.DOUBLE]: 'float64',
  [OnnxDataType.INT64]: 'int64',
  [OnnxDataType.INT32]: 'int32',
  [OnnxDataType.UINT8]: 'uint8',
  [OnnxDataType.BOOL]: 'bool',
};

const DATA_TYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

function typeName(dataType: number | undefined): string {
  return DATA_TYPE_NAMES[dataType ?? 0] ?? `type ${dataType}`;
}

/** The opset of the default ONNX domain a model was written for. */
export function defaultOpset(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!entry) throw new OnnxImportError('the model imports no opset of the default ONNX domain');
  return Number(entry.version);
}

/** Bytes of raw_data, copied into their own buffer so that typed arrays over them are aligned. */
function alignedBytes(raw: Uint8Array): ArrayBuffer {
  // Not raw.slice(): on a Node Buffer that is a view of the same (pooled) memory.
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  return copy.buffer;
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** protobufjs hands int64 fields over as JS numbers; saturate instead of wrapping around. */
function toInt64(value: number): bigint {
  if (value >= 9.2233720368547758e18) return INT64_MAX;
  if (value <= -9.2233720368547758e18) return INT64_MIN;
  return BigInt(Math.trunc(value));
}

/** The data and kensa dtype of an initializer, or a clear error for types kensa cannot hold. */
export function tensorData(t: TensorProto, what: string): { data: ConstantData; dtype: DType; dims: number[] } {
  if (t.dataLocation === 1 || (t.externalData && t.externalData.length > 0)) {
    throw new OnnxImportError(
      `${what} keeps its data in an external file; save the model with all tensors inside the .onnx ` +
        '(onnx.save_model(model, path, save_as_external_data=False)) or convert it with onnx.load + onnx.save',
    );
  }
  const dtype = ONNX_TO_DTYPE[t.dataType ?? 0];
  if (!dtype) {
    throw new OnnxImportError(
      `${what} has element type ${typeName(t.dataType)}; kensa imports float32/float64/int32/int64/uint8/bool tensors ` +
        '(convert a float16 or quantized model to float32 first)',
    );
  }
  const dims = (t.dims ?? []).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  let data: ConstantData;
  switch (dtype) {
    case 'float32':
      data = raw ? new Float32Array(alignedBytes(raw)) : Float32Array.from(t.floatData ?? []);
      break;
    case 'float64':
      data = raw ? new Float64Array(alignedBytes(raw)) : Float64Array.from(t.doubleData ?? []);
      break;
    case 'int64':
      data = raw ? new BigInt64Array(alignedBytes(raw)) : BigInt64Array.from((t.int64Data ?? []).map(toInt64));
      break;
    case 'int32':
      data = raw ? new Int32Array(alignedBytes(raw)) : Int32Array.from(t.int32Data ?? []);
      break;
    case 'uint8':
    case 'bool':
      data = raw ? new Uint8Array(alignedBytes(raw)) : Uint8Array.from(t.int32Data ?? []);
      break;
  }
  if (data.length !== count) {
    throw new OnnxImportError(`${what} holds ${data.length} values for dims [${dims.join(', ')}]`);
  }
  return { data, dtype, dims };
}

function attributeOf(a: AttributeProto, where: string): Attr {
  let type = a.type;
  if (!type) {
    // Very old writers leave the type out: infer it from the field that is set.
    if (a.t) type = OnnxAttributeType.TENSOR;
    else if (a.s) type = OnnxAttributeType.STRING;
    else if (a.ints && a.ints.length > 0) type = OnnxAttributeType.INTS;
    else if (a.floats && a.floats.length > 0) type = OnnxAttributeType.FLOATS;
    else if (a.f !== undefined) type = OnnxAttributeType.FLOAT;
    else type = OnnxAttributeType.INT;
  }
  switch (type) {
    case OnnxAttributeType.INT:
      return attr.int(Number(a.i ?? 0));
    case OnnxAttributeType.FLOAT:
      return attr.float(a.f ?? 0);
    case OnnxAttributeType.INTS:
      return attr.ints((a.ints ?? []).map(Number));
    case OnnxAttributeType.FLOATS:
      return attr.floats(a.floats ?? []);
    case OnnxAttributeType.STRING:
      return attr.string(new TextDecoder().decode(a.s ?? new Uint8Array(0)));
    case OnnxAttributeType.TENSOR:
      if (!a.t) throw new OnnxImportError(`${where}: attribute ${a.name} has no tensor`);
      return attr.tensor(a.t);
    default:
      throw new OnnxImportError(
        `${where}: attribute ${a.name} is of a kind kensa cannot import (sub-graphs, string lists or tensor lists: ` +
          'control flow such as If/Loop/Scan is not supported in a backbone)',
      );
  }
}

/** Ops whose axes/split moved from an attribute to an input, and the opset that moved them. */
const AXES_TO_INPUT: Record<string, number> = {
  Squeeze: 13,
  Unsqueeze: 13,
  ReduceSum: 13,
  ReduceMean: 18,
  ReduceMax: 18,
  ReduceMin: 18,
  ReduceProd: 18,
  ReduceL1: 18,
  ReduceL2: 18,
  ReduceLogSum: 18,
  ReduceLogSumExp: 18,
  ReduceSumSquare: 18,
};

/** Ops that make no sense in a frozen backbone or whose old semantics cannot be rewritten. */
const REJECTED: Record<string, string> = {
  If: 'control flow',
  Loop: 'control flow',
  Scan: 'control flow',
  Upsample: 'deprecated since opset 10; re-export with Resize',
};

interface PlannedNode {
  opType: string;
  inputs: (string | { constant: ConstantData; dims: number[]; dtype: DType })[];
  outputs: string[];
  attrs: Attrs;
}

/**
 * Rewrite one node of a model at opset `opset` into its opset-18 form (inputs stay names, except
 * for constants the rewrite introduces).
 */
function upgradeNode(node: NodeProto, opset: number, where: string): PlannedNode {
  const attrs: Attrs = {};
  for (const a of node.attribute ?? []) attrs[a.name] = attributeOf(a, where);
  const inputs: PlannedNode['inputs'] = [...node.input];
  let outputs = [...node.output];
  let opType = node.opType;

  if (REJECTED[opType]) throw new OnnxImportError(`${where}: ${opType} is not supported (${REJECTED[opType]})`);

  const moved = AXES_TO_INPUT[opType];
  if (moved !== undefined && opset < moved && attrs.axes) {
    const axes = (attrs.axes as { value: readonly number[] }).value;
    delete attrs.axes;
    // Squeeze/Unsqueeze take (data, axes); reductions take (data, axes) as well.
    inputs.splice(1, 0, { constant: BigInt64Array.from(axes.map((v) => BigInt(v))), dims: [axes.length], dtype: 'int64' });
  }
  if (opType === 'Split') {
    if (opset < 13 && attrs.split) {
      const split = (attrs.split as { value: readonly number[] }).value;
      delete attrs.split;
      inputs[1] = { constant: BigInt64Array.from(split.map((v) => BigInt(v))), dims: [split.length], dtype: 'int64' };
    }
    // Opset 18 wants either the split input or num_outputs.
    if ((inputs.length < 2 || inputs[1] === '') && !attrs.num_outputs) {
      attrs.num_outputs = attr.int(outputs.length);
      inputs.length = 1;
    }
  }
  if ((opType === 'Softmax' || opType === 'LogSoftmax' || opType === 'Hardmax') && opset < 13) {
    const axis = attrs.axis ? (attrs.axis as { value: number }).value : 1;
    if (axis !== -1) {
      throw new OnnxImportError(
        `${where}: ${opType} before opset 13 flattens its input to 2-D around axis ${axis}, which opset 18 does not; ` +
          're-export the model at opset 13 or later',
      );
    }
  }
  if (opType === 'Dropout') {
    // Inference: Dropout is the identity. Its mask output, if any, must be unused (checked by the caller).
    opType = 'Identity';
    inputs.length = 1;
    for (const key of Object.keys(attrs)) delete attrs[key];
    outputs = outputs.slice(0, 1);
  }
  if (opType === 'BatchNormalization') {
    // Only the inference output; training_mode / spatial are not ours to keep.
    delete attrs.spatial;
    delete attrs.training_mode;
    outputs = outputs.slice(0, 1);
  }
  return { opType, inputs, outputs, attrs };
}

/**
 * Check, without building anything, that `model` can be merged with these inputs bound and these
 * outputs taken: its opset, its graph inputs and that it computes every requested tensor.
 */
export function checkImportable(model: ModelProto, inputs: readonly string[], outputs: readonly string[], source = 'the ONNX model'): void {
  const opset = defaultOpset(model);
  if (opset < MIN_IMPORT_OPSET || opset > OPSET) {
    throw new OnnxImportError(
      `${source} uses ONNX opset ${opset}; kensa merges models at opsets ${MIN_IMPORT_OPSET} to ${OPSET} ` +
        `(re-export it with opset_version=${OPSET}, or convert it with onnx.version_converter)`,
    );
  }
  const g = model.graph;
  if (!g) throw new OnnxImportError(`${source} has no graph`);
  const weights = new Set((g.initializer ?? []).map((t) => t.name));
  const dataInputs = (g.input ?? []).map((i) => i.name).filter((name) => !weights.has(name));
  for (const name of inputs) {
    if (!dataInputs.includes(name)) {
      throw new OnnxImportError(`${source} has no graph input "${name}"; its inputs are: ${dataInputs.join(', ') || '(none)'}`);
    }
  }
  const produced = new Set(g.node.flatMap((n) => n.output));
  const missing = outputs.filter((name) => !produced.has(name));
  if (missing.length > 0) {
    const known = (g.output ?? []).map((o) => o.name);
    const notComputed = weights.has(missing[0]) || dataInputs.includes(missing[0]);
    throw new OnnxImportError(
      `${source} computes no tensor named ${missing.map((m) => `"${m}"`).join(', ')}` +
        (notComputed ? ' (that name is an input or a weight, not a computed tensor)' : '') +
        `; its graph outputs are: ${known.join(', ') || '(none)'} (any intermediate tensor name works too)`,
    );
  }
}

/** Append the part of `model` that computes `options.outputs` to `graph`; returns those tensors. */
export function importOnnx(graph: Graph, model: ModelProto, options: ImportOptions): Record<string, Tensor> {
  const source = options.source ?? 'the ONNX model';
  checkImportable(model, Object.keys(options.inputs), Object.keys(options.outputs), source);
  const opset = defaultOpset(model);
  const g = model.graph;

  const initializers = new Map<string, TensorProto>();
  for (const t of g.initializer ?? []) if (t.name) initializers.set(t.name, t);
  const producers = new Map<string, NodeProto>();
  for (const node of g.node) for (const out of node.output) if (out) producers.set(out, node);
  const dataInputs = (g.input ?? []).map((i) => i.name).filter((name) => !initializers.has(name));

  // Which nodes the requested outputs need, in the model's order.
  const needed = new Set<NodeProto>();
  const stack = Object.keys(options.outputs).map((name) => producers.get(name)!);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (needed.has(node)) continue;
    needed.add(node);
    for (const input of node.input) {
      const producer = producers.get(input);
      if (producer) stack.push(producer);
    }
  }
  const nodes = g.node.filter((n) => needed.has(n));

  // A mask output of Dropout (or a training output of BatchNormalization) that something reads.
  const read = new Set([...nodes.flatMap((n) => n.input), ...Object.keys(options.outputs)]);

  const tensors = new Map<string, Tensor>();
  const prefixed = (name: string): string => `${options.prefix}/${name}`;
  const resolve = (name: string, where: string): Tensor => {
    const known = tensors.get(name);
    if (known) return known;
    const bound = options.inputs[name];
    if (bound) {
      tensors.set(name, bound);
      return bound;
    }
    const init = initializers.get(name);
    if (init) {
      const { data, dtype, dims } = tensorData(init, `initializer "${name}"`);
      const t = graph.constant(data, dims, dtype);
      tensors.set(name, t);
      return t;
    }
    if (dataInputs.includes(name)) {
      throw new OnnxImportError(`${where} reads the graph input "${name}", which is not bound to a tensor`);
    }
    throw new OnnxImportError(`${where} reads "${name}", which nothing in ${source} produces`);
  };

  const valueTypes = new Map<string, number | undefined>();
  for (const vi of [...(g.valueInfo ?? []), ...(g.output ?? [])]) valueTypes.set(vi.name, vi.type?.tensorType?.elemType);

  for (const [index, node] of nodes.entries()) {
    const where = `${source}, node ${node.name || index} (${node.opType})`;
    if (node.domain && node.domain !== 'ai.onnx') {
      throw new OnnxImportError(`${where}: operator domain "${node.domain}" is not supported (only standard ONNX ops)`);
    }
    const planned = upgradeNode(node, opset, where);
    for (const dropped of node.output.slice(planned.outputs.length)) {
      if (dropped && read.has(dropped)) throw new OnnxImportError(`${where}: its training-only output "${dropped}" is used`);
    }
    // Optional inputs left empty: trailing ones are dropped; a few known middle ones get an equivalent value.
    while (planned.inputs.length > 0 && planned.inputs[planned.inputs.length - 1] === '') planned.inputs.pop();
    const inputs = planned.inputs.map((input, i): Tensor => {
      if (typeof input !== 'string') return graph.constant(input.constant, input.dims, input.dtype);
      if (input !== '') return resolve(input, where);
      if (planned.opType === 'Resize' && (i === 1 || i === 2)) return graph.constant(new Float32Array(0), [0], 'float32');
      if (planned.opType === 'Clip' && i === 1) return graph.constant(new Float32Array([-3.4028234663852886e38]), [], 'float32');
      throw new OnnxImportError(`${where}: optional input ${i} is left empty, which kensa cannot express`);
    });
    const outputs = planned.outputs.map((name) => {
      const known = options.outputs[name];
      if (known) return { dtype: known.dtype ?? 'float32', shape: known.shape };
      // Shapes of internal tensors are not tracked (nothing of ours builds on them).
      return { dtype: ONNX_TO_DTYPE[valueTypes.get(name) ?? OnnxDataType.FLOAT] ?? 'float32', shape: [] as Shape };
    });
    const names = planned.outputs.map((name) => (name ? prefixed(name) : `${prefixed(node.name || `node${index}`)}/unused`));
    const produced = graph.node(planned.opType, inputs, outputs, planned.attrs, { names, stopsGradient: true });
    planned.outputs.forEach((name, i) => {
      if (name) tensors.set(name, produced[i]);
    });
  }

  return Object.fromEntries(Object.keys(options.outputs).map((name) => [name, tensors.get(name)!]));
}
