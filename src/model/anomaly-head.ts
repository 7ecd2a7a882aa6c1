/**
 * From a feature map to what the server shows: an energy per grid position, optionally
 * smoothed, upsampled to the input image as the anomaly map, and the image score (the maximum
 * of the grid, as in the DxMI paper: an anomaly anywhere makes the part anomalous).
 */
import { averagePool, concat, int64s, reduceMax, reshape, resizeBilinear, shapeOf, transpose } from '../onnx/ops.js';
import type { Tensor } from '../onnx/tensor.js';

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
  /** [N]: the maximum of the (smoothed) energy grid. */
  score: Tensor;
}

/**
 * @param image the model input [N, 3, H, W] (for the output size)
 * @param smoothing side of a box filter on the energy grid (1: none); odd
 */
export function appendAnomalyHead(image: Tensor, features: Tensor, energy: GridEnergy, smoothing = 1): AnomalyHead {
  let grid = energy(features);
  if (smoothing > 1) {
    if (smoothing % 2 === 0) throw new Error(`smoothing must be odd, got ${smoothing}`);
    const p = (smoothing - 1) / 2;
    grid = averagePool(grid, { kernel: [smoothing, smoothing], strides: [1, 1], pads: [p, p, p, p] });
  }
  const score = reshape(reduceMax(grid, [1, 2, 3]), [-1]);
  const sizes = concat([shapeOf(grid, 0, 2), shapeOf(image, 2, 4)], 0);
  const anomalyMap = resizeBilinear(grid, sizes, [image.shape[0], 1, image.shape[2], image.shape[3]]);
  return { anomalyMap, score };
}
