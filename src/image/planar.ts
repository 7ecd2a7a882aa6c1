/**
 * Interleaved 8- or 16-bit samples (what sharp and BMP decoding produce) to the model's layout:
 * planar RGB (CHW) float32 in [0, 1]. Grey becomes three equal planes; alpha is flattened here
 * onto the background, out = color * alpha + background * (1 - alpha), in float, exactly for
 * both bit depths.
 */

export type Rgb = readonly [number, number, number];

/** One image in the model's layout: planar RGB (CHW), float32 in [0, 1]. */
export interface PlanarImage {
  data: Float32Array;
  width: number;
  height: number;
}

const UCHAR_TO_FLOAT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/**
 * `samples`: height x width x channels, channels 1 (grey), 2 (grey, alpha), 3 (RGB) or 4 (RGBA).
 * `background`: RGB in [0, 1]. Writes into `out` (3 * width * height floats) when given.
 */
export function toPlanarRgb(
  samples: Uint8Array | Uint16Array,
  width: number,
  height: number,
  channels: number,
  background: Rgb = [0, 0, 0],
  out?: Float32Array,
): Float32Array {
  const plane = width * height;
  if (samples.length !== plane * channels) {
    throw new RangeError(`expected ${plane * channels} samples for ${width}x${height}x${channels}, got ${samples.length}`);
  }
  if (channels < 1 || channels > 4) throw new RangeError(`unsupported channel count ${channels}`);
  const result = out ?? new Float32Array(3 * plane);
  if (result.length !== 3 * plane) throw new RangeError(`output holds ${result.length} floats, ${3 * plane} needed`);

  const sixteen = samples instanceof Uint16Array;
  const lut = sixteen ? null : UCHAR_TO_FLOAT;
  const scale = 1 / 65535;
  const value = (i: number) => (lut ? lut[samples[i]] : samples[i] * scale);
  const [bgR, bgG, bgB] = background;
  const g = plane;
  const b = 2 * plane;

  switch (channels) {
    case 3:
      if (lut) {
        for (let p = 0, s = 0; p < plane; p++, s += 3) {
          result[p] = lut[samples[s]];
          result[g + p] = lut[samples[s + 1]];
          result[b + p] = lut[samples[s + 2]];
        }
      } else {
        for (let p = 0, s = 0; p < plane; p++, s += 3) {
          result[p] = samples[s] * scale;
          result[g + p] = samples[s + 1] * scale;
          result[b + p] = samples[s + 2] * scale;
        }
      }
      break;
    case 1:
      for (let p = 0; p < plane; p++) {
        const v = value(p);
        result[p] = v;
        result[g + p] = v;
        result[b + p] = v;
      }
      break;
    case 4:
      for (let p = 0, s = 0; p < plane; p++, s += 4) {
        const a = value(s + 3);
        const rest = 1 - a;
        result[p] = value(s) * a + bgR * rest;
        result[g + p] = value(s + 1) * a + bgG * rest;
        result[b + p] = value(s + 2) * a + bgB * rest;
      }
      break;
    case 2:
      for (let p = 0, s = 0; p < plane; p++, s += 2) {
        const a = value(s + 1);
        const v = value(s) * a;
        const rest = 1 - a;
        result[p] = v + bgR * rest;
        result[g + p] = v + bgG * rest;
        result[b + p] = v + bgB * rest;
      }
      break;
  }
  return result;
}
