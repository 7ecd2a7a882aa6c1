/**
 * The feature graph on the default backbone (converted MobileNetV2, loaded through its manifest):
 * shapes for odd and square inputs in one dynamic model, grid alignment against an independent
 * bilinear reference, L2 normalization, smoothing, and the errors a caller can run into.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBackbone } from '../../src/backbones/index.js';
import { buildFeatureGraph, FeatureExtractor, type FeatureBatch } from '../../src/features/index.js';
import { Graph } from '../../src/onnx/graph.js';
import { serialize } from '../../src/onnx/serialize.js';
import { createSession } from '../../src/onnx/session.js';
import { Random } from '../../src/util/random.js';

const modelsDir = await mkdtemp(path.join(os.tmpdir(), 'kensa-features-'));
afterAll(() => rm(modelsDir, { recursive: true, force: true }));
const backbone = await loadBackbone('mobilenet_v2', modelsDir);

function images(n: number, h: number, w: number, seed = 1): Float32Array {
  return new Random(seed).fillUniform(new Float32Array(n * 3 * h * w));
}

/** Channel slice [from, to) of position (b, y, x). */
function vectorAt(f: FeatureBatch, b: number, y: number, x: number, from = 0, to = f.dims[1]): number[] {
  const [, c, h, w] = f.dims;
  const out: number[] = [];
  for (let ch = from; ch < to; ch++) out.push(f.data[((b * c + ch) * h + y) * w + x]);
  return out;
}

