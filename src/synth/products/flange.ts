/**
 * `flange`: a turned steel flange on a dark conveyor, seen from above in colour, like the object
 * categories of MVTec AD. It has a central bore, a raised hub, six bolt holes and one locating
 * notch, so its rotation is visible. Each part lies a little off centre and turned a little,
 * under a key light whose direction wanders: chamfers catch the light on one side, the part
 * casts a soft shadow, and the turning marks give the anisotropic "bow tie" highlight of turned
 * metal, which stays with the light while the part turns.
 *
 * Geometry is a signed distance function (negative inside the metal), which gives anti-aliased
 * edges, chamfer normals and the cast shadow from one definition, and makes a missing feature a
 * one-line change to the geometry.
 */
import type { Random } from '../../util/random.js';
import { lumpyOutline, SURFACE_DEFECTS, type SurfaceDefect } from '../defects.js';
import { GradientNoise, smoothField } from '../noise.js';
import type { DefectRendering, Part, Product } from '../product.js';
import type { Size } from '../raster.js';
import { between, logBetween } from '../sampling.js';
import { createScene, shade, type Scene } from '../scene.js';

const BOLT_HOLES = 6;
const DEFECTS: readonly string[] = ['scratch', 'crack', 'stain', 'contamination', 'missing'];

/** Dimensions as fractions of the flange radius. */
const BORE = 0.3;
const HUB = 0.52;
const PITCH = 0.76;
const BOLT = 0.075;
const NOTCH_HALF_WIDTH = 0.07;
const NOTCH_DEPTH = 0.11;

interface Geometry {
  drilled: boolean[];
  notched: boolean;
  /** A piece broken off the rim: centre (part frame, px) and outline. */
  chip: { x: number; y: number; outline: (angle: number) => number } | null;
}

/** Signed distance to an axis-aligned box of half extents (hx, hy) centred at (cx, cy). */
function boxDistance(x: number, y: number, cx: number, cy: number, hx: number, hy: number): number {
  const qx = Math.abs(x - cx) - hx;
  const qy = Math.abs(y - cy) - hy;
  const ox = Math.max(qx, 0);
  const oy = Math.max(qy, 0);
  return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0);
}

class Flange implements Part {
  private readonly radius: number;
  private readonly centreX: number;
  private readonly centreY: number;
  private readonly rotation: number;
  private readonly lightAngle: number;
  private readonly lightLevel: number;
  private readonly metal: number[];
  private readonly background: number[];
  private readonly ringPitch: number;
  private readonly ringContrast: number;
  private readonly highlight: number;
  private readonly highlightWidth: number;
  private readonly chamferGain: number;
  private readonly shadowOffset: number;
  private readonly shadowDepth: number;
  private readonly rings: GradientNoise;
  private readonly mottle: GradientNoise;
  private readonly cloth: GradientNoise;
  private readonly bolts: { x: number; y: number }[];
  /** Distance from an edge beyond which nothing is drawn differently, px. */
  private readonly reach: number;

  constructor(
    private readonly size: Size,
    rng: Random,
  ) {
    const extent = Math.min(size.width, size.height);
    const s = extent / 256;
    this.radius = 0.37 * extent * between(rng, 0.98, 1.02);
    this.centreX = size.width / 2 + between(rng, -0.03, 0.03) * extent;
    this.centreY = size.height / 2 + between(rng, -0.03, 0.03) * extent;
    this.rotation = between(rng, -0.26, 0.26);
    this.lightAngle = (-3 * Math.PI) / 4 + between(rng, -0.35, 0.35);
    this.lightLevel = between(rng, 0.88, 1.05);
    const tint = between(rng, -0.015, 0.015);
    const grey = between(rng, 0.55, 0.68);
    this.metal = [grey * (1 + tint), grey, grey * (1 - tint)];
    const dark = between(rng, 0.1, 0.16);
    this.background = [dark * 0.9, dark, dark * 1.12];
    this.ringPitch = s * between(rng, 0.9, 1.6);
    this.ringContrast = between(rng, 0.03, 0.08);
    this.highlight = between(rng, 0.08, 0.25);
    this.highlightWidth = between(rng, 6, 20);
    this.chamferGain = between(rng, 0.45, 0.7);
    this.shadowOffset = s * between(rng, 3, 6);
    this.shadowDepth = between(rng, 0.45, 0.7);
    this.rings = GradientNoise.from(rng);
    this.mottle = GradientNoise.from(rng);
    this.cloth = GradientNoise.from(rng);
    this.reach = 10 * s;
    this.bolts = Array.from({ length: BOLT_HOLES }, (_, n) => {
      const angle = ((n + 0.5) * 2 * Math.PI) / BOLT_HOLES;
      return { x: PITCH * this.radius * Math.cos(angle), y: PITCH * this.radius * Math.sin(angle) };
    });
  }

