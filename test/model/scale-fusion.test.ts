/** Fusing the energy grids of a fine and a coarse pass, run in ONNX Runtime. */
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fuseScaleGrids, type ScaleNormalization } from '../../src/model/scale-fusion.js';
import { ForwardStep } from '../../src/onnx/forward-step.js';
import { Graph } from '../../src/onnx/graph.js';
import { ParameterStore } from '../../src/onnx/parameters.js';
import { Random } from '../../src/util/random.js';

const FINE = { center: 10, spread: 4 };
const COARSE = { center: -2, spread: 0.5 };

/** The fused grid of a fine [1, 1, h, w] and a coarse [1, 1, ch, cw] grid. */
async function fuse(fine: Float32Array, coarse: Float32Array, [h, w]: number[], [ch, cw]: number[], normalizations: ScaleNormalization[] = [FINE, COARSE]): Promise<Float32Array> {
  const graph = new Graph();
  const a = graph.input('fine', [1, 1, 'h', 'w']);
  const b = graph.input('coarse', [1, 1, 'ch', 'cw']);
  const step = await ForwardStep.compile(graph, { fused: fuseScaleGrids([a, b], normalizations) }, new ParameterStore('float32', 0), { threads: 1 });
  const out = await step.run({ fine: new ort.Tensor('float32', fine, [1, 1, h, w]), coarse: new ort.Tensor('float32', coarse, [1, 1, ch, cw]) });
  await step.dispose();
  expect(out.fused.dims).toEqual([1, 1, h, w]);
  return out.fused.data as Float32Array;
}

describe('scale fusion', () => {
  const random = new Random(3);
  const fine = random.fillNormal(new Float32Array(6 * 8));

  it('takes the larger of the grids cell by cell, each in units of its spread around its center', async () => {
    const coarse = random.fillNormal(new Float32Array(6 * 8));
    const fused = await fuse(fine, coarse, [6, 8], [6, 8]);
    fused.forEach((v, i) => expect(v).toBeCloseTo(Math.max((fine[i] - FINE.center) / FINE.spread, (coarse[i] - COARSE.center) / COARSE.spread), 5));
  });

  it('brings a coarser grid onto the fine one: a coarse cell covers the fine cells under it', async () => {
    // Coarse 3 x 4 on a fine 6 x 8: one hot coarse cell, the rest far below the fine grid once normalized.
    const coarse = new Float32Array(3 * 4).fill(COARSE.center - COARSE.spread * 100);
    coarse[1 * 4 + 2] = COARSE.center + COARSE.spread * 1000;
    const fused = await fuse(fine, coarse, [6, 8], [3, 4]);
    const fineAlone = (i: number): number => (fine[i] - FINE.center) / FINE.spread;
    // The fine cells under the hot cell take most of it; cells away from it keep the fine grid.
    for (const i of [2 * 8 + 4, 2 * 8 + 5, 3 * 8 + 4, 3 * 8 + 5]) expect(fused[i]).toBeGreaterThan(50);
    for (const i of [0, 7, 5 * 8, 5 * 8 + 7, 0 * 8 + 4]) expect(fused[i]).toBeCloseTo(fineAlone(i), 5);
  });

  it('refuses a spread that is not positive and a single grid', () => {
    const graph = new Graph();
    const a = graph.input('a', [1, 1, 2, 2]);
    expect(() => fuseScaleGrids([a, a], [FINE, { center: 0, spread: 0 }])).toThrow(/spread must be positive/);
    expect(() => fuseScaleGrids([a], [FINE])).toThrow(/two or more grids/);
  });
});
