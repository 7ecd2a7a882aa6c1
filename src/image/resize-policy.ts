/**
 * The size a camera image becomes before it enters the model, from its (oriented) size and the
 * model's InputSpec. Pure arithmetic, shared by decoding and by whoever maps model-input
 * coordinates back to the original image: x_original = x_input * original.width / target.width,
 * and the same for y with heights.
 */
import type { InputSpec } from '../model/manifest.js';

export interface Size {
  width: number;
  height: number;
}

/**
 * - `fill`: size x (height ?? size), whatever the aspect ratio (aligned parts; `multiple` is not
 *   applied, the spec's sides are expected to be multiples already).
 * - `fit-short-side`: scale so the short side is `size` and the aspect ratio is kept; if the long
 *   side would then exceed `maxSize`, scale so the long side is `maxSize` instead. Each side is then
 *   rounded to the nearest multiple of `multiple` (at least one multiple, and never above
 *   `maxSize`), so the aspect ratio is kept up to that rounding.
 */
/** "fill 320", "fill 496x1264", "fit-short-side 500": for messages, reports and the UI. */
export function describeInput(spec: Pick<InputSpec, 'size' | 'height'> & Partial<Omit<InputSpec, 'policy'>> & { policy: string }): string {
  return `${spec.policy} ${spec.height === undefined ? spec.size : `${spec.size}x${spec.height}`}`;
}

export function targetSize(original: Size, spec: InputSpec): Size {
  const { width, height } = original;
  if (!(width > 0 && height > 0)) throw new RangeError(`image size must be positive, got ${width}x${height}`);
  if (spec.policy === 'fill') return { width: spec.size, height: spec.height ?? spec.size };

  const { size, maxSize, multiple } = spec;
  if (maxSize !== undefined && maxSize < multiple) {
    throw new RangeError(`maxSize ${maxSize} is smaller than one multiple of ${multiple}`);
  }
  let scale = size / Math.min(width, height);
  if (maxSize !== undefined && Math.max(width, height) * scale > maxSize) scale = maxSize / Math.max(width, height);
  const limit = maxSize === undefined ? Infinity : Math.floor(maxSize / multiple) * multiple;
  const round = (side: number) => Math.min(limit, Math.max(multiple, Math.round(side / multiple) * multiple));
  return { width: round(width * scale), height: round(height * scale) };
}
