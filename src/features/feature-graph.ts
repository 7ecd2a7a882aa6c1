/**
 * The feature graph: RGB image [N, 3, H, W] in [0, 1] -> optional downscale (a coarse pass) ->
 * backbone input scaling -> backbone -> chosen layers, each resized (bilinear, half-pixel) to one
 * grid -> concatenated on channels -> optional k x k average smoothing -> optional L2
 * normalization per position -> [N, C, h, w].
 * With a tile grid, the backbone and the resize run on overlapping tiles whose cores are stitched
 * back into the same whole-frame grid (tiling.ts); what follows does not know the difference.
 *
 * Built with kensa's graph builder, so later code can append an energy function to `features`
 * and export image -> anomaly map as one ONNX model. Sizes are computed from run-time shapes, so
 * H and W stay symbolic wherever the backbone allows any input size.
 */
import type { Backbone } from '../backbones/backbone.js';
import { backboneInput, backboneOutput } from '../backbones/backbone.js';
import type { BackboneOutput } from '../backbones/manifest.js';
import type { Graph } from '../onnx/graph.js';
import * as op from '../onnx/ops.js';
import { freshDim } from '../onnx/shape.js';
import { attr, type Dim, type Tensor } from '../onnx/tensor.js';
import { checkTileGrid, tiledFeatures, tileUnit, type TileGrid } from './tiling.js';

export const DEFAULT_GRID_STRIDE = 16;

export interface FeatureOptions {
  /** Backbone outputs to use, by name; default: the manifest's defaultLayers (or all outputs). */
  layers?: readonly string[];
  /**
   * Stride of the common grid (default 16). The grid is that of the first chosen layer with this
   * stride, or floor(image size / stride) when no chosen layer has it.
   */
  stride?: number;
  /** L2-normalize the feature vector of every position (default true). */
  normalize?: boolean;
  /** Average each feature over a k x k neighbourhood (k odd; 1 = off, the default). */
  smoothing?: number;
  /** Numerical floor of the L2 norm: x / sqrt(|x|^2 + eps) (default 1e-12). */
  eps?: number;
  /** Run the backbone on overlapping tiles and stitch their features (see tiling.ts); default: the whole image at once. */
  tile?: TileGrid;
  /** Shrink the image by this factor (0 < s <= 1) before the backbone: the coarse pass of a multi-scale model (default 1). */
  inputScale?: number;
}

export interface FeatureGraphOptions extends FeatureOptions {
  backbone: Backbone;
}

export interface FeatureGraph {
  /** [N, channels, h, w]. */
  features: Tensor;
  channels: number;
  /** Input pixels per grid cell (the grid's stride). */
  stride: number;
  /** The backbone outputs used, in channel order. */
  layers: BackboneOutput[];
}

/** The layer list and options, defaults filled in and checked against the backbone. */
export function resolveFeatureOptions(backbone: Backbone, options: FeatureOptions): Required<Omit<FeatureOptions, 'tile'>> & Pick<FeatureOptions, 'tile'> & { outputs: BackboneOutput[] } {
  const m = backbone.manifest;
  const layers = options.layers ?? m.defaultLayers ?? m.outputs.map((o) => o.name);
  const outputs = layers.map((name) => backboneOutput(m, name));
  if (new Set(layers).size !== layers.length) throw new Error(`feature layers listed twice: ${layers.join(', ')}`);
  const stride = options.stride ?? DEFAULT_GRID_STRIDE;
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`feature grid stride must be a positive integer, got ${stride}`);
  const smoothing = options.smoothing ?? 1;
  if (!Number.isInteger(smoothing) || smoothing < 1 || smoothing % 2 === 0) {
    throw new Error(`feature smoothing must be an odd kernel size (1 = off, 3, 5, ...), got ${smoothing}`);
  }
  if (options.tile) checkTileGrid(options.tile, tileUnit(outputs, stride));
  const inputScale = options.inputScale ?? 1;
  if (!(inputScale > 0 && inputScale <= 1)) throw new Error(`feature input scale must be in (0, 1], got ${inputScale}`);
  return { layers, outputs, stride, smoothing, normalize: options.normalize ?? true, eps: options.eps ?? 1e-12, tile: options.tile, inputScale };
}

