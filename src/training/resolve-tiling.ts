/**
 * A training run's tile request made concrete: a given grid as is; `auto` first chooses the
 * resolution (features/auto-input.ts: the frames' own, when the recipe would shrink them) and
 * then whether to tile at it (features/auto-tile.ts), from the sizes of the training images
 * (read from their headers, no pixel decoded).
 */
import { readFile } from 'node:fs/promises';
import { chooseInput } from '../features/auto-input.js';
import { chooseTileGrid, type TileChoice } from '../features/auto-tile.js';
import type { TileGrid } from '../features/tiling.js';
import { probeImage } from '../image/decode.js';
import { targetSize, type Size } from '../image/resize-policy.js';
import type { InputSpec } from '../model/manifest.js';

export interface ResolvedTiling {
  /** Absent when no tiling was asked for. */
  tiling?: TileChoice;
  /** The model input and coarse scale to train with: the recipe's, unless `auto` chose native resolution. */
  input: InputSpec;
  coarseScale?: number;
}

/** `unit`: the largest stride of the chosen layers and grid (tile sizes are multiples of it). */
export async function resolveTiling(request: TileGrid | 'auto' | undefined, files: readonly string[], input: InputSpec, coarseScale: number | undefined, unit: number): Promise<ResolvedTiling> {
  const recipe = { input, ...(coarseScale === undefined ? {} : { coarseScale }) };
  if (request === undefined) return recipe;
  if (request !== 'auto') return { ...recipe, tiling: { grid: request, reason: `given: tiles of ${request.size} px with a ${request.overlap} px halo` } };
  const frames: Size[] = [];
  // One file at a time: frames can be large, and only their headers matter.
  for (const file of files) frames.push(await probeImage(await readFile(file)));
  const { reason, ...chosen } = chooseInput(frames, input, coarseScale);
  const tiles = chooseTileGrid(frames.map((f) => targetSize(f, chosen.input)), unit);
  return { ...chosen, tiling: { grid: tiles.grid, reason: reason ? `${tiles.reason}; ${reason}` : tiles.reason } };
}
