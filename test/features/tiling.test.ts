/**
 * The tiled backbone pass (src/features/tiling.ts): tiled features equal whole-frame ones away
 * from the frame's border on the real MobileNetV2, on the same grid; the halo crop and the order
 * in which cores are laid back are exact on a backbone whose output is its own position; and the
 * choice `--tile auto` makes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backbone } from '../../src/backbones/backbone.js';
import { loadBackbone } from '../../src/backbones/index.js';
import { BackboneManifestSchema } from '../../src/backbones/manifest.js';
import { AUTO_TILE_PIXEL_BUDGET, chooseTileGrid } from '../../src/features/auto-tile.js';
import { buildFeatureGraph, FeatureExtractor, type FeatureBatch } from '../../src/features/index.js';
import { Graph } from '../../src/onnx/graph.js';
import * as op from '../../src/onnx/ops.js';
import { decodeModel } from '../../src/onnx/proto.js';
import type { Tensor } from '../../src/onnx/tensor.js';
import { Random } from '../../src/util/random.js';

const modelsDir = await mkdtemp(path.join(os.tmpdir(), 'kensa-tiling-'));
afterAll(() => rm(modelsDir, { recursive: true, force: true }));
const mobilenet = await loadBackbone('mobilenet_v2', modelsDir);

/** Euclidean distance between the feature vectors of a and b at every grid cell, [h * w]. */
function cellDistances(a: FeatureBatch, b: FeatureBatch, image = 0): Float32Array {
  const [, c, h, w] = a.dims;
  const out = new Float32Array(h * w);
  for (let ch = 0; ch < c; ch++) {
    const base = (image * c + ch) * h * w;
    for (let i = 0; i < h * w; i++) out[i] += (a.data[base + i] - b.data[base + i]) ** 2;
  }
  return out.map(Math.sqrt);
}

/** Largest of `distances` over cells at least `margin` cells from every side of an h x w grid. */
function interiorMax(distances: Float32Array, h: number, w: number, margin: number): number {
  let max = 0;
  for (let y = margin; y < h - margin; y++) for (let x = margin; x < w - margin; x++) max = Math.max(max, distances[y * w + x]);
  return max;
}

function convCount(onnx: Uint8Array): number {
  return decodeModel(onnx).graph.node!.filter((n) => n.opType === 'Conv').length;
}

describe('tiled features on MobileNetV2', () => {
  // Non-square, sides multiples of 16 as the input policies give, neither a multiple of the
  // 128 px core (tiles of 320 with a 96 px halo): 4 x 5 tiles, the last ones mostly padding.
  const [h, w] = [400, 608];
  const x = new Random(3).fillUniform(new Float32Array(3 * h * w));

  it('equals the whole-frame features away from the border, on exactly the same grid, from one backbone pass', async () => {
    const whole = await FeatureExtractor.create({ backbone: mobilenet, threads: 2, stride: 8 });
    const tiled = await FeatureExtractor.create({ backbone: mobilenet, threads: 2, stride: 8, tile: { size: 320, overlap: 96 } });
    const narrow = await FeatureExtractor.create({ backbone: mobilenet, threads: 2, stride: 8, tile: { size: 320, overlap: 32 } });
    const p = await whole.run(x, [1, 3, h, w]);
    const t = await tiled.run(x, [1, 3, h, w]);
    const n = await narrow.run(x, [1, 3, h, w]);
    expect(t.dims).toEqual(p.dims);
    expect(t.dims).toEqual([1, 216, 50, 76]);
    expect(n.dims).toEqual(p.dims);
    // One backbone in the graph, run on the batch of tiles.
    expect(convCount(tiled.onnx)).toBe(convCount(whole.onnx));

    // Features are unit vectors. Cells 16 (128 px) from the frame's border see no border
    // padding, whose kind differs (zeros inside the backbone, repeated pixels when tiled): there
    // a 96 px halo measured 1.6e-4 at most, a 32 px halo 0.22 (the seams of a halo smaller than
    // the backbone's receptive field), 128 px and a single tile 0 (within float rounding).
    const margin = 16;
    const [, , gh, gw] = p.dims;
    expect(interiorMax(cellDistances(p, t), gh, gw, margin)).toBeLessThan(1e-3);
    expect(interiorMax(cellDistances(p, n), gh, gw, margin)).toBeGreaterThan(0.05);
    for (const fx of [whole, tiled, narrow]) await fx.release();
  }, 60_000);

  it('gives the whole-frame grid for sides that are not multiples of the stride, and a frame smaller than one tile', async () => {
    for (const stride of [8, 16]) {
      const whole = await FeatureExtractor.create({ backbone: mobilenet, threads: 2, stride });
      const tiled = await FeatureExtractor.create({ backbone: mobilenet, threads: 2, stride, tile: { size: 128, overlap: 32 } });
      for (const [hh, ww] of [[100, 180], [200, 344], [48, 40]]) {
        const image = new Random(hh).fillUniform(new Float32Array(3 * hh * ww));
        expect((await tiled.run(image, [1, 3, hh, ww])).dims).toEqual((await whole.run(image, [1, 3, hh, ww])).dims);
      }
      await whole.release();
      await tiled.release();
    }
  }, 60_000);

  it('refuses tile grids that do not fall on the layers\' cells', () => {
    const graph = new Graph('float32');
    const image = graph.input('image', ['N', 3, 'H', 'W']);
    expect(() => buildFeatureGraph(graph, image, { backbone: mobilenet, tile: { size: 120, overlap: 32 } })).toThrow(/multiple of 16/);
    expect(() => buildFeatureGraph(graph, image, { backbone: mobilenet, tile: { size: 128, overlap: 24 } })).toThrow(/overlap must be a multiple of 16/);
    expect(() => buildFeatureGraph(graph, image, { backbone: mobilenet, tile: { size: 128, overlap: 64 } })).toThrow(/no core/);
  });
});

