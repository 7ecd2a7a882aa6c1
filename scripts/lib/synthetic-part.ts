/**
 * The benchmarks' images: a part-like PNG, a lit disc with a bore on a darker background, with
 * sensor noise. By default 900x900 RGB (the MVTec AD size); `--synthetic 2592x1944 --gray` in the
 * benchmarks gives a 5-megapixel grayscale frame, the size of a typical line camera.
 */
import sharp from 'sharp';

export interface PartImage {
  width: number;
  height: number;
  gray: boolean;
}

export const DEFAULT_PART: PartImage = { width: 900, height: 900, gray: false };

export async function syntheticPartPng({ width, height, gray }: PartImage = DEFAULT_PART): Promise<Buffer> {
  const channels = gray ? 1 : 3;
  const pixels = Buffer.alloc(width * height * channels);
  const [cx, cy, scale] = [width / 2, height / 2, Math.min(width, height) / 900];
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 17) - 8;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = Math.hypot(x - cx, y - cy) / scale;
      const base = r < 90 ? 40 : r < 380 ? 170 - r / 8 : 60 + y / scale / 30;
      const v = Math.max(0, Math.min(255, Math.round(base + noise())));
      pixels.fill(v, (y * width + x) * channels, (y * width + x + 1) * channels);
    }
  }
  const image = sharp(pixels, { raw: { width, height, channels } });
  // sharp writes one raw channel as RGB unless told it is grey
  return (gray ? image.toColourspace('b-w') : image).png().toBuffer();
}

/** "WIDTHxHEIGHT" as given on the command line. */
export function parseSize(text: string): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/.exec(text);
  if (!match) throw new Error(`expected WIDTHxHEIGHT, got "${text}"`);
  return { width: Number(match[1]), height: Number(match[2]) };
}
