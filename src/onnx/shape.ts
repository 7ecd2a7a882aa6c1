/** Static shape reasoning with symbolic dimensions: broadcasting, axes, sizes. */
import type { Dim, Shape } from './tensor.js';

let freshCounter = 0;

/** A new symbol for a dimension whose size is only known at run time. */
export function freshDim(hint: string): string {
  return `${hint}_${freshCounter++}`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Numpy broadcasting. A symbol against a number takes the number (the symbol must equal it). */
export function broadcastShapes(a: Shape, b: Shape, op: string): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else if (typeof da === 'string' && typeof db === 'number') out.push(db);
    else if (typeof db === 'string' && typeof da === 'number') out.push(da);
    else if (typeof da === 'string' && typeof db === 'string') out.push(da);
    else throw new Error(`${op}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
  }
  return out;
}

export function normalizeAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`${op}: axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function normalizeAxes(axes: readonly number[] | undefined, rank: number, op: string): number[] {
  const all = axes ?? [...Array(rank).keys()];
  return [...new Set(all.map((a) => normalizeAxis(a, rank, op)))].sort((x, y) => x - y);
}

/** Number of elements if every dimension is known. */
export function staticSize(shape: Shape): number | null {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return n;
}

export function isStatic(shape: Shape): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}

/**
 * The axes of `from` that must be summed to reduce a broadcast result back to `to`:
 * leading axes `to` lacks, and axes where `to` has 1 and `from` does not.
 */
export function broadcastAxes(from: Shape, to: Shape): { leading: number[]; kept: number[] } {
  const lead = from.length - to.length;
  if (lead < 0) throw new Error(`cannot reduce [${from.join(', ')}] to the larger [${to.join(', ')}]`);
  const leading = [...Array(lead).keys()];
  const kept: number[] = [];
  to.forEach((d, i) => {
    if (d === 1 && from[i + lead] !== 1) kept.push(i);
  });
  return { leading, kept };
}