  render(): Scene {
    return this.draw({ drilled: this.bolts.map(() => true), notched: true, chip: null });
  }

  renderDefective(defect: string, rng: Random): DefectRendering {
    if (defect === 'missing') return this.missing(rng);
    const scene = this.render();
    return { scene, coverage: SURFACE_DEFECTS[defect as SurfaceDefect](scene, rng) };
  }

  /**
   * A bolt hole not drilled, the notch not cut, or a piece broken off the rim. The mask is where
   * the broken part's render differs from the intact one, which includes the changed chamfers and
   * the changed shadow: everything the missing piece changes, nothing else.
   */
  private missing(rng: Random): DefectRendering {
    const geometry: Geometry = { drilled: this.bolts.map(() => true), notched: true, chip: null };
    const variant = rng.uniform();
    if (variant < 0.35) {
      geometry.drilled[rng.int(BOLT_HOLES)] = false;
    } else if (variant < 0.55) {
      geometry.notched = false;
    } else {
      const angle = between(rng, 0, 2 * Math.PI);
      const distance = this.radius * between(rng, 0.98, 1.06);
      const outline = lumpyOutline(rng, this.radius * logBetween(rng, 0.06, 0.18), 0.35);
      geometry.chip = { x: distance * Math.cos(angle), y: distance * Math.sin(angle), outline };
    }
    const intact = shade(this.render());
    const scene = this.draw(geometry);
    const broken = shade(scene);
    const coverage = new Float32Array(scene.width * scene.height);
    for (let k = 0; k < coverage.length; k++) {
      let difference = 0;
      for (let c = 0; c < 3; c++) difference = Math.max(difference, Math.abs(intact[3 * k + c] - broken[3 * k + c]));
      coverage[k] = Math.min(1, difference / 0.03);
    }
    return { scene, coverage };
  }

  /** Signed distance to the metal at part-frame point (x, y), in pixels. */
  private distance(x: number, y: number, geometry: Geometry): number {
    const r = Math.sqrt(x * x + y * y);
    let d = Math.max(r - this.radius, BORE * this.radius - r);
    // Only distances up to a few pixels matter (edges, chamfers, the soft shadow), and the bolt
    // holes are all within BOLT of the pitch circle: away from it, skip them.
    const nearHoles = Math.abs(r - PITCH * this.radius) < BOLT * this.radius + this.reach;
    for (let n = 0; n < BOLT_HOLES && nearHoles; n++) {
      if (!geometry.drilled[n]) continue;
      const bx = x - this.bolts[n].x;
      const by = y - this.bolts[n].y;
      d = Math.max(d, BOLT * this.radius - Math.sqrt(bx * bx + by * by));
    }
    if (geometry.notched) d = Math.max(d, -boxDistance(x, y, this.radius, 0, NOTCH_DEPTH * this.radius, NOTCH_HALF_WIDTH * this.radius));
    const chip = geometry.chip;
    if (chip) d = Math.max(d, chip.outline(Math.atan2(y - chip.y, x - chip.x)) - Math.hypot(x - chip.x, y - chip.y));
    return d;
  }

