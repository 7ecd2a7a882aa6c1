/**
 * FeatureExtractor: the feature graph compiled into one ONNX Runtime session, run on batches of
 * preprocessed images (float32 NCHW, RGB in [0, 1]) to give feature maps [N, C, h, w].
 */
import ort from 'onnxruntime-node';
import type { Backbone } from '../backbones/backbone.js';
import { Graph } from '../onnx/graph.js';
import { serialize } from '../onnx/serialize.js';
import { createSession, type SessionConfig } from '../onnx/session.js';
import { buildFeatureGraph, type FeatureOptions } from './feature-graph.js';
import type { BackboneOutput } from '../backbones/manifest.js';

export const FEATURE_INPUT = 'image';
export const FEATURE_OUTPUT = 'features';

export interface FeatureExtractorOptions extends FeatureOptions, SessionConfig {
  backbone: Backbone;
}

export interface FeatureBatch {
  /** [n, channels, h, w], row-major. */
  data: Float32Array;
  dims: [number, number, number, number];
}

export class FeatureExtractor {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** The compiled model: input "image" [N, 3, H, W], output "features" [N, C, h, w]. */
    readonly onnx: Uint8Array,
    readonly backbone: Backbone,
    readonly channels: number,
    readonly stride: number,
    readonly layers: readonly BackboneOutput[],
  ) {}

  static async create(options: FeatureExtractorOptions): Promise<FeatureExtractor> {
    const graph = new Graph('float32');
    const image = graph.input(FEATURE_INPUT, ['N', 3, 'H', 'W']);
    const built = buildFeatureGraph(graph, image, options);
    const onnx = serialize(graph, {
      inputs: [image],
      outputs: { [FEATURE_OUTPUT]: built.features },
      docString: `kensa features: ${options.backbone.manifest.name} [${built.layers.map((l) => l.name).join(', ')}] on the stride-${built.stride} grid`,
    });
    const session = await createSession(onnx, { device: options.device, threads: options.threads, optimization: options.optimization });
    return new FeatureExtractor(session, onnx, options.backbone, built.channels, built.stride, built.layers);
  }

  /** Features of a batch of images: `images` is float32 [n, 3, H, W] (RGB in [0, 1]), `dims` its shape. */
  async run(images: Float32Array, dims: readonly [number, number, number, number]): Promise<FeatureBatch> {
    const [n, c, h, w] = dims;
    if (dims.some((d) => !Number.isInteger(d) || d < 1) || c !== 3) throw new Error(`images must be [n, 3, H, W], got [${dims.join(', ')}]`);
    if (images.length !== n * c * h * w) throw new Error(`images hold ${images.length} values for [${dims.join(', ')}]`);
    const input = this.backbone.manifest.input;
    if (!input.dynamic && (h !== input.size[0] || w !== input.size[1])) {
      throw new Error(`backbone ${this.backbone.manifest.name} takes ${input.size[0]}x${input.size[1]} images only; got ${h}x${w}`);
    }
    if (input.minSize && (h < input.minSize[0] || w < input.minSize[1])) {
      throw new Error(`backbone ${this.backbone.manifest.name} needs images of at least ${input.minSize[0]}x${input.minSize[1]}; got ${h}x${w}`);
    }
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = await this.session.run({ [FEATURE_INPUT]: new ort.Tensor('float32', images, [n, c, h, w]) });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new Error(`feature extraction failed on ${n}x3x${h}x${w} images with backbone ${this.backbone.manifest.name}: ${detail}`, { cause: error });
    }
    const out = result[FEATURE_OUTPUT];
    const outDims = out.dims.map(Number) as [number, number, number, number];
    if (outDims[1] !== this.channels) {
      throw new Error(
        `backbone ${this.backbone.manifest.name} gave ${outDims[1]} feature channels where its manifest promises ${this.channels} ` +
          `(${this.layers.map((l) => `${l.name}: ${l.channels}`).join(', ')}); fix the manifest's channel counts`,
      );
    }
    return { data: out.data as Float32Array, dims: outDims };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
