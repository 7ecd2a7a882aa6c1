/**
 * QA's verdict on a multi-view part as a whole, recorded as each view's own review in one
 * transaction, so the per-view review history, the good set and model evaluations keep working
 * from inspections alone. "good": every NG view was a false alarm, every OK view is confirmed.
 * "defective": every NG view is a true defect; an OK view is left for a per-view verdict, since
 * only QA can tell whether the defect shows from that side (a missed defect) or not (OK).
 */
import type { Decision } from '../model/loaded-model.js';
import type { Db } from './database.js';
import type { InspectionRecord, ReviewVerdict } from './inspections.js';
import type { ReviewRecord, ReviewStore } from './reviews.js';

export const PART_REVIEW_VERDICTS = ['good', 'defective'] as const;
export type PartReviewVerdict = (typeof PART_REVIEW_VERDICTS)[number];

/** The review a view gets from a verdict on its whole part; null when the part's verdict does not decide it. */
export function viewVerdict(part: PartReviewVerdict, decision: Decision): ReviewVerdict | null {
  if (part === 'good') return decision === 'NG' ? 'false_alarm' : 'ok';
  return decision === 'NG' ? 'true_defect' : null;
}

export function reviewPart(db: Db, reviews: ReviewStore, views: readonly InspectionRecord[], verdict: PartReviewVerdict, note: string | null, reviewerKeyId: number | null): ReviewRecord[] {
  return db.transaction(() =>
    views.flatMap((view) => {
      const review = viewVerdict(verdict, view.decision);
      const recorded = review ? reviews.add(view.id, review, note, reviewerKeyId) : null;
      return recorded ? [recorded] : [];
    }),
  )();
}
