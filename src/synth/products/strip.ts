/**
 * `strip`: cold-rolled steel strip under a line camera, in grayscale at the camera's native
 * resolution, like the steel-surface datasets. Each image row is one scan line across the strip
 * and the strip travels down the image, so the rolling marks run along the columns and the line
 * light's profile varies across them. Lengths are in sensor pixels, not in units of the frame: a
 * larger frame shows more strip at the same resolution, which is what a line camera does, and
 * keeps hairlines and pinholes a few pixels wide however large the frame.
 *
 * Texture: long thin rolling streaks, a fine isotropic roughness at pixel scale, a slow mottle
 * of the oxide, faint roll-chatter bands across the strip and a few harmless specks; lighting: the
 * line light's bowed profile and tilt across the strip and a slow flutter along it. All of it is
 * stationary along the strip and varies from coil to coil within fixed ranges.
 */
import type { Random } from '../../util/random.js';
import { SURFACE_DEFECTS } from '../defects.js';
import { FINE_DEFECTS } from '../fine-defects.js';
import { GradientNoise, smoothField, WhiteNoise } from '../noise.js';
import type { DefectRendering, Part, Product } from '../product.js';
import { fillDisc, plane, type Point, type Size } from '../raster.js';
import { between, logBetween } from '../sampling.js';
import { createScene, type Scene } from '../scene.js';

/**
 * Hairlines and pinholes at native resolution, beside a scratch and a stain that grow with the
 * frame: the large defects a coarse look at the whole frame has to catch.
 */
const DEFECT_DRAWINGS: Record<string, (scene: Scene, rng: Random) => Float32Array> = {
  ...FINE_DEFECTS,
  scratch: SURFACE_DEFECTS.scratch,
  stain: SURFACE_DEFECTS.stain,
};

/**
 * The line sensor's pixel-to-pixel gain differences: a faint fixed pattern of columns, the same in
 * every frame because the same camera takes them all.
 */
const COLUMN_GAIN = new WhiteNoise(0x11ae);
const COLUMN_GAIN_SPREAD = 0.006;

/** Specks per megapixel, at most: inclusions too small and faint to reject. */
const SPECKS_PER_MEGAPIXEL = 12;

class SteelStrip implements Part {
  /** Strip tracking: the rolling direction leans off the columns by this much (radians). */
  private readonly skew: number;
  private readonly base: number;
  /** Rolling streaks: width across and length along the strip, px. */
  private readonly streakWidth: number;
  private readonly streakLength: number;
  private readonly streakAmplitude: number;
  private readonly scoreAmplitude: number;
  private readonly roughness: number;
  private readonly mottleAmplitude: number;
  private readonly chatterPeriod: number;
  private readonly chatterPhase: number;
  private readonly chatterAmplitude: number;
  private readonly profileBow: number;
  private readonly profileTilt: number;
  private readonly flutterAmplitude: number;
  private readonly lightAngle: number;
  private readonly streaks: GradientNoise;
  private readonly scores: GradientNoise;
  private readonly grain: GradientNoise;
  private readonly mottle: GradientNoise;
  private readonly flutter: GradientNoise;
  private readonly specks: { centre: Point; radius: number }[];
  private readonly speckDarkness: number;

