/** The numbers behind lifecycle decisions: evaluation metrics, the promotion verdict, threshold rates. */
import { describe, expect, it } from 'vitest';
import { evaluationMetrics } from '../../src/jobs/evaluation.js';
import { judgeCandidate } from '../../src/jobs/promotion.js';
import { candidateThresholds, thresholdRates } from '../../src/jobs/threshold-rates.js';
import type { EvaluationMetrics } from '../../src/store/model-evaluations.js';
import type { LabelledScore } from '../../src/store/review-material.js';

describe('evaluationMetrics', () => {
  it('counts false calls and escapes at the threshold (NG at or above it) and ranks with AUROC', () => {
    const metrics = evaluationMetrics([1, 2, 5, 4, 6, 3], [0, 0, 0, 1, 1, 1], 4);
    expect(metrics).toEqual({ threshold: 4, goodImages: 3, defectImages: 3, falseCalls: 1, falseCallRate: 1 / 3, escapes: 1, escapeRate: 1 / 3, auroc: 7 / 9 });
  });

  it('has no rates or AUROC for a class that is missing', () => {
    expect(evaluationMetrics([1, 2], [0, 0], 1.5)).toMatchObject({ falseCalls: 1, falseCallRate: 0.5, escapeRate: null, auroc: null });
  });
});

describe('judgeCandidate', () => {
  const metrics = (falseCalls: number, escapes: number, auroc: number | null): EvaluationMetrics => ({
    threshold: 1,
    goodImages: 10,
    defectImages: 5,
    falseCalls,
    falseCallRate: falseCalls / 10,
    escapes,
    escapeRate: escapes / 5,
    auroc,
  });

  it('is not worse when no criterion is worse', () => {
    expect(judgeCandidate(metrics(1, 0, 0.95), metrics(2, 0, 0.951))).toEqual({
      notWorse: true,
      reasons: ['false calls: 1 vs 2 (better)', 'escapes: 0 vs 0 (same)', 'AUROC: 0.95 vs 0.951 (same)'],
    });
  });

  it('is worse with one more escape, or a clearly lower AUROC', () => {
    expect(judgeCandidate(metrics(0, 1, 0.99), metrics(3, 0, 0.9)).notWorse).toBe(false);
    expect(judgeCandidate(metrics(0, 0, 0.9), metrics(0, 0, 0.95)).reasons.at(-1)).toBe('AUROC: 0.9 vs 0.95 (worse)');
  });

  it('has nothing to be worse than without a baseline', () => {
    expect(judgeCandidate(metrics(5, 5, 0.5), null).notWorse).toBe(true);
  });
});

describe('threshold rates', () => {
  const scores: LabelledScore[] = [
    { rawScore: 1, label: 'good' },
    { rawScore: 2, label: 'good' },
    { rawScore: 3, label: 'good' },
    { rawScore: 2.5, label: 'defect' },
    { rawScore: 4, label: 'defect' },
  ];

  it('gives false-call and escape rates per threshold', () => {
    expect(thresholdRates(scores, [2, 3.5])).toEqual([
      { threshold: 2, falseCalls: 2, falseCallRate: 2 / 3, escapes: 0, escapeRate: 0 },
      { threshold: 3.5, falseCalls: 0, falseCallRate: 0, escapes: 1, escapeRate: 0.5 },
    ]);
    expect(thresholdRates([], [1])).toEqual([{ threshold: 1, falseCalls: 0, falseCallRate: null, escapes: 0, escapeRate: null }]);
  });

  it('proposes the fixed thresholds and one just above each score, ascending, thinned to the count', () => {
    const candidates = candidateThresholds(scores, [2.2]);
    expect(candidates).toHaveLength(6);
    expect(candidates).toEqual([...candidates].sort((a, b) => a - b));
    expect(candidates).toContain(2.2);
    // Just above a good part's score, that part passes.
    const above3 = candidates.find((t) => t > 3 && t < 3.001) as number;
    expect(thresholdRates(scores, [above3])[0].falseCalls).toBe(0);
    expect(candidateThresholds(Array.from({ length: 100 }, (_, i) => ({ rawScore: i, label: 'good' as const })), [], 10).length).toBeLessThanOrEqual(10);
  });
});
