/** Connected components on hand-drawn masks, and against a flood fill on random ones. */
import { describe, expect, it } from 'vitest';
import { connectedComponents } from '../../src/metrics/components.js';
import { Random } from '../../src/util/random.js';
import { floodFill } from './flood-fill.js';

/** A mask from rows of '#' (set) and '.' (clear). */
function draw(rows: string[]): { mask: Uint8Array; width: number; height: number } {
  const width = rows[0].length;
  const mask = new Uint8Array(width * rows.length);
  rows.forEach((row, y) => [...row].forEach((c, x) => (mask[y * width + x] = c === '#' ? 1 : 0)));
  return { mask, width, height: rows.length };
}

describe('connectedComponents', () => {
  it('joins diagonal neighbours and reports bounding box, area and peak', () => {
    const { mask, width, height } = draw([
      '#..#.', //
      '.#..#',
      '.....',
      '##...',
      '##..#',
    ]);
    const scores = Float32Array.from({ length: width * height }, (_, p) => p / 100);
    const { labels, components } = connectedComponents(mask, width, height, { scores });
    // Numbered in raster order of each component's first pixel.
    expect(components).toEqual([
      { x: 0, y: 0, width: 2, height: 2, area: 2, peak: Math.fround(0.06) },
      { x: 3, y: 0, width: 2, height: 2, area: 2, peak: Math.fround(0.09) },
      { x: 0, y: 3, width: 2, height: 2, area: 4, peak: Math.fround(0.21) },
      { x: 4, y: 4, width: 1, height: 1, area: 1, peak: Math.fround(0.24) },
    ]);
    expect(Array.from(labels)).toEqual([
      1, 0, 0, 2, 0, //
      0, 1, 0, 0, 2,
      0, 0, 0, 0, 0,
      3, 3, 0, 0, 0,
      3, 3, 0, 0, 4,
    ]);
  });

  it('merges branches that meet lower down, including through an up-right diagonal', () => {
    const u = draw([
      '#.#.#', //
      '#.#.#',
      '#.#.#',
      '#####',
    ]);
    expect(connectedComponents(u.mask, u.width, u.height).components).toEqual([
      { x: 0, y: 0, width: 5, height: 4, area: 14, peak: NaN },
    ]);
    // The lower run starts under nothing but touches the upper one through its NE diagonal, then
    // a third stroke joins from the left.
    const zigzag = draw([
      '...#...#', //
      '..#...#.',
      '.#...#..',
      '#...#...',
      '.###....',
    ]);
    const { labels, components } = connectedComponents(zigzag.mask, zigzag.width, zigzag.height);
    expect(components.map((c) => c.area)).toEqual([11]);
    expect(labels.every((l, p) => l === zigzag.mask[p])).toBe(true);
  });

  it('does not overflow its labels on the worst case: isolated pixels on every other row and column', () => {
    for (const [width, height] of [[5, 7], [6, 6], [1, 9], [9, 1]]) {
      const mask = new Uint8Array(width * height);
      for (let y = 0; y < height; y += 2) for (let x = 0; x < width; x += 2) mask[y * width + x] = 1;
      const { labels, components } = connectedComponents(mask, width, height);
      expect(components.length).toBe(Math.ceil(width / 2) * Math.ceil(height / 2));
      expect(labels).toEqual(floodFill(mask, width, height));
    }
  });

  it('matches a flood fill on random masks of several densities', () => {
    const random = new Random(11);
    for (const density of [0.1, 0.3, 0.45, 0.6, 0.9]) {
      for (const [width, height] of [[1, 1], [37, 23], [64, 64], [3, 80]]) {
        const mask = new Uint8Array(width * height);
        for (let p = 0; p < mask.length; p++) mask[p] = random.uniform() < density ? 255 : 0;
        const { labels, components } = connectedComponents(mask, width, height);
        const expected = floodFill(mask, width, height);
        expect(labels).toEqual(expected);
        const areas = new Array(components.length).fill(0);
        for (const l of expected) if (l > 0) areas[l - 1]++;
        expect(components.map((c) => c.area)).toEqual(areas);
      }
    }
  });

  it('drops components under minArea and renumbers the rest in order', () => {
    const { mask, width, height } = draw([
      '#..##', //
      '...##',
      '.#...',
      '##..#',
    ]);
    const { labels, components } = connectedComponents(mask, width, height, { minArea: 2 });
    expect(components.map(({ x, y, area }) => ({ x, y, area }))).toEqual([
      { x: 3, y: 0, area: 4 },
      { x: 0, y: 2, area: 3 },
    ]);
    expect(Array.from(labels)).toEqual([
      0, 0, 0, 1, 1, //
      0, 0, 0, 1, 1,
      0, 2, 0, 0, 0,
      2, 2, 0, 0, 0,
    ]);
  });

  it('handles empty and full masks and rejects mismatched sizes', () => {
    expect(connectedComponents(new Uint8Array(0), 0, 0)).toEqual({ labels: new Int32Array(0), components: [] });
    expect(connectedComponents(new Uint8Array(12), 4, 3).components).toEqual([]);
    const scores = Float32Array.from({ length: 12 }, (_, p) => 1 - p);
    expect(connectedComponents(new Uint8Array(12).fill(1), 4, 3, { scores }).components).toEqual([
      { x: 0, y: 0, width: 4, height: 3, area: 12, peak: 1 },
    ]);
    expect(() => connectedComponents(new Uint8Array(11), 4, 3)).toThrow(RangeError);
    expect(() => connectedComponents(new Uint8Array(12), 4, 3, { scores: new Float32Array(3) })).toThrow(RangeError);
    expect(() => connectedComponents(new Uint8Array(6), 1.5, 4)).toThrow(RangeError);
  });
});
