/**
 * Synthetic defects drawn onto real good images: the synthetic generator's surface and fine
 * defects (scratches, cracks, holes, stains, contamination, hairlines, pinholes), applied to a
 * decoded model input as if it were the part's surface. They stand in for the defects a product
 * has not shown yet when a training choice needs defective examples (no real defect may be used).
 */
import type { PlanarImage } from '../image/planar.js';
import { FINE_DEFECTS } from '../synth/fine-defects.js';
import { SURFACE_DEFECTS } from '../synth/defects.js';
import { shade, type Scene } from '../synth/scene.js';
import type { Random } from '../util/random.js';

const DEFECTS = { ...SURFACE_DEFECTS, ...FINE_DEFECTS };
export type ImplantedDefect = keyof typeof DEFECTS;
export const IMPLANTED_DEFECTS = Object.keys(DEFECTS) as ImplantedDefect[];

/** Gray images (three equal planes) get gray defects: a coloured stain on a gray part would be too easy to see. */
function isGray({ data, width, height }: PlanarImage): boolean {
  const plane = width * height;
  for (let k = 0; k < plane; k++) if (data[k] !== data[plane + k] || data[k] !== data[2 * plane + k]) return false;
  return true;
}

/** A copy of `image` with one `defect` drawn on it at a random place, size and strength. */
export function implantDefect(image: PlanarImage, defect: ImplantedDefect, rng: Random): Float32Array {
  const { width, height, data } = image;
  const plane = width * height;
  const channels = isGray(image) ? 1 : 3;
  const albedo = new Float32Array(plane * channels);
  for (let k = 0; k < plane; k++) for (let c = 0; c < channels; c++) albedo[k * channels + c] = data[c * plane + k];
  const scene: Scene = {
    width,
    height,
    channels,
    albedo,
    shading: new Float32Array(plane).fill(1),
    specular: new Float32Array(plane),
    support: new Float32Array(plane).fill(1),
    lightAngle: rng.uniform() * 2 * Math.PI,
    scale: Math.min(width, height) / 256,
  };
  DEFECTS[defect](scene, rng);
  const radiance = shade(scene);
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const source = Math.min(c, channels - 1);
    for (let k = 0; k < plane; k++) out[c * plane + k] = Math.min(1, Math.max(0, radiance[k * channels + source]));
  }
  return out;
}
