/** One dataset image: a part instance, optionally one defect, through the camera; plus its mask. */
import type { Random } from '../util/random.js';
import { Camera } from './camera.js';
import type { Product } from './product.js';
import { binarize, type Size } from './raster.js';
import { shade } from './scene.js';

/**
 * Coverage at which a pixel belongs to the defect. Low enough that a faint one-pixel line stays
 * connected in the mask, high enough that anti-aliasing fringes stay out.
 */
export const MASK_THRESHOLD = 0.15;

/** A defect this small would be unlabelled noise: draw it again elsewhere. */
const MAX_ATTEMPTS = 8;

export interface Sample {
  /** 8-bit pixels, interleaved, `product.channels` per pixel. */
  image: Uint8Array;
  /** 0/255 per pixel, or null for a good part. */
  mask: Uint8Array | null;
}

/**
 * Render one image. The part, the camera and the defect draw from separate forks of `rng`, so
 * the same `rng` renders the same part under the same camera whether or not it has a defect.
 */
export function renderSample(product: Product, size: Size, rng: Random, defect: string | null): Sample {
  const part = product.create(size, rng.fork('part'));
  const camera = new Camera(rng.fork('camera'), product.channels);
  if (defect === null) return { image: camera.capture(shade(part.render()), size), mask: null };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { scene, coverage } = part.renderDefective(defect, rng.fork(`defect/${attempt}`));
    const mask = binarize(coverage, MASK_THRESHOLD);
    if (mask.includes(255)) return { image: camera.capture(shade(scene), size), mask };
  }
  throw new Error(`synth: could not place a ${defect} defect on this ${product.kind} part`);
}
