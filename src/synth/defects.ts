/**
 * Surface defects that any product can carry. Each draws its geometry as coverage, confines it to
 * the part's visible surface, changes the scene layer it physically affects, and returns the
 * coverage, from which the ground-truth mask comes. Sizes and contrasts are drawn log-uniformly
 * from faint to obvious: any detector finds the obvious ones, the faint ones tell a good detector
 * from a poor one.
 */
import type { Random } from '../util/random.js';
import { GradientNoise } from './noise.js';
import { quadraticCurve, randomWalk } from './paths.js';
import { fillShape, plane, strokePath, type Point } from './raster.js';
import { between, chance, logBetween, pick, sign } from './sampling.js';
import type { Scene } from './scene.js';

export type SurfaceDefect = 'scratch' | 'crack' | 'hole' | 'stain' | 'contamination';

type Colour = readonly number[];

/**
 * A pixel centre on fully visible surface, at least `margin` px from the image border (failing
 * that, the last point tried: the caller redraws a defect that ends up off the surface).
 */
export function pickPoint(scene: Scene, rng: Random, margin: number): Point {
  let point = { x: scene.width / 2, y: scene.height / 2 };
  for (let attempt = 0; attempt < 500; attempt++) {
    const i = Math.floor(between(rng, margin, scene.width - margin));
    const j = Math.floor(between(rng, margin, scene.height - margin));
    point = { x: i + 0.5, y: j + 0.5 };
    if (scene.support[j * scene.width + i] >= 1) return point;
  }
  return point;
}

/** Defects lie on the part: nothing is drawn on the background or through its holes. */
export function confine(coverage: Float32Array, scene: Scene): void {
  for (let k = 0; k < coverage.length; k++) coverage[k] *= scene.support[k];
}

/** A lumpy closed outline: radius `radius` modulated by a few random low harmonics. */
export function lumpyOutline(rng: Random, radius: number, roughness: number): (angle: number) => number {
  const harmonics = [2, 3, 4, 5].map((k) => ({ k, amplitude: (roughness * between(rng, 0, 1)) / (k - 1), phase: between(rng, 0, 2 * Math.PI) }));
  return (angle) => radius * (1 + harmonics.reduce((sum, h) => sum + h.amplitude * Math.cos(h.k * angle + h.phase), 0));
}

/** Fill a lumpy blob centred on `centre`; `feather` > 1 softens its edge. */
export function fillBlob(coverage: Float32Array, scene: Scene, centre: Point, outline: (angle: number) => number, reach: number, feather = 1): void {
  const box = { x0: centre.x - reach, y0: centre.y - reach, x1: centre.x + reach, y1: centre.y + reach };
  fillShape(coverage, scene, box, (x, y) => Math.hypot(x - centre.x, y - centre.y) - outline(Math.atan2(y - centre.y, x - centre.x)), feather);
}

/** Cover pixel `k` with `colour` at opacity `amount`: foreign matter hides colour and sheen alike. */
function paint(scene: Scene, k: number, colour: Colour, amount: number): void {
  const { channels, albedo } = scene;
  for (let c = 0; c < channels; c++) albedo[k * channels + c] += amount * (colour[c] - albedo[k * channels + c]);
  scene.specular[k] *= 1 - amount;
}

/**
 * Thin curved lines from an abrasive contact, sometimes a few parallel ones. On metal most catch
 * the light (bright); some are dull grooves (dark). Intensity wanders along the line.
 */
function scratch(scene: Scene, rng: Random): Float32Array {
  const s = scene.scale;
  const coverage = plane(scene);
  const start = pickPoint(scene, rng, 10 * s);
  const length = s * logBetween(rng, 14, 90);
  const angle = between(rng, 0, 2 * Math.PI);
  const bend = between(rng, -0.25, 0.25) * length;
  const halfWidth = Math.max(0.4, s * logBetween(rng, 0.4, 1.1));
  const strokes = chance(rng, 0.3) ? 2 + rng.int(2) : 1;
  const spacing = s * between(rng, 2.5, 5);
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);
  for (let n = 0; n < strokes; n++) {
    const shift = between(rng, -0.15, 0.15) * length;
    const strokeLength = length * between(rng, 0.6, 1);
    const a = { x: start.x - dy * n * spacing + dx * shift, y: start.y + dx * n * spacing + dy * shift };
    const b = { x: a.x + dx * strokeLength, y: a.y + dy * strokeLength };
    const control = { x: (a.x + b.x) / 2 - dy * bend, y: (a.y + b.y) / 2 + dx * bend };
    const points = quadraticCurve(a, control, b, 1.5);
    // Tool pressure ramps up and down: the line tapers at both ends.
    const widths = points.map((_, i) => {
      const t = i / (points.length - 1);
      return halfWidth * (0.4 + 0.6 * Math.min(1, 5 * t, 5 * (1 - t)));
    });
    strokePath(coverage, scene, points, widths);
  }
  confine(coverage, scene);

  const contrast = logBetween(rng, 0.12, 0.6);
  const bright = chance(rng, 0.6);
  const wander = GradientNoise.from(rng);
  for (let k = 0; k < coverage.length; k++) {
    if (coverage[k] === 0) continue;
    const x = (k % scene.width) / (6 * s);
    const y = Math.floor(k / scene.width) / (6 * s);
    const amount = contrast * coverage[k] * (0.7 + 0.3 * wander.at(x, y));
    if (bright) scene.specular[k] += 0.6 * amount;
    else scene.shading[k] *= 1 - amount;
  }
  return coverage;
}

