/**
 * From a feature map to what the server shows: an energy per grid position, optionally
 * smoothed, upsampled to the input image as the anomaly map, and the image score: the mean of
 * the k highest energies of the grid (k = 1: the maximum, as in the DxMI paper). With k about
 * the smallest defect's area in grid cells, the score stops drifting up with the map's size
 * (the maximum of more cells of a good part is higher) while a defect of that area still counts whole.
 * With a region of interest, cells outside it count as the grid's minimum for both.
 */
import { averagePool, concat, floats, greater, int64s, minimum, neg, reduceMax, reduceMean, reshape, resizeBilinear, shapeOf, topK, transpose, where } from '../onnx/ops.js';
import type { Tensor } from '../onnx/tensor.js';
import type { RoiMask } from './roi.js';

/** Energies of a feature map: [N, C, h, w] -> [N, 1, h, w]. */
export type GridEnergy = (features: Tensor) => Tensor;

/** Lift a per-vector energy ([R, C] -> [R]) to a grid energy: every position scored alike. */
export function rowwise(energy: (rows: Tensor) => Tensor): GridEnergy {
  return (features) => {
    const channels = features.shape[1] as number;
    const rows = reshape(transpose(features, [0, 2, 3, 1]), [-1, channels]);
    const gridShape = concat([shapeOf(features, 0, 1), int64s(features.graph, [1]), shapeOf(features, 2, 4)], 0);
    return reshape(energy(rows), { tensor: gridShape, shape: [features.shape[0], 1, features.shape[2], features.shape[3]] });
  };
}

export interface AnomalyHead {
  /** [N, 1, H, W] at the input image's resolution. */
  anomalyMap: Tensor;
  /** [N]: the mean of the top-k energies of the (smoothed) grid. */
  score: Tensor;
  /** [N, 1, h, w]: the grid the score pools (region of interest and smoothing applied). */
  grid: Tensor;
}

/** [N, 1, h, w] -> [N]: the mean of the k highest values of each grid (all of them on a grid of fewer cells). */
function topKMean(grid: Tensor, k: number): Tensor {
  if (k === 1) return reshape(reduceMax(grid, [1, 2, 3]), [-1]);
  const cells = reshape(grid, { tensor: concat([shapeOf(grid, 0, 1), int64s(grid.graph, [-1])], 0), shape: [grid.shape[0], 'cells'] });
  return reduceMean(topK(cells, minimum(int64s(grid.graph, [k]), shapeOf(cells, 1, 2)), 1), [1]);
}

/** Replaces the cells outside the region of interest by the grid's minimum: they can raise neither the score nor the map. */
export function ignoreOutside(grid: Tensor, roi: RoiMask): (x: Tensor) => Tensor {
  const g = grid.graph;
  const mask = floats(g, roi.inspected, [1, 1, roi.height, roi.width]);
  // The grid's size is only known at run time (aspect-preserving inputs); the mask is stretched onto it like the frame.
  const sizes = concat([int64s(g, [1, 1]), shapeOf(grid, 2, 4)], 0);
  const inspected = greater(resizeBilinear(mask, sizes, [1, 1, grid.shape[2], grid.shape[3]]), 0.5);
  return (x) => where(inspected, x, neg(reduceMax(neg(x), [1, 2, 3], true)));
}

export interface HeadOptions {
  /** Side of a box filter on the energy grid (1: none); odd. */
  smoothing?: number;
  /** Grid cells averaged into the image score (1: the maximum). */
  scoreTopK?: number;
  /** The part of the frame inspected; default all of it. */
  roi?: RoiMask;
}

/**
 * @param image the model input [N, 3, H, W] (for the output size)
 * @param energies the energy grid [N, 1, h, w]
 */
export function appendAnomalyHead(image: Tensor, energies: Tensor, options: HeadOptions = {}): AnomalyHead {
  const { smoothing = 1, scoreTopK = 1, roi } = options;
  let grid = energies;
  const ignore = roi ? ignoreOutside(grid, roi) : (x: Tensor) => x;
  grid = ignore(grid);
  if (smoothing > 1) {
    if (smoothing % 2 === 0) throw new Error(`smoothing must be odd, got ${smoothing}`);
    const p = (smoothing - 1) / 2;
    // Masked before (ignored energies do not spread in) and after (inspected energies do not spread out).
    grid = ignore(averagePool(grid, { kernel: [smoothing, smoothing], strides: [1, 1], pads: [p, p, p, p] }));
  }
  const score = topKMean(grid, scoreTopK);
  const sizes = concat([shapeOf(grid, 0, 2), shapeOf(image, 2, 4)], 0);
  const anomalyMap = resizeBilinear(grid, sizes, [image.shape[0], 1, image.shape[2], image.shape[3]]);
  return { anomalyMap, score, grid };
}
