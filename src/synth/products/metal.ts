/**
 * `metal`: a brushed or ground metal surface seen up close in grayscale, like the magnetic-tile
 * and metal-plate datasets. Grinding leaves a directional grain of long thin streaks at several
 * scales; the sheet's curvature and the line lights give broad bright bands across the grain and
 * a slow gradient; the material itself is mottled and has a few tiny harmless pores. All of it
 * varies from part to part.
 */
import type { Random } from '../../util/random.js';
import { SURFACE_DEFECTS, type SurfaceDefect } from '../defects.js';
import { GradientNoise, smoothField } from '../noise.js';
import type { DefectRendering, Part, Product } from '../product.js';
import { fillDisc, plane, type Point, type Size } from '../raster.js';
import { between, logBetween } from '../sampling.js';
import { createScene, type Scene } from '../scene.js';

const DEFECTS: readonly SurfaceDefect[] = ['scratch', 'crack', 'hole', 'stain', 'contamination'];

class MetalSheet implements Part {
  /** Grain direction: near vertical, as the sheet always enters the station the same way. */
  private readonly grainAngle: number;
  private readonly base: number;
  private readonly grainAmplitude: number;
  /** Grain streak length along the grain, px (at 256 px). */
  private readonly grainLength: number;
  private readonly streakAmplitude: number;
  private readonly mottleAmplitude: number;
  private readonly bandPeriod: number;
  private readonly bandPhase: number;
  private readonly bandAmplitude: number;
  private readonly sheen: number;
  private readonly gradientAngle: number;
  private readonly gradientAmplitude: number;
  private readonly lightAngle: number;
  private readonly grain: GradientNoise;
  private readonly streaks: GradientNoise;
  private readonly mottle: GradientNoise;
  private readonly glow: GradientNoise;
  /** Pores: specks too small and faint to reject, which a detector must learn to accept. */
  private readonly pores: { centre: Point; radius: number }[];
  private readonly poreDarkness: number;

  constructor(
    private readonly size: Size,
    rng: Random,
  ) {
    this.grainAngle = Math.PI / 2 + between(rng, -0.03, 0.03);
    this.base = between(rng, 0.32, 0.46);
    this.grainAmplitude = between(rng, 0.04, 0.08);
    this.grainLength = logBetween(rng, 30, 90);
    this.streakAmplitude = between(rng, 0.05, 0.13);
    this.mottleAmplitude = between(rng, 0.04, 0.12);
    this.bandPeriod = between(rng, 0.6, 1.6);
    this.bandPhase = between(rng, 0, 2 * Math.PI);
    this.bandAmplitude = between(rng, 0.08, 0.3);
    this.sheen = between(rng, 0, 0.12);
    this.gradientAngle = between(rng, 0, 2 * Math.PI);
    this.gradientAmplitude = between(rng, 0, 0.2);
    this.lightAngle = between(rng, 0, 2 * Math.PI);
    this.grain = GradientNoise.from(rng);
    this.streaks = GradientNoise.from(rng);
    this.mottle = GradientNoise.from(rng);
    this.glow = GradientNoise.from(rng);
    const s = Math.min(size.width, size.height) / 256;
    this.pores = Array.from({ length: rng.int(8) }, () => ({
      centre: { x: between(rng, 0, size.width), y: between(rng, 0, size.height) },
      radius: s * between(rng, 0.4, 1),
    }));
    this.poreDarkness = between(rng, 0.1, 0.3);
  }

  render(): Scene {
    const scene = createScene(this.size, 1, this.lightAngle);
    const { width, height, scale } = scene;
    const along = { x: Math.cos(this.grainAngle), y: Math.sin(this.grainAngle) };
    const slope = { x: Math.cos(this.gradientAngle), y: Math.sin(this.gradientAngle) };
    const extent = Math.min(width, height);
    const bandFrequency = (2 * Math.PI) / (this.bandPeriod * extent);
    // Grain coordinates: u along the grain, v across it, in 256-px units from the centre.
    const grainU = (x: number, y: number) => ((x - width / 2) * along.x + (y - height / 2) * along.y) / scale;
    const grainV = (x: number, y: number) => (-(x - width / 2) * along.y + (y - height / 2) * along.x) / scale;

    // Slow variations on a coarse grid: the mottled material, the light bands, the glow.
    const cell = Math.max(1, Math.round(4 * scale));
    const mottle = smoothField(width, height, cell, (x, y) => this.mottle.fbm(x / (70 * scale), y / (70 * scale), 4));
    // Bands run along the grain (they are reflections of the line lights in the curved sheet).
    const band = smoothField(width, height, cell, (x, y) => Math.sin(grainV(x, y) * scale * bandFrequency + this.bandPhase + 0.6 * this.glow.at(grainU(x, y) / 200, 0.5)));
    const glow = smoothField(width, height, cell, (x, y) => this.glow.fbm(x / (90 * scale), y / (90 * scale), 2));

    for (let j = 0; j < height; j++) {
      for (let i = 0; i < width; i++) {
        const k = j * width + i;
        const u = grainU(i + 0.5, j + 0.5);
        const v = grainV(i + 0.5, j + 0.5);
        const grain = this.grain.fbm(u / this.grainLength, v / 3.5, 2);
        const streak = this.streaks.at(u / (8 * this.grainLength), v / 1.2);
        scene.albedo[k] = this.base * (1 + this.grainAmplitude * grain + this.streakAmplitude * streak + this.mottleAmplitude * mottle[k]);
        const tilt = ((i + 0.5 - width / 2) * slope.x + (j + 0.5 - height / 2) * slope.y) / extent;
        scene.shading[k] = 1 + this.bandAmplitude * band[k] + this.gradientAmplitude * tilt + 0.05 * glow[k];
        // Sheen: the band crests glint, and glint is streaky because it follows the grain.
        scene.specular[k] = this.sheen * Math.max(0, band[k]) ** 3 * (1 + 2 * this.grainAmplitude * grain + 4 * this.streakAmplitude * streak);
      }
    }
    const pores = plane(scene);
    for (const { centre, radius } of this.pores) fillDisc(pores, scene, centre, radius);
    for (let k = 0; k < pores.length; k++) scene.albedo[k] *= 1 - this.poreDarkness * pores[k];
    return scene;
  }

  renderDefective(defect: string, rng: Random): DefectRendering {
    const scene = this.render();
    return { scene, coverage: SURFACE_DEFECTS[defect as SurfaceDefect](scene, rng) };
  }
}

export const metal: Product = {
  kind: 'metal',
  description: 'brushed metal surface, grayscale texture',
  channels: 1,
  defects: DEFECTS,
  defaultSize: { width: 256, height: 256 },
  create: (size, rng) => new MetalSheet(size, rng),
};
