/** A drift event as the API, the dashboard and the sinks' alerts show it: the stored event and its explanation in words. */
import { explainDrift } from '../health/explain.js';
import type { DriftEvent } from '../store/drift-events.js';

/** '' (how the windows and events key "none") as the API's null. */
export const orNull = (value: string) => (value === '' ? null : value);

export function driftEventJson(event: DriftEvent) {
  return {
    id: event.id,
    product: event.productId,
    line: orNull(event.line),
    camera: orNull(event.camera),
    modelVersion: event.modelVersion,
    measure: event.measure,
    explanation: explainDrift(event),
    statistic: event.statistic,
    limit: event.limit,
    referenceValue: event.referenceValue,
    observedValue: event.observedValue,
    windowSize: event.windowSize,
    recentFrames: event.recentFrames,
    since: new Date(event.sinceMs).toISOString(),
    detectedAt: new Date(event.detectedMs).toISOString(),
    inspectionId: event.inspectionId,
    resolvedAt: event.resolvedMs === null ? null : new Date(event.resolvedMs).toISOString(),
  };
}