  constructor(
    private readonly size: Size,
    rng: Random,
  ) {
    this.skew = between(rng, -0.01, 0.01);
    this.base = between(rng, 0.36, 0.48);
    this.streakWidth = logBetween(rng, 2, 6);
    this.streakLength = logBetween(rng, 150, 600);
    this.streakAmplitude = between(rng, 0.05, 0.1);
    this.scoreAmplitude = between(rng, 0.015, 0.04);
    this.roughness = between(rng, 0.03, 0.06);
    this.mottleAmplitude = between(rng, 0.03, 0.08);
    this.chatterPeriod = between(rng, 40, 120);
    this.chatterPhase = between(rng, 0, 2 * Math.PI);
    this.chatterAmplitude = between(rng, 0, 0.015);
    this.profileBow = between(rng, 0.04, 0.12);
    this.profileTilt = between(rng, -0.05, 0.05);
    this.flutterAmplitude = between(rng, 0, 0.03);
    // The line light sits upstream, so relief is lit from the top of the image.
    this.lightAngle = -Math.PI / 2 + between(rng, -0.2, 0.2);
    this.streaks = GradientNoise.from(rng);
    this.scores = GradientNoise.from(rng);
    this.grain = GradientNoise.from(rng);
    this.mottle = GradientNoise.from(rng);
    this.flutter = GradientNoise.from(rng);
    const megapixels = (size.width * size.height) / 1e6;
    this.specks = Array.from({ length: rng.int(Math.ceil(SPECKS_PER_MEGAPIXEL * megapixels) + 1) }, () => ({
      centre: { x: between(rng, 0, size.width), y: between(rng, 0, size.height) },
      radius: between(rng, 0.4, 0.9),
    }));
    this.speckDarkness = between(rng, 0.08, 0.2);
  }

  render(): Scene {
    const scene = createScene(this.size, 1, this.lightAngle);
    const { width, height } = scene;
    const cos = Math.cos(this.skew);
    const sin = Math.sin(this.skew);
    const mottle = smoothField(width, height, 16, (x, y) => this.mottle.fbm(x / 300, y / 300, 3));
    // The line light and the sensor act per column, the strip's flutter and chatter per row.
    const column = new Float32Array(width);
    for (let i = 0; i < width; i++) {
      const across = (2 * (i + 0.5)) / width - 1;
      column[i] = (1 - this.profileBow * across * across + this.profileTilt * across) * (1 + COLUMN_GAIN_SPREAD * COLUMN_GAIN.at(i));
    }
    const row = new Float32Array(height);
    for (let j = 0; j < height; j++) {
      const y = j + 0.5;
      row[j] = (1 + this.flutterAmplitude * this.flutter.at(y / 700, 0.5)) * (1 + this.chatterAmplitude * Math.sin((2 * Math.PI * y) / this.chatterPeriod + this.chatterPhase));
    }

    for (let j = 0; j < height; j++) {
      for (let i = 0; i < width; i++) {
        const k = j * width + i;
        // u along the rolling direction, v across it.
        const u = (j + 0.5) * cos - (i + 0.5) * sin;
        const v = (i + 0.5) * cos + (j + 0.5) * sin;
        const streak = this.streaks.fbm(v / (4 * this.streakWidth), u / this.streakLength, 3);
        // Scores: single-pixel lines the work roll pressed in, long and faint.
        const score = this.scores.at(v / 0.9, u / 80);
        const grain = this.grain.at(v / 1.6, u / 1.6);
        scene.albedo[k] = this.base * (1 + this.streakAmplitude * streak + this.scoreAmplitude * score + this.roughness * grain + this.mottleAmplitude * mottle[k]);
        scene.shading[k] = column[i] * row[j];
      }
    }
    const specks = plane(scene);
    for (const { centre, radius } of this.specks) fillDisc(specks, scene, centre, radius);
    for (let k = 0; k < specks.length; k++) scene.albedo[k] *= 1 - this.speckDarkness * specks[k];
    return scene;
  }

  renderDefective(defect: string, rng: Random): DefectRendering {
    const scene = this.render();
    return { scene, coverage: DEFECT_DRAWINGS[defect](scene, rng) };
  }
}

export const strip: Product = {
  kind: 'strip',
  description: 'cold-rolled steel strip under a line camera at native resolution, grayscale; hairlines and pinholes a few px wide',
  channels: 1,
  defects: Object.keys(DEFECT_DRAWINGS),
  defaultSize: { width: 2048, height: 768 },
  create: (size, rng) => new SteelStrip(size, rng),
};
