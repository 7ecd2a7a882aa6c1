/** The anomaly head's image score (the mean of the k highest grid cells) and region of interest, run in ONNX Runtime. */
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { appendAnomalyHead, type HeadOptions } from '../../src/model/anomaly-head.js';
import { ForwardStep } from '../../src/onnx/forward-step.js';
import { Graph } from '../../src/onnx/graph.js';
import { ParameterStore } from '../../src/onnx/parameters.js';
import { Random } from '../../src/util/random.js';

const IMAGE_SIDE = 16;

/** Score and anomaly map of energy grids [n, 1, h, w] (the grid is its own energy). */
async function head(grids: Float32Array, n: number, h: number, w: number, options: HeadOptions): Promise<{ score: Float32Array; map: Float32Array }> {
  const graph = new Graph();
  const image = graph.input('image', ['N', 3, 'H', 'W']);
  const energy = graph.input('energy', ['N', 1, 'h', 'w']);
  const { score, anomalyMap } = appendAnomalyHead(image, energy, options);
  const step = await ForwardStep.compile(graph, { score, anomalyMap }, new ParameterStore('float32', 0), { threads: 1 });
  const pixels = new Float32Array(n * 3 * IMAGE_SIDE * IMAGE_SIDE);
  const result = await step.run({ image: new ort.Tensor('float32', pixels, [n, 3, IMAGE_SIDE, IMAGE_SIDE]), energy: new ort.Tensor('float32', grids, [n, 1, h, w]) });
  await step.dispose();
  return { score: result.score.data as Float32Array, map: result.anomalyMap.data as Float32Array };
}

async function scores(grids: Float32Array, n: number, h: number, w: number, k: number): Promise<Float32Array> {
  return (await head(grids, n, h, w, { scoreTopK: k })).score;
}

const topKMean = (values: Float32Array, k: number): number => {
  const sorted = [...values].sort((a, b) => b - a).slice(0, k);
  return sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
};

describe('anomaly head score', () => {
  const [n, h, w] = [3, 5, 7];
  const grids = new Random(1).fillNormal(new Float32Array(n * h * w));
  const grid = (i: number): Float32Array => grids.subarray(i * h * w, (i + 1) * h * w);

  it('is the maximum of the grid at k = 1 and the mean of the k highest cells per image above', async () => {
    for (const k of [1, 4, 9]) {
      const got = await scores(grids, n, h, w, k);
      for (let i = 0; i < n; i++) expect(got[i]).toBeCloseTo(topKMean(grid(i), k), 5);
    }
  });

  it('averages the whole grid when k exceeds its cells (a small input)', async () => {
    const got = await scores(grids, n, h, w, 1000);
    for (let i = 0; i < n; i++) expect(got[i]).toBeCloseTo(topKMean(grid(i), h * w), 5);
  });
});

describe('anomaly head with a region of interest', () => {
  const [n, h, w] = [2, 5, 7];
  // At twice the grid's resolution, ignoring the left three columns of cells and the top row.
  const roi = { width: 2 * w, height: 2 * h, inspected: new Float32Array(4 * h * w).map((_, i) => (i % (2 * w) >= 6 && i >= 2 * 2 * w ? 1 : 0)) };
  const isInspected = (cell: number): boolean => cell % w >= 3 && cell >= w;
  const inside = new Random(2).fillNormal(new Float32Array(n * h * w));
  /** The same grids with every ignored cell set to `value`. */
  const withOutside = (value: number): Float32Array => inside.map((v, i) => (isInspected(i % (h * w)) ? v : value));
  const inspectedCells = (i: number): Float32Array => inside.subarray(i * h * w, (i + 1) * h * w).filter((_, cell) => isInspected(cell));

  it('scores only the cells inside it, however high the energy outside', async () => {
    for (const k of [1, 4]) {
      const { score } = await head(withOutside(1e6), n, h, w, { scoreTopK: k, roi });
      for (let i = 0; i < n; i++) expect(score[i]).toBeCloseTo(topKMean(inspectedCells(i), k), 5);
    }
  });

  it('leaves the map and the smoothed score the same whatever the energy outside', async () => {
    // Ignored cells at the in-region maximum or far above it: the grid's minimum, and so everything shown, stays the same.
    const ceiling = Math.max(...inside);
    const options = { smoothing: 3, scoreTopK: 2, roi };
    const high = await head(withOutside(1e6), n, h, w, options);
    const plausible = await head(withOutside(ceiling), n, h, w, options);
    expect(Array.from(high.score)).toEqual(Array.from(plausible.score));
    expect(Array.from(high.map)).toEqual(Array.from(plausible.map));
    expect(Math.max(...high.map)).toBeLessThanOrEqual(ceiling);
  });
});
