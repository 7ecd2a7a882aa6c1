/**
 * Image quality of one frame, measured on the decoded model input the inspection already has (no
 * second decode): mean brightness, RMS contrast, focus (variance of the Laplacian) and the share
 * of clipped pixels. One pass over luma and one over its Laplacian: well under a millisecond at
 * model input sizes. Measured at the model's input size, so a frame and the model's calibration
 * images (measured the same way at training time) are comparable whatever the camera's resolution.
 */

export const QUALITY_MEASURES = ['brightness', 'contrast', 'focus', 'saturation'] as const;
export type QualityMeasure = (typeof QUALITY_MEASURES)[number];

export interface ImageQuality {
  /** Mean luma (Rec. 601), 0..1. */
  brightness: number;
  /** Standard deviation of luma (RMS contrast), 0..0.5. */
  contrast: number;
  /** Variance of the 4-neighbour Laplacian of luma: falls when the image blurs. */
  focus: number;
  /** Share of pixels at the sensor's limits (a channel at full scale, or every channel at zero), 0..1. */
  saturation: number;
}

/** A stored frame's quality from its columns; null when any is missing (logged before quality was measured). */
export function storedQuality(columns: { [M in QualityMeasure]: number | null }): ImageQuality | null {
  const { brightness, contrast, focus, saturation } = columns;
  return brightness === null || contrast === null || focus === null || saturation === null ? null : { brightness, contrast, focus, saturation };
}

/** A sample within this of 0 or 1 is clipped (one 8-bit step). */
const CLIP = 1 / 255;

/** `planar`: planar RGB (CHW) float32 in [0, 1], as decodeImage produces. */
export function measureQuality(planar: Float32Array, width: number, height: number): ImageQuality {
  const plane = width * height;
  if (planar.length !== 3 * plane) throw new RangeError(`expected ${3 * plane} floats for ${width}x${height} RGB, got ${planar.length}`);
  const luma = new Float32Array(plane);
  let sum = 0;
  let sumSquares = 0;
  let clipped = 0;
  for (let p = 0; p < plane; p++) {
    const r = planar[p];
    const g = planar[plane + p];
    const b = planar[2 * plane + p];
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    luma[p] = y;
    sum += y;
    sumSquares += y * y;
    if (r >= 1 - CLIP || g >= 1 - CLIP || b >= 1 - CLIP || (r <= CLIP && g <= CLIP && b <= CLIP)) clipped++;
  }
  const mean = sum / plane;
  return {
    brightness: mean,
    contrast: Math.sqrt(Math.max(0, sumSquares / plane - mean * mean)),
    focus: laplacianVariance(luma, width, height),
    saturation: clipped / plane,
  };
}

/** Variance of 4 * centre - (up + down + left + right) over the interior pixels. */
function laplacianVariance(luma: Float32Array, width: number, height: number): number {
  if (width < 3 || height < 3) return 0;
  let sum = 0;
  let sumSquares = 0;
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 1; x < width - 1; x++) {
      const p = row + x;
      const value = 4 * luma[p] - luma[p - 1] - luma[p + 1] - luma[p - width] - luma[p + width];
      sum += value;
      sumSquares += value * value;
    }
  }
  const count = (width - 2) * (height - 2);
  const mean = sum / count;
  return sumSquares / count - mean * mean;
}