/** Append the feature graph for `image` ([N, 3, H, W], RGB in [0, 1]) to `graph`. */
export function buildFeatureGraph(graph: Graph, image: Tensor, options: FeatureGraphOptions): FeatureGraph {
  if (image.graph !== graph) throw new Error('buildFeatureGraph: the image tensor belongs to another graph');
  if (image.rank !== 4 || (typeof image.shape[1] === 'number' && image.shape[1] !== 3)) {
    throw new Error(`buildFeatureGraph: the image must be [N, 3, H, W], got ${image}`);
  }
  const { backbone } = options;
  const o = resolveFeatureOptions(backbone, options);
  const manifest = backbone.manifest;
  if (!manifest.input.dynamic) {
    const [h, w] = manifest.input.size;
    const [H, W] = image.shape.slice(2);
    if ((typeof H === 'number' && H !== h) || (typeof W === 'number' && W !== w)) {
      throw new Error(`backbone ${manifest.name} takes ${h}x${w} images only (input.dynamic is false); the image is ${H}x${W}`);
    }
  }

  const input = backboneInput(o.inputScale < 1 ? op.downscale(image, o.inputScale) : image, manifest);
  let features = o.tile ? tiledFeatures(input, backbone, o.outputs, o.stride, o.tile) : wholeFrameFeatures(input, backbone, o);
  const channels = o.outputs.reduce((sum, out) => sum + out.channels, 0);

  if (o.smoothing > 1) {
    const p = (o.smoothing - 1) / 2;
    // Same size out; padded positions are left out of the average (borders average what they have).
    [features] = graph.node('AveragePool', [features], [{ dtype: features.dtype, shape: features.shape }], {
      kernel_shape: attr.ints([o.smoothing, o.smoothing]),
      strides: attr.ints([1, 1]),
      pads: attr.ints([p, p, p, p]),
      count_include_pad: attr.int(0),
    });
  }
  if (o.normalize) features = op.l2Normalize(features, 1, o.eps);
  return { features, channels, stride: o.stride, layers: o.outputs };
}

/** The chosen layers on the grid, concatenated, from one backbone pass over the whole image. */
function wholeFrameFeatures(image: Tensor, backbone: Backbone, o: ReturnType<typeof resolveFeatureOptions>): Tensor {
  const graph = image.graph;
  const maps = backbone.apply(image, o.layers);
  const source = o.outputs.find((out) => out.stride === o.stride);

  // The grid: a chosen layer's own size, or the image size divided by the stride.
  let gridSize: Tensor;
  let gridShape: [Dim, Dim];
  if (source) {
    const t = maps[source.name];
    gridSize = op.shapeOf(t, 2, 4);
    gridShape = [t.shape[2], t.shape[3]];
  } else {
    gridSize = op.div(op.shapeOf(image, 2, 4), op.scalar(graph, o.stride, 'int64'));
    gridShape = [0, 1].map((i) => {
      const d = image.shape[2 + i];
      return typeof d === 'number' ? Math.floor(d / o.stride) : freshDim(`grid_${i === 0 ? 'h' : 'w'}`);
    }) as [Dim, Dim];
  }

  const aligned = o.outputs.map((out) => {
    const t = maps[out.name];
    if (source && out.name === source.name) return t;
    const sizes = op.concat([op.shapeOf(t, 0, 2), gridSize], 0);
    return op.resizeBilinear(t, sizes, [image.shape[0], out.channels, ...gridShape]);
  });
  return aligned.length === 1 ? aligned[0] : op.concat(aligned, 1);
}
