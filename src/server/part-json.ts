/** A pass of a multi-view part as the API shows it: its verdict and each view's inspections. */
import type { InspectionRecord } from '../store/inspections.js';
import type { PartRecord } from '../store/parts.js';
import { inspectionJson } from './inspection-json.js';
import type { PartJson } from './traceability-schemas.js';

/** `views`: the pass's inspections, oldest first; `passes`: how many passes the part has had. */
export function partJson(record: PartRecord, views: readonly InspectionRecord[], passes: number): PartJson {
  const received = new Set(views.map((view) => view.trace.view));
  // a view no longer declared (the product's views changed mid-pass) is still shown, after the expected ones
  const names = [...new Set([...record.expectedViews, ...views.map((view) => view.trace.view ?? '')])];
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    product: record.productId,
    part: record.partId,
    pass: record.pass,
    passes,
    status: record.status,
    verdict: record.verdict,
    worstScore: record.worstScore,
    expectedViews: record.expectedViews,
    missingViews: record.expectedViews.filter((name) => !received.has(name)),
    openedAt: iso(record.openedMs),
    deadline: iso(record.deadlineMs),
    closedAt: record.closedMs === null ? null : iso(record.closedMs),
    legalHold: views.some((view) => view.legalHold),
    views: names.map((name) => {
      const inspections = views.filter((view) => (view.trace.view ?? '') === name);
      return {
        name,
        decision: inspections.length === 0 ? null : inspections.some((view) => view.decision === 'NG') ? 'NG' : 'OK',
        inspections: inspections.map((view) => inspectionJson(view)),
      };
    }),
  };
}
