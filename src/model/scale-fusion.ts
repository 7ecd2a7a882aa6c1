/**
 * Multi-scale inspection: the energy grids of a fine pass and a coarse pass (the whole frame
 * shrunk) fused into one grid, cell by cell the larger of the two. Thin defects show at the fine
 * scale, large and low-contrast ones at the coarse scale, and either must raise the fused map
 * whole: a sum would halve a defect that only one scale sees (on MTD, gaussian at 320 and 224
 * px: image AUROC 0.950 with the larger, 0.934 with the sum, 0.930 and 0.928 for each pass
 * alone). Each grid is first put in units of its own spread on good parts, (grid - center) /
 * spread, measured on held-out good images, so that neither pass dominates by the size of its
 * energies; coarser grids are then resized (bilinear) onto the first one.
 */
import { div, maximum, resizeBilinear, shapeOf, sub } from '../onnx/ops.js';
import type { Tensor } from '../onnx/tensor.js';

/** A pass's image score on held-out good images: its median and its robust standard deviation. */
export interface ScaleNormalization {
  center: number;
  spread: number;
}

/** grids[i]: [N, 1, h_i, w_i], grids[0] the finest; returns [N, 1, h_0, w_0]. */
export function fuseScaleGrids(grids: readonly Tensor[], normalizations: readonly ScaleNormalization[]): Tensor {
  if (grids.length < 2 || normalizations.length !== grids.length) {
    throw new Error(`fusing scales needs two or more grids, each with a normalization (got ${grids.length} grids, ${normalizations.length} normalizations)`);
  }
  for (const n of normalizations) if (!(n.spread > 0)) throw new Error(`a scale's spread must be positive, got ${n.spread}`);
  const [fine] = grids;
  const sizes = shapeOf(fine, 0, 4);
  return grids
    .map((grid, i) => {
      const normalized = div(sub(grid, normalizations[i].center), normalizations[i].spread);
      return i === 0 ? normalized : resizeBilinear(normalized, sizes, fine.shape);
    })
    .reduce((fused, grid) => maximum(fused, grid));
}
