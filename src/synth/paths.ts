/** Centre lines of linear defects: smooth curves for scratches, random walks for cracks and fibres. */
import type { Random } from '../util/random.js';
import type { Point } from './raster.js';

/** Quadratic Bezier from `a` to `b` pulled towards `control`, sampled about every `step` pixels. */
export function quadraticCurve(a: Point, control: Point, b: Point, step: number): Point[] {
  const chord = Math.hypot(b.x - a.x, b.y - a.y) + Math.hypot(control.x - a.x, control.y - a.y);
  const n = Math.max(2, Math.ceil(chord / step));
  const points: Point[] = [];
  for (let s = 0; s <= n; s++) {
    const t = s / n;
    const u = 1 - t;
    points.push({
      x: u * u * a.x + 2 * u * t * control.x + t * t * b.x,
      y: u * u * a.y + 2 * u * t * control.y + t * t * b.y,
    });
  }
  return points;
}

export interface WalkShape {
  /** Pixels per step. */
  step: number;
  /** Standard deviation of the heading change per step (radians): how jagged the line is. */
  turn: number;
  /** Pull of the heading back towards the initial one per step, 0..1: cracks keep a course. */
  keepCourse: number;
  /** Standard deviation of the curvature change per step: fibres curl, cracks do not. */
  curl: number;
}

export interface Walk {
  points: Point[];
  headings: number[];
}

/** A random walk of total `length` pixels from `start`, heading `angle` (radians). */
export function randomWalk(rng: Random, start: Point, angle: number, length: number, shape: WalkShape): Walk {
  const steps = Math.max(2, Math.ceil(length / shape.step));
  const points: Point[] = [{ ...start }];
  const headings: number[] = [angle];
  let heading = angle;
  let curvature = 0;
  let { x, y } = start;
  for (let s = 0; s < steps; s++) {
    curvature += shape.curl * rng.normal();
    heading += curvature + shape.turn * rng.normal() + shape.keepCourse * (angle - heading);
    x += shape.step * Math.cos(heading);
    y += shape.step * Math.sin(heading);
    points.push({ x, y });
    headings.push(heading);
  }
  return { points, headings };
}
