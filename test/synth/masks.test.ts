/**
 * Masks are exact: the same part rendered with and without its defect differs only inside the
 * (slightly dilated) mask, and almost everywhere inside it.
 */
import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../../src/synth/products/index.js';
import { renderSample } from '../../src/synth/render.js';
import { Random } from '../../src/util/random.js';

const size = { width: 256, height: 256 };

/**
 * The camera's blur (sigma <= 0.8, radius 3) spreads a defect's edge, and anti-aliased fringes
 * below the mask threshold lie just outside the mask: a difference may be that far from it.
 */
const DILATION = 4;

/** Chebyshev distance from each pixel to the nearest mask pixel, capped at `cap`. */
function distanceToMask(mask: Uint8Array, width: number, height: number, cap: number): Uint8Array {
  const distance = new Uint8Array(mask.length).fill(cap);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      if (mask[j * width + i] === 0) continue;
      for (let dj = -cap; dj <= cap; dj++) {
        for (let di = -cap; di <= cap; di++) {
          const x = i + di;
          const y = j + dj;
          if (x < 0 || y < 0 || x >= width || y >= height) continue;
          const k = y * width + x;
          distance[k] = Math.min(distance[k], Math.max(Math.abs(di), Math.abs(dj)));
        }
      }
    }
  }
  return distance;
}

describe.each(Object.values(PRODUCTS))('$kind masks', (product) => {
  it.each(product.defects)('%s: the image differs from the defect-free part only where the mask says', (defect) => {
    for (let n = 0; n < 3; n++) {
      const rng = new Random(40 + n).fork(`mask-test/${defect}`);
      const clean = renderSample(product, size, rng, null);
      const broken = renderSample(product, size, rng, defect);
      const mask = broken.mask!;
      expect(clean.mask).toBeNull();
      expect(mask).toHaveLength(size.width * size.height);
      expect(mask.every((v) => v === 0 || v === 255)).toBe(true);

      const distance = distanceToMask(mask, size.width, size.height, DILATION + 1);
      let maskPixels = 0;
      let maskDiffering = 0;
      let strayPixels = 0;
      for (let k = 0; k < mask.length; k++) {
        let difference = 0;
        for (let c = 0; c < product.channels; c++) {
          const at = k * product.channels + c;
          difference = Math.max(difference, Math.abs(clean.image[at] - broken.image[at]));
        }
        if (mask[k] === 255) {
          maskPixels++;
          if (difference >= 2) maskDiffering++;
        } else if (difference > 0 && distance[k] > DILATION) {
          strayPixels++;
        }
      }
      expect(maskPixels, `${defect} #${n}: empty mask`).toBeGreaterThan(0);
      expect(strayPixels, `${defect} #${n}: pixels changed outside the dilated mask`).toBe(0);
      // Nearly all of the mask shows the defect (a pit's lip on the unlit side changes little).
      expect(maskDiffering / maskPixels, `${defect} #${n}: mask larger than the defect`).toBeGreaterThan(0.5);
    }
  });
});
