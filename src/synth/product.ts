/**
 * What a product kind provides to the generator: instances of the part (each with its own pose,
 * material and lighting, the normal variation of a production line) that render with or without
 * one defect of a named type.
 */
import type { Random } from '../util/random.js';
import type { Size } from './raster.js';
import type { Scene } from './scene.js';

export interface DefectRendering {
  scene: Scene;
  /** How much of each pixel the defect covers, 0..1; the ground-truth mask is thresholded from it. */
  coverage: Float32Array;
}

export interface Part {
  /** The part as it should be. */
  render(): Scene;
  /** The same part (same pose, material, lighting) with one defect of type `defect`. */
  renderDefective(defect: string, rng: Random): DefectRendering;
}

export interface Product {
  readonly kind: string;
  readonly description: string;
  readonly channels: 1 | 3;
  /** Defect types, each a test/<defect> folder of the dataset. */
  readonly defects: readonly string[];
  /** Image size when none is asked for: what the product's camera delivers. */
  readonly defaultSize: Size;
  /** A new part instance; everything that varies between good parts is drawn from `rng`. */
  create(size: Size, rng: Random): Part;
}
