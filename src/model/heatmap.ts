/**
 * Pictures of a normalized anomaly map, at the original image's size or a size the caller picks:
 * - heatmap: the map through a colormap;
 * - overlay: the heatmap blended over the image at a given opacity;
 * - mask: white where the map is at or above the pixel threshold, black elsewhere.
 * The colormap is applied at the map's resolution and the colours are then upsampled (bilinear,
 * by sharp on the libuv pool): the map is smooth, so this looks the same as upsampling first, and
 * keeps per-pixel JavaScript work to the small map.
 */
import sharp, { type Sharp } from 'sharp';
import { decodeToRgb8, type DecodeOptions } from '../image/decode.js';
import type { Size } from '../image/resize-policy.js';
import { MASK_LEVEL, type NormalizedMap } from './loaded-model.js';

export const COLORMAPS = ['turbo', 'jet', 'inferno', 'gray'] as const;
export type Colormap = (typeof COLORMAPS)[number];

type Rgb = [number, number, number];

/** Polynomial fits (t in [0, 1] -> RGB in [0, 1]): Google's Turbo (Mikhailov, 2019), matplotlib's inferno. */
const COLOR_FUNCTIONS: Record<Colormap, (t: number) => Rgb> = {
  turbo: (t) => {
    const t2 = t * t;
    const t3 = t2 * t;
    const t4 = t2 * t2;
    const t5 = t4 * t;
    return [
      0.13572138 + 4.6153926 * t - 42.66032258 * t2 + 132.13108234 * t3 - 152.94239396 * t4 + 59.28637943 * t5,
      0.09140261 + 2.19418839 * t + 4.84296658 * t2 - 14.18503333 * t3 + 4.27729857 * t4 + 2.82956604 * t5,
      0.1066733 + 12.64194608 * t - 60.58204836 * t2 + 110.36276771 * t3 - 89.90310912 * t4 + 27.34824973 * t5,
    ];
  },
  jet: (t) => [1.5 - Math.abs(4 * t - 3), 1.5 - Math.abs(4 * t - 2), 1.5 - Math.abs(4 * t - 1)],
  inferno: (t) => {
    const c = [
      [0.0002189403691192265, 0.001651004631001012, -0.01948089843709184],
      [0.1065134194856116, 0.5639564367884091, 3.932712388889277],
      [11.60249308247187, -3.972853965665698, -15.9423941062914],
      [-41.70399613139459, 17.43639888205313, 44.35414519872813],
      [77.162935699427, -33.40235894210092, -81.80730925738993],
      [-71.31942824499214, 32.62606426397723, 73.20951985803202],
      [25.13112622477341, -12.24266895238567, -23.07032500287172],
    ];
    return [0, 1, 2].map((k) => c.reduceRight((sum, coefficients) => sum * t + coefficients[k], 0)) as Rgb;
  },
  gray: (t) => [t, t, t],
};

const luts = new Map<Colormap, Uint8Array>();

/** 256 RGB entries: the colour of each map byte. */
export function colormapLut(name: Colormap): Uint8Array {
  let lut = luts.get(name);
  if (!lut) {
    lut = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) {
      const rgb = COLOR_FUNCTIONS[name](i / 255);
      for (let k = 0; k < 3; k++) lut[i * 3 + k] = Math.round(255 * Math.min(1, Math.max(0, rgb[k])));
    }
    luts.set(name, lut);
  }
  return lut;
}

/** The map's colours, interleaved RGB. */
function colorize(map: NormalizedMap, colormap: Colormap): Uint8Array {
  const lut = colormapLut(colormap);
  const out = new Uint8Array(map.data.length * 3);
  for (let p = 0, o = 0; p < map.data.length; p++, o += 3) {
    const entry = map.data[p] * 3;
    out[o] = lut[entry];
    out[o + 1] = lut[entry + 1];
    out[o + 2] = lut[entry + 2];
  }
  return out;
}

function upsample(data: Uint8Array, map: NormalizedMap, channels: 1 | 3, size: Size) {
  return sharp(data, { raw: { width: map.width, height: map.height, channels } }).resize(size.width, size.height, { fit: 'fill', kernel: 'linear' });
}

export function renderHeatmap(map: NormalizedMap, size: Size, colormap: Colormap): Promise<Buffer> {
  return upsample(colorize(map, colormap), map, 3, size).png().toBuffer();
}

export function renderMask(map: NormalizedMap, size: Size): Promise<Buffer> {
  return upsample(map.data, map, 1, size).threshold(MASK_LEVEL).toColourspace('b-w').png().toBuffer();
}

/**
 * The heatmap over the image `imageBytes` (any format src/image decodes, EXIF orientation
 * applied, so it lines up with the reported regions), at `size` (default: the image's own):
 * image * (1 - opacity) + heatmap * opacity, as a sharp pipeline for the caller to encode.
 * Decoding, blending and encoding all run in sharp, off the event loop; JavaScript only colours
 * the small map. `decode` should carry the pixel limit the image was accepted under.
 */
export async function overlay(imageBytes: Uint8Array, map: NormalizedMap, colormap: Colormap, opacity: number, size: Size | 'original' = 'original', decode: DecodeOptions = {}): Promise<Sharp> {
  const image = await decodeToRgb8(imageBytes, size, decode);
  const target = { width: image.width, height: image.height };
  // The heatmap with a constant alpha of `opacity` (in 1/255 steps), laid "over" the image: the blend above.
  const heat = await upsample(colorize(map, colormap), map, 3, target).ensureAlpha(opacity).raw().toBuffer();
  return sharp(image.data, { raw: { ...target, channels: 3 } })
    .composite([{ input: heat, raw: { ...target, channels: 4 } }])
    .removeAlpha();
}

/** The overlay (see `overlay`) at the image's own size, as PNG. */
export async function renderOverlay(imageBytes: Uint8Array, map: NormalizedMap, colormap: Colormap, opacity: number, decode: DecodeOptions = {}): Promise<Buffer> {
  return (await overlay(imageBytes, map, colormap, opacity, 'original', decode)).png().toBuffer();
}
