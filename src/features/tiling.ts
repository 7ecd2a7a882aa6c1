/**
 * Tiled backbone: a large image goes through the backbone as one batch of overlapping tiles, and
 * the tiles' feature maps are stitched back into the whole-frame grid, so everything downstream
 * sees the same [N, C, h, w] features as without tiling.
 *
 * The tile grid, in input pixels: every tile is `size` x `size`, made of a core of
 * `size - 2 * overlap` pixels and a halo of `overlap` pixels on each side. Cores sit side by side
 * from the image's top-left corner (core k of a row covers [k * core, (k + 1) * core)), as many as
 * cover the image; the halo gives the backbone the context around the core, and its cells are
 * dropped after the backbone. Both numbers are multiples of the largest stride in use, so tile
 * edges fall on cell edges of every chosen layer and of the grid.
 *
 * Outside the image the frame is edge-padded (the border pixels repeated): that works for any
 * image size (reflection needs the image to be larger than the padding, which a frame smaller
 * than one tile is not), and it does not draw an artificial step at the border the way a
 * constant would, to which deep features respond across the whole halo.
 */
import type { Backbone } from '../backbones/backbone.js';
import type { BackboneOutput } from '../backbones/manifest.js';
import * as op from '../onnx/ops.js';
import { freshDim } from '../onnx/shape.js';
import type { Tensor } from '../onnx/tensor.js';

export interface TileGrid {
  /** Side of a tile in input pixels, halo included. */
  size: number;
  /** Halo on each side of a tile's core, in input pixels. */
  overlap: number;
}

/** Throws unless `tile` fits layers of strides up to `unit` (the largest stride in use). */
export function checkTileGrid(tile: TileGrid, unit: number): void {
  const { size, overlap } = tile;
  if (!Number.isInteger(size) || size < unit || size % unit !== 0) {
    throw new Error(`tile size must be a positive multiple of ${unit} (the largest feature stride), got ${size}`);
  }
  if (!Number.isInteger(overlap) || overlap < 0 || overlap % unit !== 0) {
    throw new Error(`tile overlap must be a multiple of ${unit} (the largest feature stride), got ${overlap}`);
  }
  if (size - 2 * overlap < unit) {
    throw new Error(`tile size ${size} leaves no core inside an overlap of ${overlap} on each side; the core must be at least ${unit}`);
  }
}

/** The largest stride tile edges must fall on: the chosen layers' and the grid's. */
export function tileUnit(outputs: readonly BackboneOutput[], stride: number): number {
  return Math.max(stride, ...outputs.map((o) => o.stride));
}

/**
 * Backbone input `x` [N, 3, H, W] (normalized) -> chosen layers on the stride-`stride` grid of
 * the whole frame, concatenated on channels ([N, sum of channels, h, w]), through tiles. The grid is floor(H / stride) x floor(W / stride): the
 * whole-frame grid of MobileNetV2 (whose layers have that size) and of any backbone when no
 * chosen layer has the grid's stride; on sides that are multiples of the stride (the input
 * policies make them so) it is H / stride, the size of a 'same'-padded layer.
 */
export function tiledFeatures(x: Tensor, backbone: Backbone, outputs: readonly BackboneOutput[], stride: number, tile: TileGrid): Tensor {
  const g = x.graph;
  checkTileGrid(tile, tileUnit(outputs, stride));
  const core = tile.size - 2 * tile.overlap;
  const int = (v: number): Tensor => op.scalar(g, v, 'int64');
  const dims = op.shapeOf(x);
  const axisSize = (axis: number): Tensor => op.squeeze(op.slice(dims, { axes: [0], starts: [axis], ends: [axis + 1] }), [0]);
  const [height, width] = [axisSize(2), axisSize(3)];
  const count = (side: Tensor): Tensor => op.div(op.add(side, core - 1), int(core));
  const [rows, cols] = [count(height), count(width)];

  // Pad so that the cores cover the image and every core has its halo.
  const extra = (n: Tensor, side: Tensor): Tensor => op.add(op.sub(op.mul(n, int(core)), side), tile.overlap);
  const zero = op.int64s(g, [0, 0]);
  const halo = op.int64s(g, [tile.overlap, tile.overlap]);
  const pads = op.concat([zero, halo, zero, op.unsqueeze(extra(rows, height), [0]), op.unsqueeze(extra(cols, width), [0])], 0);
  const padded = op.padEdgeDynamic(x, pads, [2, 3]);

  // Tile k along an axis reads padded pixels [k * core, k * core + size).
  const tileIndices = (n: Tensor): Tensor => {
    const starts = op.mul(op.range(n), int(core));
    return op.add(op.unsqueeze(starts, [1]), op.unsqueeze(op.int64s(g, [...Array(tile.size).keys()]), [0]));
  };
  const byRow = op.gather(padded, tileIndices(rows), 2); // [N, 3, rows, size, Wp]
  const tiles6 = op.gather(byRow, tileIndices(cols), 4); // [N, 3, rows, size, cols, size]
  const tiles = op.reshape(op.transpose(tiles6, [0, 2, 4, 1, 3, 5]), [-1, 3, tile.size, tile.size]);

  // One backbone pass over every tile of every image; each layer resized to the tile's grid.
  const maps = backbone.apply(tiles, outputs.map((o) => o.name));
  const cells = tile.size / stride;
  const aligned = outputs.map((o) => {
    const t = maps[o.name];
    const sizes = op.concat([op.shapeOf(t, 0, 2), op.int64s(g, [cells, cells])], 0);
    return op.resizeBilinear(t, sizes, [t.shape[0], o.channels, cells, cells]);
  });
  const tileFeatures = aligned.length === 1 ? aligned[0] : op.concat(aligned, 1);
  const channels = outputs.reduce((sum, o) => sum + o.channels, 0);

  // Drop the halo, lay the cores out in their rows and columns, and cut the grid out of them.
  const haloCells = tile.overlap / stride;
  const coreCells = core / stride;
  const cores = op.slice(tileFeatures, { axes: [2, 3], starts: [haloCells, haloCells], ends: [haloCells + coreCells, haloCells + coreCells] });
  const one = (t: Tensor): Tensor => op.unsqueeze(t, [0]);
  const n = op.shapeOf(x, 0, 1);
  const byTile = op.reshape(cores, {
    tensor: op.concat([n, one(rows), one(cols), op.int64s(g, [channels, coreCells, coreCells])], 0),
    shape: [x.shape[0], freshDim('tile_rows'), freshDim('tile_cols'), channels, coreCells, coreCells],
  });
  const laidOut = op.transpose(byTile, [0, 3, 1, 4, 2, 5]); // [N, C, rows, coreCells, cols, coreCells]
  const frame = op.reshape(laidOut, {
    tensor: op.concat([n, op.int64s(g, [channels]), one(op.mul(rows, int(coreCells))), one(op.mul(cols, int(coreCells)))], 0),
    shape: [x.shape[0], channels, freshDim('tiled_rows'), freshDim('tiled_cols')],
  });
  const gridSide = (side: Tensor): Tensor => op.div(side, int(stride));
  const rowsCut = op.sliceDynamic(frame, 2, op.int64s(g, [0]), one(gridSide(height)));
  return op.sliceDynamic(rowsCut, 3, op.int64s(g, [0]), one(gridSide(width)));
}
