/**
 * A training run's tile request made concrete: a given grid as is, `auto` decided from the model
 * input sizes of the training images (read from their headers, no pixel decoded).
 */
import { readFile } from 'node:fs/promises';
import { chooseTileGrid, type TileChoice } from '../features/auto-tile.js';
import type { TileGrid } from '../features/tiling.js';
import { probeImage } from '../image/decode.js';
import { targetSize, type Size } from '../image/resize-policy.js';
import type { InputSpec } from '../model/manifest.js';

/** `unit`: the largest stride of the chosen layers and grid (tile sizes are multiples of it). */
export async function resolveTiling(request: TileGrid | 'auto' | undefined, files: readonly string[], input: InputSpec, unit: number): Promise<TileChoice | undefined> {
  if (request === undefined) return undefined;
  if (request !== 'auto') return { grid: request, reason: `given: tiles of ${request.size} px with a ${request.overlap} px halo` };
  const sizes: Size[] = [];
  // One file at a time: frames can be large, and only their headers matter.
  for (const file of files) sizes.push(targetSize(await probeImage(await readFile(file)), input));
  return chooseTileGrid(sizes, unit);
}
