/**
 * Graph -> ONNX ModelProto bytes. Only the nodes the requested outputs need are written; each
 * parameter is either a graph input (training: fed every step) or an initializer holding its
 * current value (export: a standalone model).
 */
import { ONNX_DTYPE, rawBytes } from './dtype.js';
import type { ConstantData, Graph } from './graph.js';
import { encodeModel, OnnxAttributeType, type AttributeProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from './proto.js';
import type { Attr, Node, Tensor } from './tensor.js';

export const OPSET = 18;
export const IR_VERSION = 8;

export interface SerializeOptions {
  /** Graph inputs, in order: data inputs and any parameters that are fed at run time. */
  inputs: readonly Tensor[];
  /** Outputs by the name they get in the model. */
  outputs: Record<string, Tensor>;
  /** Values of parameters baked in as initializers. */
  bake?: ReadonlyMap<string, ConstantData>;
  docString?: string;
  metadata?: Record<string, string>;
}

export function tensorProto(name: string, data: ConstantData, dims: readonly number[], dtype: keyof typeof ONNX_DTYPE): TensorProto {
  return { name, dims: [...dims], dataType: ONNX_DTYPE[dtype], rawData: rawBytes(data) };
}

function valueInfo(name: string, t: Tensor): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE[t.dtype],
        shape: { dim: t.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attributeProto(name: string, a: Attr): AttributeProto {
  switch (a.type) {
    case 'int':
      return { name, type: OnnxAttributeType.INT, i: a.value };
    case 'float':
      return { name, type: OnnxAttributeType.FLOAT, f: a.value };
    case 'ints':
      return { name, type: OnnxAttributeType.INTS, ints: [...a.value] };
    case 'floats':
      return { name, type: OnnxAttributeType.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor':
      return { name, type: OnnxAttributeType.TENSOR, t: a.value };
  }
}

function nodeProto(node: Node, index: number): NodeProto {
  return {
    name: `${node.opType}_${index}`,
    opType: node.opType,
    domain: node.domain,
    input: node.inputs.map((t) => t.name),
    output: node.outputs.map((t) => t.name),
    attribute: Object.entries(node.attrs).map(([k, v]) => attributeProto(k, v)),
  };
}

/** The nodes needed to compute `outputs`, in graph order. */
export function requiredNodes(graph: Graph, outputs: readonly Tensor[]): Node[] {
  const needed = new Set<Node>();
  const stack = outputs.map((t) => t.producer).filter((n): n is Node => n !== null);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (needed.has(node)) continue;
    needed.add(node);
    for (const input of node.inputs) if (input.producer) stack.push(input.producer);
  }
  return graph.nodes.filter((n) => needed.has(n));
}

/** The tensors without producer (inputs, parameters, constants) that `outputs` depend on. */
export function requiredLeaves(graph: Graph, outputs: readonly Tensor[]): Set<Tensor> {
  const leaves = new Set(requiredNodes(graph, outputs).flatMap((n) => n.inputs).filter((t) => !t.producer));
  for (const t of outputs) if (!t.producer) leaves.add(t);
  return leaves;
}

export function toModelProto(graph: Graph, options: SerializeOptions): ModelProto {
  const outputTensors = Object.values(options.outputs);
  const nodes = requiredNodes(graph, outputTensors);
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const inputNames = new Set(options.inputs.map((t) => t.name));
  const initializers: TensorProto[] = [];
  const seen = new Set<string>();

  // Every tensor a node reads must be produced, fed, or stored.
  const leaves = [...nodes.flatMap((n) => n.inputs), ...outputTensors].filter((t) => !produced.has(t));
  for (const t of leaves) {
    if (seen.has(t.name) || inputNames.has(t.name)) continue;
    seen.add(t.name);
    const constant = graph.constants.get(t.name);
    const baked = options.bake?.get(t.name);
    if (constant) initializers.push(tensorProto(t.name, constant.data, t.shape as number[], t.dtype));
    else if (baked) initializers.push(tensorProto(t.name, baked, t.shape as number[], t.dtype));
    else throw new Error(`serialize: ${t} is neither an input, a constant nor a baked parameter`);
  }

  const nodeProtos = nodes.map(nodeProto);
  const outputs: ValueInfoProto[] = [];
  for (const [name, t] of Object.entries(options.outputs)) {
    // Rename with an Identity when the model's output name differs from the tensor's.
    if (name !== t.name) nodeProtos.push({ name: `output_${name}`, opType: 'Identity', domain: '', input: [t.name], output: [name] });
    outputs.push(valueInfo(name, t));
  }

  return {
    irVersion: IR_VERSION,
    producerName: 'kensa',
    docString: options.docString,
    opsetImport: [{ domain: '', version: OPSET }],
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'kensa',
      node: nodeProtos,
      initializer: initializers,
      input: options.inputs.map((t) => valueInfo(t.name, t)),
      output: outputs,
    },
  };
}

export function serialize(graph: Graph, options: SerializeOptions): Uint8Array {
  return encodeModel(toModelProto(graph, options));
}
