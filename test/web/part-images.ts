/**
 * Test pictures that look like parts: kensa's synthetic brushed-metal texture, moved to mid-grey
 * where the fixture model (deviation from grey) calls it OK, with an optional round spot that it
 * scores by the spot's brightness: 255 or 0 is a clear NG, around 195 lands near the threshold.
 */
import sharp from 'sharp';
import { PRODUCTS } from '../../src/synth/products/index.js';
import { renderSample } from '../../src/synth/render.js';
import { Random } from '../../src/util/random.js';

export interface Spot {
  x: number;
  y: number;
  radius: number;
  /** Grey level of the spot, 0..255. */
  level: number;
}

/** Texture contrast kept after centring on grey: enough to look like metal, too little to score. */
const CONTRAST = 0.6;

export async function partImage(seed: number, spot: Spot | null, size = 256): Promise<Buffer> {
  const metal = PRODUCTS.metal;
  const { image } = renderSample(metal, { width: size, height: size }, new Random(seed), null);
  const grey = new Float64Array(size * size);
  for (let p = 0; p < grey.length; p++) {
    for (let c = 0; c < metal.channels; c++) grey[p] += image[p * metal.channels + c] / metal.channels;
  }
  const mean = grey.reduce((sum, v) => sum + v, 0) / grey.length;
  const out = Buffer.alloc(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = y * size + x;
      let value = 128 + (grey[p] - mean) * CONTRAST;
      if (spot) {
        // a soft edge, one pixel wide, like a real blemish through a lens
        const cover = Math.min(1, Math.max(0, spot.radius + 0.5 - Math.hypot(x - spot.x, y - spot.y)));
        value = value * (1 - cover) + spot.level * cover;
      }
      out[p] = Math.round(Math.min(255, Math.max(0, value)));
    }
  }
  return sharp(out, { raw: { width: size, height: size, channels: 1 } }).png().toBuffer();
}
