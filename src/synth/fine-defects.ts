/**
 * Defects sized in sensor pixels, whatever the frame size: a hairline crack one to three pixels
 * wide and a pinhole a few pixels across. They are what a line camera resolves at its native
 * resolution and what squashing a multi-megapixel frame to a network's input erases; the surface
 * defects of defects.ts instead grow with the image (they are drawn in 256-px units).
 */
import type { Random } from '../util/random.js';
import { confine, fillBlob, lumpyOutline, pickPoint } from './defects.js';
import { GradientNoise } from './noise.js';
import { randomWalk } from './paths.js';
import { plane, strokePath, type Point } from './raster.js';
import { between, chance, logBetween, sign } from './sampling.js';
import type { Scene } from './scene.js';

type FineDefect = 'hairline' | 'pinhole';

/** Slightly wavy, holding its course: a fatigue or quench crack, not a jagged fracture. */
const HAIRLINE_WALK = { step: 1.5, turn: 0.1, keepCourse: 0.08, curl: 0 };

/** Half-widths along a line: constant, narrowing over the last `tip` px at each end. */
function taperedWidths(points: readonly Point[], halfWidth: number, step: number, tip: number): number[] {
  const last = points.length - 1;
  return points.map((_, i) => halfWidth * (0.5 + 0.5 * Math.min(1, (step * Math.min(i, last - i)) / tip)));
}

/**
 * A thin dark crack, 1-3 px wide and a few tens to a few hundred px long (never longer than 60%
 * of the frame's short side), sometimes with a short branch or two. Its opening varies along its
 * length, so parts of it are fainter than others, as a partly closed crack is.
 */
function hairline(scene: Scene, rng: Random): Float32Array {
  const coverage = plane(scene);
  const start = pickPoint(scene, rng, 8);
  const length = Math.min(logBetween(rng, 25, 320), 0.6 * Math.min(scene.width, scene.height));
  const main = randomWalk(rng, start, between(rng, 0, 2 * Math.PI), length, HAIRLINE_WALK);
  const halfWidth = between(rng, 0.5, 1.5);
  strokePath(coverage, scene, main.points, taperedWidths(main.points, halfWidth, HAIRLINE_WALK.step, 0.1 * length));

  const branches = rng.int(3);
  for (let b = 0; b < branches; b++) {
    const at = Math.floor(between(rng, 0.2, 0.8) * main.points.length);
    const branchLength = length * between(rng, 0.15, 0.4);
    const branch = randomWalk(rng, main.points[at], main.headings[at] + sign(rng) * between(rng, 0.3, 0.9), branchLength, HAIRLINE_WALK);
    strokePath(coverage, scene, branch.points, taperedWidths(branch.points, 0.7 * halfWidth, HAIRLINE_WALK.step, 0.5 * branchLength));
  }
  confine(coverage, scene);

  const depth = logBetween(rng, 0.3, 0.85);
  const opening = GradientNoise.from(rng);
  for (let k = 0; k < coverage.length; k++) {
    if (coverage[k] === 0) continue;
    const x = ((k % scene.width) + 0.5) / 40;
    const y = (Math.floor(k / scene.width) + 0.5) / 40;
    scene.shading[k] *= 1 - depth * coverage[k] * (0.75 + 0.25 * opening.at(x, y));
    scene.specular[k] *= 1 - coverage[k];
  }
  return coverage;
}

/**
 * A pit 3-8 px across. Most are blind: a dark cavity whose wall nearest the light lies deepest in
 * shadow. Some go through the strip and show the light behind it, bright and without texture.
 * Too small for the raised lip of a larger pit to show.
 */
function pinhole(scene: Scene, rng: Random): Float32Array {
  const centre = pickPoint(scene, rng, 6);
  const radius = between(rng, 1.5, 4);
  const coverage = plane(scene);
  fillBlob(coverage, scene, centre, lumpyOutline(rng, radius, 0.12), 1.5 * radius + 2);
  confine(coverage, scene);

  const through = chance(rng, 0.3);
  // Pinholes that matter go deep; shallow dimples are part of the texture.
  const depth = logBetween(rng, 0.35, 0.9);
  const backlight = between(rng, 0.75, 1);
  const lx = Math.cos(scene.lightAngle);
  const ly = Math.sin(scene.lightAngle);
  for (let k = 0; k < coverage.length; k++) {
    const c = coverage[k];
    if (c === 0) continue;
    if (through) {
      scene.shading[k] *= 1 - c;
      scene.specular[k] += c * (backlight - scene.specular[k]);
    } else {
      const x = (k % scene.width) + 0.5 - centre.x;
      const y = Math.floor(k / scene.width) + 0.5 - centre.y;
      const facing = (x * lx + y * ly) / (Math.hypot(x, y) || 1);
      scene.shading[k] *= 1 - c * depth * (0.7 + 0.3 * facing);
      scene.specular[k] *= 1 - c;
    }
  }
  return coverage;
}

export const FINE_DEFECTS: Record<FineDefect, (scene: Scene, rng: Random) => Float32Array> = { hairline, pinhole };