  private draw(geometry: Geometry): Scene {
    const scene = createScene(this.size, 3, this.lightAngle);
    const { width, height, scale } = scene;
    const cos = Math.cos(this.rotation);
    const sin = Math.sin(this.rotation);
    // Light direction in the part frame, where normals and the shadow are computed.
    const plx = Math.cos(this.lightAngle - this.rotation);
    const ply = Math.sin(this.lightAngle - this.rotation);
    const chamfer = 1.8 * scale;
    const soft = 2.5 * scale;
    const toPart = (i: number, j: number): [number, number] => {
      const x = i - this.centreX;
      const y = j - this.centreY;
      return [x * cos + y * sin, -x * sin + y * cos];
    };
    // The material's slow variations move with the part; sampled coarsely, they cost little.
    const cell = Math.max(1, Math.round(2 * scale));
    const wobble = smoothField(width, height, cell, (i, j) => {
      const [x, y] = toPart(i, j);
      return 0.3 * this.mottle.at(x / (30 * scale), y / (30 * scale));
    });
    const mottle = smoothField(width, height, cell, (i, j) => {
      const [x, y] = toPart(i, j);
      return this.mottle.fbm(x / (25 * scale), y / (25 * scale), 3);
    });

    for (let j = 0; j < height; j++) {
      for (let i = 0; i < width; i++) {
        const k = j * width + i;
        const x = (i + 0.5 - this.centreX) * cos + (j + 0.5 - this.centreY) * sin;
        const y = -(i + 0.5 - this.centreX) * sin + (j + 0.5 - this.centreY) * cos;
        const d = this.distance(x, y, geometry);
        const metal = Math.min(1, Math.max(0, 0.5 - d));

        // Background: a grainy matte belt, in the part's shadow where the metal blocks the light.
        let backShade = 1;
        let back = 1;
        if (metal < 1) {
          const towardsLight = this.distance(x + this.shadowOffset * plx, y + this.shadowOffset * ply, geometry);
          const shadow = Math.min(1, Math.max(0, 0.5 - towardsLight / soft));
          backShade = this.lightLevel * (1 - this.shadowDepth * shadow);
          back = 1 + 0.25 * this.cloth.fbm((i + 0.5) / (3 * scale), (j + 0.5) / (3 * scale), 2);
        }

        // Metal: turned rings (the hub turned at a finer feed), mottling, chamfers, highlight.
        let face = 1;
        let faceShade = 1;
        let glint = 0;
        if (metal > 0) {
          const r = Math.sqrt(x * x + y * y);
          const hub = r < HUB * this.radius;
          const ring = this.rings.at(r / (hub ? 0.7 * this.ringPitch : this.ringPitch) + wobble[k], hub ? 7.5 : 0.5);
          face = (hub ? 1.04 : 1) * (1 + this.ringContrast * ring + 0.04 * mottle[k]);
          const lit = x * plx + y * ply;
          faceShade = this.lightLevel * (1 + (0.08 * lit) / this.radius);
          // Turned grooves reflect the key light along the radius that points at it (both sides).
          const radial = lit / (r || 1);
          glint = this.highlight * Math.pow(Math.abs(radial), this.highlightWidth) * (0.8 + 0.4 * ring);

          // The hub's edge: a narrow bevel down to the flange face, lit on the side facing the light.
          const step = Math.min(1, Math.max(0, Math.min(r - (HUB * this.radius - chamfer) + 0.5, HUB * this.radius - r + 0.5)));
          if (step > 0) faceShade *= 1 + step * 0.6 * this.chamferGain * radial;

          // Chamfers along every cut edge: the surface tilts towards the edge's outward normal.
          if (d > -chamfer - 0.5) {
            const gx = this.distance(x + 0.5, y, geometry) - this.distance(x - 0.5, y, geometry);
            const gy = this.distance(x, y + 0.5, geometry) - this.distance(x, y - 0.5, geometry);
            const facing = (gx * plx + gy * ply) / (Math.sqrt(gx * gx + gy * gy) || 1);
            const onChamfer = Math.min(1, Math.max(0, 0.5 + d + chamfer));
            faceShade *= 1 + onChamfer * this.chamferGain * facing;
            glint = glint * (1 - onChamfer) + onChamfer * 0.3 * Math.max(0, facing) ** 4;
          }
        }

        for (let c = 0; c < 3; c++) {
          scene.albedo[3 * k + c] = metal * this.metal[c] * face + (1 - metal) * this.background[c] * back;
        }
        scene.shading[k] = metal * faceShade + (1 - metal) * backShade;
        scene.specular[k] = metal * glint;
        scene.support[k] = metal;
      }
    }
    return scene;
  }
}

export const flange: Product = {
  kind: 'flange',
  description: 'turned steel flange with bore, hub, six bolt holes and a notch, on a conveyor; colour',
  channels: 3,
  defects: DEFECTS,
  defaultSize: { width: 256, height: 256 },
  create: (size, rng) => new Flange(size, rng),
};