/**
 * A backbone whose one output is the 8 x 8 mean of its input: every cell depends on its own
 * pixels only, so the tiled pass must reproduce it exactly, and any error of halo crop, core
 * order or image order in the batch moves values to the wrong cell.
 */
const cellMeans: Backbone = {
  manifest: BackboneManifestSchema.parse({
    format: 'kensa-backbone/1',
    name: 'cell-means',
    model: 'none',
    input: { size: [64, 64], normalization: { scale: 1, offset: 0 } },
    outputs: [{ name: 'means', stride: 8, channels: 3 }],
  }),
  apply: (x: Tensor) => ({ means: op.averagePool(x, { kernel: [8, 8] }) }),
};

describe('stitching', () => {
  it('puts every core back where it came from, for every image of a batch', async () => {
    // Position in the frame in channels 0 and 1, the image's index in channel 2.
    const [n, h, w] = [2, 88, 136];
    const images = new Float32Array(n * 3 * h * w);
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          images[((b * 3 + 0) * h + y) * w + x] = y;
          images[((b * 3 + 1) * h + y) * w + x] = x;
          images[((b * 3 + 2) * h + y) * w + x] = b;
        }
      }
    }
    const options = { backbone: cellMeans, threads: 1, stride: 8, normalize: false };
    const whole = await FeatureExtractor.create(options);
    const expected = await whole.run(images, [n, 3, h, w]);
    expect(expected.dims).toEqual([n, 3, 11, 17]);
    for (const tile of [{ size: 32, overlap: 8 }, { size: 48, overlap: 16 }, { size: 24, overlap: 0 }]) {
      const tiled = await FeatureExtractor.create({ ...options, tile });
      const actual = await tiled.run(images, [n, 3, h, w]);
      expect(actual.dims).toEqual(expected.dims);
      expect(Array.from(actual.data)).toEqual(Array.from(expected.data));
      await tiled.release();
    }
    await whole.release();
  });
});

describe('--tile auto', () => {
  it('tiles only inputs over the pixel budget, with tiles on the layers\' cells', () => {
    const small = chooseTileGrid([{ width: 1024, height: 1024 }, { width: 640, height: 480 }], 16);
    expect(small.grid).toBeNull();
    expect(small.reason).toMatch(/largest model input is 1024x1024, within/);
    const large = chooseTileGrid([{ width: 640, height: 480 }, { width: 2048, height: 768 }], 16);
    expect(large.grid).toEqual({ size: 1024, overlap: 96 });
    expect(large.reason).toMatch(/largest model input is 2048x768, over/);
    expect(2048 * 768).toBeGreaterThan(AUTO_TILE_PIXEL_BUDGET);
    expect(chooseTileGrid([{ width: 2048, height: 768 }], 64).grid).toEqual({ size: 1024, overlap: 128 });
  });
});
