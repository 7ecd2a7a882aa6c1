/**
 * Choosing the image score's pooling, the mean of the k highest energies of the grid, on data a
 * user has: the held-out good images, and copies of them with synthetic defects implanted. The
 * maximum (k = 1) catches the smallest defect but grows noisier with the grid's size (more cells
 * of a good part, a higher maximum); a larger k steadies the score of good parts but dilutes a
 * defect smaller than k cells. The k whose score separates the two sets best wins, unless a smaller
 * one does about as well: a choice the data cannot tell apart stays with the paper's maximum.
 */
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { decodeImage, type DecodedImage } from '../image/decode.js';
import { auroc } from '../metrics/roc.js';
import type { InputSpec } from '../model/manifest.js';
import { createSession, type SessionConfig } from '../onnx/session.js';
import { Random } from '../util/random.js';
import { imageBatches } from './image-batches.js';
import { IMPLANTED_DEFECTS, implantDefect } from './implanted-defects.js';
import { GRID_OUTPUT, MODEL_INPUT } from './inference-model.js';

export const TOP_K_CANDIDATES = [1, 2, 4, 8, 16, 32] as const;
/** Resamples of the images for the standard error of an AUROC difference. */
const BOOTSTRAP_ROUNDS = 200;
/** k is at most this share of the grid's cells: beyond, the score is the grid's mean, not its defects. */
const MAX_SHARE_OF_CELLS = 1 / 8;
/** Defective copies per held-out image, each with a different defect. */
const COPIES_PER_IMAGE = 2;

export interface TopKChoice {
  k: number;
  /** Image AUROC of every candidate: held-out good images against their defective copies. */
  candidates: { k: number; auroc: number }[];
  goodImages: number;
  defectiveImages: number;
}

/** The mean of the k highest values (all of them when there are fewer). */
export function topKMean(values: Float32Array, k: number): number {
  const sorted = Float32Array.from(values).sort().reverse();
  const n = Math.min(k, sorted.length);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return sum / n;
}

/** AUROC of pooled scores, good labelled 0 and defective 1. */
function separation(good: readonly number[], defective: readonly number[]): number {
  return auroc([...good, ...defective], [...good.map(() => 0), ...defective.map(() => 1)]);
}

/** Draws `items.length` of `items` with replacement. */
function resample<T>(items: readonly T[], random: Random): T[] {
  return items.map(() => items[random.int(items.length)]);
}

/**
 * The k that tells `good` grids from `defective` ones best (grids as flat arrays of cells), by
 * the one-standard-error rule: the smallest k whose AUROC is within one bootstrap standard error
 * of the best one's (the error of their difference, images resampled alike for both). AUROCs of
 * neighbouring k differ by less than their noise on a few dozen images; the rule keeps the
 * choice from following that noise.
 */
export function pickTopK(good: readonly Float32Array[], defective: readonly Float32Array[], random: Random): TopKChoice {
  const cells = Math.min(...[...good, ...defective].map((g) => g.length));
  const usable = TOP_K_CANDIDATES.filter((k) => k === 1 || k <= cells * MAX_SHARE_OF_CELLS);
  // pooled[c][i]: candidate c's score of image i (good ones first).
  const pooled = usable.map((k) => [...good, ...defective].map((grid) => topKMean(grid, k)));
  const goodIndex = good.map((_, i) => i);
  const defectiveIndex = defective.map((_, i) => good.length + i);
  const aurocOf = (c: number, goodPick: number[], defectivePick: number[]): number =>
    separation(goodPick.map((i) => pooled[c][i]), defectivePick.map((i) => pooled[c][i]));

  const candidates = usable.map((k, c) => ({ k, auroc: aurocOf(c, goodIndex, defectiveIndex) }));
  const best = candidates.reduce((b, c, i) => (c.auroc > candidates[b].auroc ? i : b), 0);
  const differences: number[][] = usable.map(() => []);
  for (let r = 0; r < BOOTSTRAP_ROUNDS; r++) {
    const goodPick = resample(goodIndex, random);
    const defectivePick = resample(defectiveIndex, random);
    const bestAuroc = aurocOf(best, goodPick, defectivePick);
    usable.forEach((_, c) => differences[c].push(bestAuroc - aurocOf(c, goodPick, defectivePick)));
  }
  const k = candidates.find((candidate, c) => candidates[best].auroc - candidate.auroc <= standardDeviation(differences[c]))!.k;
  return { k, candidates, goodImages: good.length, defectiveImages: defective.length };
}

function standardDeviation(values: readonly number[]): number {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1));
}

/**
 * Runs `model` (built with the grid output) on the held-out good images and on copies of them
 * with implanted defects, and picks k on the grids.
 */
export async function chooseScoreTopK(
  model: Uint8Array,
  files: readonly string[],
  input: InputSpec,
  options: { seed: number; session?: SessionConfig; signal?: AbortSignal },
): Promise<TopKChoice> {
  const n = files.length;
  const random = new Random(options.seed).fork('implanted-defects');
  // Image i % n, as it is (i < n) or with defect copy floor(i / n) - 1: decoded batch by batch, so memory stays bounded on large frames.
  const load = async (i: number): Promise<DecodedImage> => {
    const image = await decodeImage(await readFile(files[i % n]), input);
    if (i < n) return image;
    const defect = IMPLANTED_DEFECTS[((i % n) * COPIES_PER_IMAGE + Math.floor(i / n) - 1) % IMPLANTED_DEFECTS.length];
    return { ...image, data: implantDefect(image, defect, random.fork(String(i))) };
  };
  const grids: Float32Array[] = new Array(n * (1 + COPIES_PER_IMAGE));
  const session = await createSession(model, options.session);
  try {
    for await (const batch of imageBatches(grids.length, load, 8, options.signal)) {
      const out = await session.run({ [MODEL_INPUT]: new ort.Tensor('float32', batch.data, batch.dims) });
      const data = out[GRID_OUTPUT].data as Float32Array;
      const size = data.length / batch.indices.length;
      batch.indices.forEach((index, k) => (grids[index] = data.slice(k * size, (k + 1) * size)));
    }
  } finally {
    await session.release();
  }
  return pickTopK(grids.slice(0, n), grids.slice(n), new Random(options.seed).fork('top-k-bootstrap'));
}
