/** An inspection as the API shows it: the stored record, links to its files and its part, its reviews. */
import type { InspectionRecord } from '../store/inspections.js';
import type { ReviewRecord } from '../store/reviews.js';
import type { InspectionJson } from './schemas.js';

export function inspectionJson(record: InspectionRecord, reviews?: ReviewRecord[]): InspectionJson {
  const self = `/api/v1/inspections/${record.id}`;
  return {
    id: record.id,
    createdAt: new Date(record.createdMs).toISOString(),
    product: record.productId,
    line: record.line,
    camera: record.camera,
    modelVersion: record.modelVersion,
    decision: record.decision,
    score: record.score,
    rawScore: record.rawScore,
    threshold: record.threshold,
    regions: record.regions,
    image: { ...record.image },
    stored: { image: record.imageBlob !== null, map: record.mapBlob !== null },
    links: { self, image: `${self}/image`, heatmap: `${self}/heatmap`, overlay: `${self}/overlay`, mask: `${self}/mask` },
    timings: record.timings,
    reviewState: record.reviewState,
    part: record.trace.partId,
    lot: record.trace.lot,
    station: record.trace.station,
    view: record.trace.view,
    attributes: record.trace.attributes,
    partRecord:
      record.partRecord && record.trace.partId !== null
        ? { product: record.partRecord.productId, part: record.trace.partId, pass: record.partRecord.pass, link: partLink(record.partRecord.productId, record.trace.partId, record.partRecord.pass) }
        : null,
    legalHold: record.legalHold,
    quality: record.quality,
    ...(reviews
      ? {
          reviews: reviews.map((review) => ({
            verdict: review.verdict,
            note: review.note,
            reviewer: review.reviewer,
            createdAt: new Date(review.createdMs).toISOString(),
          })),
        }
      : {}),
  };
}

/** The API path of a part (its latest pass, or pass `pass`). */
export function partLink(productId: string, partId: string, pass?: number): string {
  return `/api/v1/parts/${encodeURIComponent(productId)}/${encodeURIComponent(partId)}${pass === undefined ? '' : `?pass=${pass}`}`;
}
