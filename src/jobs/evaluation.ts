/**
 * Image-level results of a model version on labelled material, at its own threshold: false calls
 * on good parts, escapes of defective parts, and the AUROC of its scores (how well it ranks,
 * whatever the threshold). Candidate and active versions are scored on the same images, so
 * these numbers compare directly.
 */
import { f1AtThreshold } from '../metrics/f1.js';
import { auroc } from '../metrics/roc.js';
import type { EvaluationMetrics } from '../store/model-evaluations.js';

/** `labels`: 0 for a good part, 1 for a defective one. */
export function evaluationMetrics(rawScores: readonly number[], labels: readonly number[], threshold: number): EvaluationMetrics {
  const { fp, fn } = f1AtThreshold(rawScores, labels, threshold);
  const defectImages = labels.filter((label) => label !== 0).length;
  const goodImages = labels.length - defectImages;
  const area = auroc(rawScores, labels);
  return {
    threshold,
    goodImages,
    defectImages,
    falseCalls: fp,
    falseCallRate: goodImages > 0 ? fp / goodImages : null,
    escapes: fn,
    escapeRate: defectImages > 0 ? fn / defectImages : null,
    auroc: Number.isNaN(area) ? null : area,
  };
}
