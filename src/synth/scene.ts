/**
 * A rendered part before the camera sees it, kept as separate physical layers. Defects act on
 * the layer they physically change: a stain or a particle changes the surface colour (albedo), a
 * crack or a pit changes how much light reaches the surface (shading), a scratch on metal catches
 * the light (specular). Products draw the defect-free layers; `shade` combines them into radiance.
 */
import type { Size } from './raster.js';

export interface Scene extends Size {
  readonly channels: 1 | 3;
  /** Surface reflectance, interleaved per channel, 0..1. */
  readonly albedo: Float32Array;
  /** Diffuse illumination reaching each pixel (lighting, shadows, cavities); multiplies albedo. */
  readonly shading: Float32Array;
  /** Light reflected specularly off the surface, added neutral in colour. */
  readonly specular: Float32Array;
  /** 1 where the inspected surface is visible, 0 on the background and through holes. */
  readonly support: Float32Array;
  /** Azimuth of the key light in image coordinates (radians): relief is lit on the side facing it. */
  readonly lightAngle: number;
  /** Image size relative to 256 px: lengths in the generators are in 256-px units times this. */
  readonly scale: number;
}

export function createScene(size: Size, channels: 1 | 3, lightAngle: number): Scene {
  const pixels = size.width * size.height;
  return {
    width: size.width,
    height: size.height,
    channels,
    albedo: new Float32Array(pixels * channels),
    shading: new Float32Array(pixels).fill(1),
    specular: new Float32Array(pixels),
    support: new Float32Array(pixels).fill(1),
    lightAngle,
    scale: Math.min(size.width, size.height) / 256,
  };
}

/** Radiance leaving each pixel towards the camera: albedo x shading + specular, interleaved. */
export function shade(scene: Scene): Float32Array {
  const { channels } = scene;
  const out = new Float32Array(scene.albedo.length);
  for (let k = 0; k < scene.shading.length; k++) {
    for (let c = 0; c < channels; c++) {
      out[k * channels + c] = scene.albedo[k * channels + c] * scene.shading[k] + scene.specular[k];
    }
  }
  return out;
}
