/**
 * Review queues: the usual ways through a shift's inspections, as filter presets. A queue sets
 * the decision, review state and score range; product, line, camera and time stay as chosen.
 */
import type { InspectionFilter } from './filters.js';

export interface Queue {
  id: string;
  label: string;
  filter: Pick<InspectionFilter, 'decision' | 'review' | 'minScore' | 'maxScore'>;
}

export const QUEUES: readonly Queue[] = [
  { id: 'all', label: 'All inspections', filter: {} },
  { id: 'ng-to-review', label: 'NG to review', filter: { decision: 'NG', review: 'unreviewed' } },
  // near the threshold (0.5) either way: where false alarms and missed defects hide
  { id: 'borderline', label: 'Borderline to review', filter: { review: 'unreviewed', minScore: 0.35, maxScore: 0.65 } },
  { id: 'reviewed', label: 'Reviewed', filter: { review: 'reviewed' } },
];

const QUEUE_FIELDS = ['decision', 'review', 'minScore', 'maxScore'] as const;

export function applyQueue(filter: InspectionFilter, queue: Queue): InspectionFilter {
  const next: InspectionFilter = { ...filter };
  for (const field of QUEUE_FIELDS) delete next[field];
  return { ...next, ...queue.filter };
}

/** The queue whose preset the filter is exactly, if any. */
export function queueOf(filter: InspectionFilter): Queue | undefined {
  return QUEUES.find((queue) => QUEUE_FIELDS.every((field) => filter[field] === queue.filter[field]));
}