/** Bilinear resize with half-pixel centers, written out independently of ONNX Runtime. */
function bilinear(src: Float32Array, h: number, w: number, oh: number, ow: number): Float32Array {
  const out = new Float32Array(oh * ow);
  const coord = (o: number, scale: number, size: number): [number, number, number] => {
    const x = Math.min(Math.max((o + 0.5) / scale - 0.5, 0), size - 1);
    const x0 = Math.floor(x);
    return [x0, Math.min(x0 + 1, size - 1), x - x0];
  };
  for (let y = 0; y < oh; y++) {
    const [y0, y1, fy] = coord(y, oh / h, h);
    for (let x = 0; x < ow; x++) {
      const [x0, x1, fx] = coord(x, ow / w, w);
      const top = src[y0 * w + x0] * (1 - fx) + src[y0 * w + x1] * fx;
      const bottom = src[y1 * w + x0] * (1 - fx) + src[y1 * w + x1] * fx;
      out[y * ow + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

describe('feature graph', () => {
  it('keeps H and W symbolic and gives the stride-16 grid for odd and square sizes in one model', async () => {
    const fx = await FeatureExtractor.create({ backbone, threads: 2 });
    expect(fx.channels).toBe(24 + 32 + 64 + 96);
    expect(fx.stride).toBe(16);
    const a = await fx.run(images(1, 100, 180), [1, 3, 100, 180]);
    expect(a.dims).toEqual([1, 216, 6, 11]);
    const b = await fx.run(images(2, 224, 224), [2, 3, 224, 224]);
    expect(b.dims).toEqual([2, 216, 14, 14]);
    // L2-normalized by default: every position is a unit vector.
    for (const f of [a, b]) {
      for (let y = 0; y < f.dims[2]; y++) {
        const v = vectorAt(f, f.dims[0] - 1, y, y % f.dims[3]);
        expect(Math.hypot(...v)).toBeCloseTo(1, 5);
      }
    }
    await fx.release();

    const graph = new Graph('float32');
    const image = graph.input('image', ['N', 3, 'H', 'W']);
    const built = buildFeatureGraph(graph, image, { backbone });
    expect(built.features.shape[0]).toBe('N');
    expect(built.features.shape[1]).toBe(216);
    expect(built.features.shape.slice(2).every((d) => typeof d === 'string')).toBe(true);
  });

  it('aligns every layer on the grid: the grid layer as is, the others bilinearly (half-pixel)', async () => {
    const [h, w] = [100, 180];
    const x = images(1, h, w, 5);
    const fx = await FeatureExtractor.create({ backbone, threads: 2, normalize: false, stride: 8 });
    const f = await fx.run(x, [1, 3, h, w]);
    expect(f.dims).toEqual([1, 216, 12, 22]);
    await fx.release();

    // The backbone's own outputs, from its model.onnx alone.
    const session = await createSession(path.join(modelsDir, 'backbones', 'mobilenet_v2', 'model.onnx'), { threads: 2 });
    const raw = await session.run({ input: new ort.Tensor('float32', x, [1, 3, h, w]) });
    await session.release();
    const [, , gh, gw] = f.dims;
    let offset = 0;
    for (const layer of fx.layers) {
      const t = raw[layer.name];
      const [, c, lh, lw] = t.dims as number[];
      for (const ch of [0, c - 1]) {
        const plane = (t.data as Float32Array).subarray(ch * lh * lw, (ch + 1) * lh * lw);
        const expected = layer.stride === 8 ? plane : bilinear(plane, lh, lw, gh, gw);
        const actual = f.data.subarray((offset + ch) * gh * gw, (offset + ch + 1) * gh * gw);
        const scale = Math.max(...Array.from(expected, Math.abs));
        Array.from(actual).forEach((v, i) => expect(Math.abs(v - expected[i]) / scale).toBeLessThan(1e-5));
      }
      offset += c;
    }
  });

  it('takes the grid from the image size when no chosen layer has the stride', async () => {
    const fx = await FeatureExtractor.create({ backbone, threads: 2, layers: ['block_9_add'], stride: 8 });
    expect(fx.channels).toBe(64);
    expect((await fx.run(images(1, 100, 180), [1, 3, 100, 180])).dims).toEqual([1, 64, 12, 22]);
    await fx.release();
  });

  it('smooths with a k x k average that leaves padding out', async () => {
    const [h, w] = [64, 80];
    const x = images(1, h, w, 9);
    const plain = await FeatureExtractor.create({ backbone, threads: 2, normalize: false });
    const smooth = await FeatureExtractor.create({ backbone, threads: 2, normalize: false, smoothing: 3 });
    const p = await plain.run(x, [1, 3, h, w]);
    const s = await smooth.run(x, [1, 3, h, w]);
    expect(s.dims).toEqual(p.dims);
    const [, c, gh, gw] = p.dims;
    for (const [y, xx] of [[0, 0], [2, 3], [gh - 1, gw - 1]]) {
      for (const ch of [0, 100, c - 1]) {
        let sum = 0;
        let count = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xw = xx + dx;
            if (yy < 0 || yy >= gh || xw < 0 || xw >= gw) continue;
            sum += p.data[(ch * gh + yy) * gw + xw];
            count++;
          }
        expect(s.data[(ch * gh + y) * gw + xx]).toBeCloseTo(sum / count, 5);
      }
    }
    await plain.release();
    await smooth.release();
  });

  it('says what is wrong with a bad choice of layers or options', async () => {
    const graph = new Graph('float32');
    const image = graph.input('image', ['N', 3, 'H', 'W']);
    expect(() => buildFeatureGraph(graph, image, { backbone, layers: ['block_12_add'] })).toThrow(
      /no output "block_12_add"; its outputs are: block_2_add, block_5_add, block_9_add, block_10_project_BN/,
    );
    expect(() => buildFeatureGraph(graph, image, { backbone, smoothing: 2 })).toThrow(/odd kernel size/);
    const gray = graph.input('gray', ['N', 1, 'H', 'W']);
    expect(() => buildFeatureGraph(graph, gray, { backbone })).toThrow(/\[N, 3, H, W\]/);
    const fx = await FeatureExtractor.create({ backbone, threads: 1 });
    await expect(fx.run(images(1, 15, 40), [1, 3, 15, 40])).rejects.toThrow(/needs images of at least 16x16; got 15x40/);
    await expect(fx.run(images(1, 16, 16), [1, 3, 16, 17])).rejects.toThrow(/hold 768 values for \[1, 3, 16, 17\]/);
    expect((await fx.run(images(1, 16, 16), [1, 3, 16, 16])).dims).toEqual([1, 216, 1, 1]);
    await fx.release();
  });

  it('is one graph that more ops can be appended to and exported with', async () => {
    const graph = new Graph('float32');
    const image = graph.input('image', ['N', 3, 'H', 'W']);
    const { features } = buildFeatureGraph(graph, image, { backbone, layers: ['block_5_add', 'block_9_add'] });
    const { reduceSum, mul } = await import('../../src/onnx/ops.js');
    const energy = reduceSum(mul(features, features), [1], true); // 1 everywhere for unit vectors
    const session = await createSession(serialize(graph, { inputs: [image], outputs: { energy } }), { threads: 2 });
    const out = await session.run({ image: new ort.Tensor('float32', images(1, 64, 48), [1, 3, 64, 48]) });
    expect(out.energy.dims).toEqual([1, 1, 4, 3]);
    Array.from(out.energy.data as Float32Array).forEach((v) => expect(v).toBeCloseTo(1, 5));
    await session.release();
  });
});
