/**
 * The normalization of one pass of a multi-scale model (model/scale-fusion.ts): the median of its
 * image scores on held-out good images and their robust standard deviation, 1.4826 x MAD (the
 * plain standard deviation when more than half of the scores tie).
 */
import { median, medianAbsoluteDeviation, standardDeviation } from 'simple-statistics';
import type { InputSpec } from '../model/manifest.js';
import type { ScaleNormalization } from '../model/scale-fusion.js';
import type { SessionConfig } from '../onnx/session.js';
import { scoreImages } from './score-images.js';

export async function measureNormalization(
  model: Uint8Array,
  files: readonly string[],
  input: InputSpec,
  options: { session?: SessionConfig; signal?: AbortSignal } = {},
): Promise<ScaleNormalization> {
  const scores = (await scoreImages(model, files, input, options)).images.map((image) => image.score);
  const spread = 1.4826 * medianAbsoluteDeviation(scores) || standardDeviation(scores);
  if (!(spread > 0)) throw new Error(`the held-out good images all score ${scores[0]}: a pass's spread cannot be measured`);
  return { center: median(scores), spread };
}
