/**
 * When is a candidate "not worse" than the active version? On the same material, at their own
 * thresholds: no more false calls, no more escapes, and (when both classes are present) an AUROC
 * no lower beyond rounding. Automatic promotion (when configured) needs all of it; the verdict
 * and its reasons are also shown beside the comparison for an admin deciding by hand.
 */
import type { EvaluationMetrics } from '../store/model-evaluations.js';

export interface PromotionVerdict {
  notWorse: boolean;
  /** One sentence per criterion, e.g. "false calls: 0 vs 2 (better)". */
  reasons: string[];
}

/** AUROC differences below this are noise on a few dozen images. */
const AUROC_TOLERANCE = 0.005;

export function judgeCandidate(candidate: EvaluationMetrics, baseline: EvaluationMetrics | null): PromotionVerdict {
  if (!baseline) return { notWorse: true, reasons: ['there is no active version to compare with'] };
  const reasons: string[] = [];
  let notWorse = true;
  const compare = (what: string, mine: number, theirs: number, higherIsBetter: boolean, tolerance = 0) => {
    const worse = higherIsBetter ? mine < theirs - tolerance : mine > theirs + tolerance;
    const better = higherIsBetter ? mine > theirs + tolerance : mine < theirs - tolerance;
    if (worse) notWorse = false;
    reasons.push(`${what}: ${round(mine)} vs ${round(theirs)} (${worse ? 'worse' : better ? 'better' : 'same'})`);
  };
  compare('false calls', candidate.falseCalls, baseline.falseCalls, false);
  compare('escapes', candidate.escapes, baseline.escapes, false);
  if (candidate.auroc !== null && baseline.auroc !== null) compare('AUROC', candidate.auroc, baseline.auroc, true, AUROC_TOLERANCE);
  return { notWorse, reasons };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
