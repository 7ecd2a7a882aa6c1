/**
 * A backbone is something that appends a frozen ImageNet network to a Graph: described by a
 * manifest (input normalization, feature outputs with strides and channels) and applied to the
 * normalized input tensor. Two kinds: an ONNX file named by a manifest (every backbone in
 * production, kensa's own converted ones included) and a Keras model converted straight into the
 * graph (the converter's direct path, used to build and check the ONNX files).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Graph } from '../onnx/graph.js';
import { checkImportable, importOnnx } from '../onnx/import.js';
import * as op from '../onnx/ops.js';
import { decodeModel, type ModelProto } from '../onnx/proto.js';
import { freshDim } from '../onnx/shape.js';
import type { Tensor } from '../onnx/tensor.js';
import { convertKeras } from './keras-convert.js';
import type { KerasModel } from './keras.js';
import { BackboneManifestError, readBackboneManifest, scaleOffset, type BackboneManifest, type BackboneOutput } from './manifest.js';

export interface Backbone {
  readonly manifest: BackboneManifest;
  /**
   * Append the backbone to x's graph. `x` is the backbone input (already normalized, in the
   * backbone's channel order), [N, 3, H, W]; returns the named outputs, [N, C, h, w] each.
   */
  apply(x: Tensor, layers: readonly string[]): Record<string, Tensor>;
}

/** The manifest entry of an output, or an error listing the ones there are. */
export function backboneOutput(manifest: BackboneManifest, name: string): BackboneOutput {
  const spec = manifest.outputs.find((o) => o.name === name);
  if (!spec) {
    throw new BackboneManifestError(
      `backbone ${manifest.name} has no output "${name}"; its outputs are: ${manifest.outputs.map((o) => o.name).join(', ')}`,
    );
  }
  return spec;
}

/** RGB image in [0, 1], [N, 3, H, W] -> the backbone's input (channel order, then scale and offset). */
export function backboneInput(image: Tensor, manifest: BackboneManifest): Tensor {
  const g = image.graph;
  let x = image;
  if (manifest.input.channels === 'bgr') {
    const channel = (c: number): Tensor => op.slice(x, { axes: [1], starts: [c], ends: [c + 1] });
    x = op.concat([channel(2), channel(1), channel(0)], 1);
  }
  const { scale, offset } = scaleOffset(manifest.input.normalization);
  const uniform = (v: number[]): boolean => v.every((e) => e === v[0]);
  const constant = (v: number[]): Tensor | number =>
    uniform(v) ? v[0] : g.constant(Float32Array.from(v), [1, 3, 1, 1], 'float32');
  if (!scale.every((s) => s === 1)) x = op.mul(x, constant(scale));
  if (!offset.every((o) => o === 0)) x = op.add(x, constant(offset));
  return x;
}

function checkLayers(manifest: BackboneManifest, layers: readonly string[]): BackboneOutput[] {
  if (layers.length === 0) throw new BackboneManifestError(`no layers chosen from backbone ${manifest.name}`);
  return layers.map((name) => backboneOutput(manifest, name));
}

const prefixes = new WeakMap<Graph, number>();

/** A backbone held in an ONNX file, merged into the graph node by node. */
export class OnnxBackbone implements Backbone {
  constructor(
    readonly manifest: BackboneManifest,
    readonly model: ModelProto,
    /** Where the model came from, for error messages. */
    readonly source: string,
  ) {}

  /** Read a manifest (a backbone.json file or its directory) and the ONNX file it names. */
  static async load(manifestPath: string): Promise<OnnxBackbone> {
    const { manifest, file, dir } = await readBackboneManifest(manifestPath);
    const modelPath = path.resolve(dir, manifest.model);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(modelPath);
    } catch (error) {
      throw new BackboneManifestError(`backbone manifest ${file} names model ${manifest.model}, which cannot be read: ${(error as Error).message}`);
    }
    let model: ModelProto;
    try {
      model = decodeModel(bytes);
    } catch (error) {
      throw new BackboneManifestError(`${modelPath} is not an ONNX model: ${(error as Error).message}`);
    }
    const backbone = new OnnxBackbone(manifest, model, modelPath);
    try {
      checkImportable(model, [backbone.inputName()], manifest.outputs.map((o) => o.name), modelPath);
    } catch (error) {
      throw new BackboneManifestError(`backbone manifest ${file}: ${(error as Error).message}`);
    }
    return backbone;
  }

  /** The graph input the manifest feeds. */
  inputName(): string {
    if (this.manifest.input.name) return this.manifest.input.name;
    const weights = new Set((this.model.graph.initializer ?? []).map((t) => t.name));
    const inputs = (this.model.graph.input ?? []).map((i) => i.name).filter((n) => !weights.has(n));
    if (inputs.length !== 1) {
      throw new BackboneManifestError(
        `${this.source} has ${inputs.length} inputs (${inputs.join(', ')}); name the image input in the manifest's input.name`,
      );
    }
    return inputs[0];
  }

  apply(x: Tensor, layers: readonly string[]): Record<string, Tensor> {
    const specs = checkLayers(this.manifest, layers);
    const count = prefixes.get(x.graph) ?? 0;
    prefixes.set(x.graph, count + 1);
    const prefix = count === 0 ? this.manifest.name : `${this.manifest.name}_${count}`;
    const outputs = Object.fromEntries(
      specs.map((s) => [s.name, { shape: [x.shape[0], s.channels, freshDim(`${s.name}_h`), freshDim(`${s.name}_w`)] }]),
    );
    return importOnnx(x.graph, this.model, { prefix, inputs: { [this.inputName()]: x }, outputs, source: this.source });
  }
}

/** A Keras model converted straight into the graph (kensa's converter, no ONNX file in between). */
export class KerasBackbone implements Backbone {
  constructor(
    readonly manifest: BackboneManifest,
    readonly model: KerasModel,
  ) {}

  apply(x: Tensor, layers: readonly string[]): Record<string, Tensor> {
    checkLayers(this.manifest, layers);
    return convertKeras(x.graph, x, this.model, { outputs: layers });
  }
}
