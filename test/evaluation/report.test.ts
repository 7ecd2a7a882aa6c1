/** The eval table's ablation lines: each DxMI method against the model it started from. */
import { describe, expect, it } from 'vitest';
import type { Evaluation, MethodEvaluation } from '../../src/evaluation/evaluate.js';
import { table } from '../../src/evaluation/report.js';

const method = (imageAuroc: number, pixelAuroc: number, energyKind?: string): MethodEvaluation => ({
  imageAuroc,
  pixelAuroc,
  aupro: 0.5,
  f1: 0.5,
  trainSeconds: 1,
  msPerImage: 1,
  modelMB: 1,
  perDefect: { crack: imageAuroc },
  energyKind,
  threshold: 1,
  scoreTopK: { k: 1 },
  roc: [],
  monitor: [],
  scores: [],
  modelDir: '',
});
const FILL = { policy: 'fill', size: 320, multiple: 16 } as const;

describe('kensa eval table', () => {
  it('compares the residual DxMI with gaussian and the spherical one with ae, saying whether each improved', () => {
    const evaluation: Evaluation = {
      dataset: 'mtd',
      images: { train: 10, validation: 2, test: 5 }, input: FILL,
      methods: { dxmi: method(0.933, 0.722, 'residual'), 'dxmi-spherical': method(0.77, 0.661, 'spherical-ae'), ae: method(0.775, 0.66), gaussian: method(0.928, 0.729) },
    };
    const lines = table(evaluation).split('\n').filter((l) => l.startsWith('ablation'));
    expect(lines).toEqual([
      'ablation: the DxMI stage of dxmi improves on its initialization (gaussian) by +0.005 image AUROC, -0.007 pixel AUROC',
      'ablation: the DxMI stage of dxmi-spherical does NOT improve on its initialization (ae) by -0.005 image AUROC, +0.001 pixel AUROC',
    ]);
  });

  it('says how each method pools its grid into the image score, and what an automatic choice saw', () => {
    const chosen = { ...method(0.9, 0.7, 'residual'), scoreTopK: { k: 4, candidates: [{ k: 1, auroc: 0.9 }, { k: 4, auroc: 0.95 }] } };
    const evaluation: Evaluation = { dataset: 'mtd', images: { train: 10, validation: 2, test: 5 }, input: FILL, methods: { dxmi: chosen, gaussian: method(0.9, 0.7) } };
    const lines = table(evaluation).split('\n').filter((l) => l.includes('image score'));
    expect(lines).toEqual([
      'dxmi image score: the mean of the top 4 cells (chosen on held-out good images with implanted defects; their AUROC by k: 1: 0.900, 4: 0.950)',
      'gaussian image score: the maximum of the grid (given)',
    ]);
  });

  it('says at which input the methods ran, and why tiling chose it', () => {
    const tiled: Evaluation = {
      dataset: 'strip',
      images: { train: 10, validation: 2, test: 5 },
      input: { policy: 'fit-short-side', size: 500, multiple: 16 },
      tiling: { grid: null, reason: 'auto: the frames at their own resolution' },
      methods: { gaussian: method(0.9, 0.7) },
    };
    expect(table(tiled).split('\n')).toContain('input: fit-short-side 500; tiling auto: the frames at their own resolution');
    const plain: Evaluation = { dataset: 'mtd', images: { train: 10, validation: 2, test: 5 }, input: FILL, methods: { gaussian: method(0.9, 0.7) } };
    expect(table(plain).split('\n')).toContain('input: fill 320');
  });

  it('says nothing about a DxMI method whose starting model was not evaluated', () => {
    const evaluation: Evaluation = { dataset: 'mtd', images: { train: 10, validation: 2, test: 5 }, input: FILL, methods: { dxmi: method(0.9, 0.7, 'residual'), ae: method(0.8, 0.6) } };
    expect(table(evaluation)).not.toMatch(/ablation/);
  });
});