/** Branching jagged dark lines, widest where the crack started and tapering towards its tips. */
function crack(scene: Scene, rng: Random): Float32Array {
  const s = scene.scale;
  const coverage = plane(scene);
  const shape = { step: 1.5 * s, turn: 0.35, keepCourse: 0.15, curl: 0 };
  const start = pickPoint(scene, rng, 12 * s);
  const main = randomWalk(rng, start, between(rng, 0, 2 * Math.PI), s * logBetween(rng, 20, 110), shape);
  const halfWidth = Math.max(0.45, s * logBetween(rng, 0.45, 1.4));
  const mainWidths = main.points.map((_, i) => halfWidth * (1 - (0.7 * i) / (main.points.length - 1)));
  strokePath(coverage, scene, main.points, mainWidths);

  const branches = rng.int(4);
  for (let b = 0; b < branches; b++) {
    const at = Math.floor(between(rng, 0.2, 0.8) * main.points.length);
    const remaining = (main.points.length - at) * shape.step;
    const branch = randomWalk(rng, main.points[at], main.headings[at] + sign(rng) * between(rng, 0.35, 1.0), remaining * between(rng, 0.25, 0.6), shape);
    const w0 = 0.8 * mainWidths[at];
    strokePath(coverage, scene, branch.points, branch.points.map((_, i) => w0 * (1 - (0.6 * i) / (branch.points.length - 1))));
  }
  confine(coverage, scene);

  const depth = logBetween(rng, 0.15, 0.8);
  for (let k = 0; k < coverage.length; k++) {
    if (coverage[k] === 0) continue;
    scene.shading[k] *= 1 - depth * coverage[k];
    scene.specular[k] *= 1 - coverage[k];
  }
  return coverage;
}

/**
 * A pit or blowhole: a dark cavity whose wall nearest the light lies in shadow, ringed by a thin
 * raised lip that catches the light on the side facing it.
 */
function hole(scene: Scene, rng: Random): Float32Array {
  const s = scene.scale;
  const centre = pickPoint(scene, rng, 10 * s);
  const radius = s * logBetween(rng, 1.3, 7);
  const outline = lumpyOutline(rng, radius, 0.12);
  const lip = Math.max(0.8, 0.25 * radius);
  const reach = 1.5 * radius + lip + 2;
  const inside = plane(scene);
  const ring = plane(scene);
  fillBlob(inside, scene, centre, outline, reach);
  fillBlob(ring, scene, centre, (angle) => outline(angle) + lip, reach);
  confine(inside, scene);
  confine(ring, scene);

  const depth = logBetween(rng, 0.2, 0.85);
  const gleam = between(rng, 0.05, 0.3);
  const lx = Math.cos(scene.lightAngle);
  const ly = Math.sin(scene.lightAngle);
  for (let k = 0; k < inside.length; k++) {
    if (ring[k] === 0) continue;
    const x = (k % scene.width) + 0.5 - centre.x;
    const y = Math.floor(k / scene.width) + 0.5 - centre.y;
    const facing = (x * lx + y * ly) / (Math.hypot(x, y) || 1);
    const cavity = inside[k];
    const rim = ring[k] - cavity;
    scene.shading[k] *= 1 - cavity * depth * (0.7 + 0.3 * facing) - rim * 0.15 * Math.max(0, -facing);
    scene.specular[k] = scene.specular[k] * (1 - cavity) + rim * gleam * Math.max(0, facing);
    ring[k] = Math.max(ring[k], cavity);
  }
  return ring;
}

/**
 * Stain tints at full strength, per channel count: oil darkens, rust reddens, dried water leaves a
 * dull grey film; on the darker grayscale surfaces, dried residue also shows lighter.
 */
const STAIN_TINTS: Record<1 | 3, Colour[]> = {
  1: [[0.55], [0.55], [1.3]],
  3: [
    [0.6, 0.55, 0.45],
    [0.85, 0.55, 0.35],
    [0.78, 0.8, 0.83],
  ],
};

/**
 * A soft-edged, mottled discolouration: oil, rust or dried residue. Some dry into a ring, strongest
 * at the rim. Stains also dull the surface, so they take away specular sheen.
 */
function stain(scene: Scene, rng: Random): Float32Array {
  const s = scene.scale;
  const centre = pickPoint(scene, rng, 6 * s);
  const radius = s * logBetween(rng, 5, 28);
  const outline = lumpyOutline(rng, radius, 0.3);
  const feather = s * between(rng, 1.5, 4);
  const coverage = plane(scene);
  fillBlob(coverage, scene, centre, outline, 1.6 * radius + feather, feather);
  confine(coverage, scene);

  const ring = chance(rng, 0.3);
  const tint = pick(rng, STAIN_TINTS[scene.channels]);
  const strength = logBetween(rng, 0.25, 1);
  const mottle = GradientNoise.from(rng);
  const { channels, albedo } = scene;
  for (let k = 0; k < coverage.length; k++) {
    if (coverage[k] === 0) continue;
    const x = (k % scene.width) + 0.5 - centre.x;
    const y = Math.floor(k / scene.width) + 0.5 - centre.y;
    const rimness = Math.min(1, Math.max(0, (Math.hypot(x, y) / outline(Math.atan2(y, x)) - 0.55) / 0.4));
    const alpha = strength * coverage[k] * (ring ? 0.35 + 0.65 * rimness : 1) * (0.75 + 0.25 * mottle.at(x / (0.4 * radius), y / (0.4 * radius)));
    for (let c = 0; c < channels; c++) albedo[k * channels + c] *= 1 + (tint[c] - 1) * alpha;
    scene.specular[k] *= 1 - 0.6 * alpha;
  }
  return coverage;
}

/** Foreign matter colours, per channel count: grime, metal fines, dust, textile fibres. */
const PARTICLE_COLOURS: Record<1 | 3, Colour[]> = {
  1: [[0.06], [0.12], [0.85]],
  3: [
    [0.08, 0.07, 0.06],
    [0.25, 0.17, 0.1],
    [0.55, 0.3, 0.15],
    [0.9, 0.9, 0.88],
  ],
};
const FIBRE_COLOURS: Record<1 | 3, Colour[]> = {
  1: [[0.08], [0.15], [0.85]],
  3: [
    [0.12, 0.2, 0.55],
    [0.6, 0.12, 0.12],
    [0.1, 0.1, 0.1],
    [0.88, 0.88, 0.85],
  ],
};

/** Foreign matter lying on the surface: a cluster of particles, or a curly textile fibre. */
function contamination(scene: Scene, rng: Random): Float32Array {
  const s = scene.scale;
  const coverage = plane(scene);
  const start = pickPoint(scene, rng, 8 * s);
  let colour: Colour;
  if (chance(rng, 0.6)) {
    colour = pick(rng, PARTICLE_COLOURS[scene.channels]);
    const count = 1 + rng.int(6);
    const spread = s * between(rng, 1, 5);
    for (let n = 0; n < count; n++) {
      const centre = n === 0 ? start : { x: start.x + spread * rng.normal(), y: start.y + spread * rng.normal() };
      const radius = s * logBetween(rng, 0.7, 3);
      fillBlob(coverage, scene, centre, lumpyOutline(rng, radius, 0.25), 1.5 * radius + 2);
    }
  } else {
    colour = pick(rng, FIBRE_COLOURS[scene.channels]);
    const shape = { step: 1.2 * s, turn: 0.05, keepCourse: 0, curl: 0.03 };
    const fibre = randomWalk(rng, start, between(rng, 0, 2 * Math.PI), s * logBetween(rng, 15, 80), shape);
    const halfWidth = Math.max(0.4, s * between(rng, 0.35, 0.75));
    strokePath(coverage, scene, fibre.points, fibre.points.map((_, i) => halfWidth * Math.min(1, 0.5 + 0.1 * Math.min(i, fibre.points.length - 1 - i))));
  }
  confine(coverage, scene);

  const opacity = logBetween(rng, 0.3, 0.95);
  for (let k = 0; k < coverage.length; k++) if (coverage[k] > 0) paint(scene, k, colour, opacity * coverage[k]);
  return coverage;
}

export const SURFACE_DEFECTS: Record<SurfaceDefect, (scene: Scene, rng: Random) => Float32Array> = {
  scratch,
  crack,
  hole,
  stain,
  contamination,
};
