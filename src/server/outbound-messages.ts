/**
 * The message a sink sends for an outbox entry: the inspection as the API shows it (decision,
 * score, regions, model version, links, traceability fields) in a document that names the
 * delivery, and the overlay picture when the sink asks for one. The overlay is rendered in the
 * render queue's background lane, behind reviewers' pictures; when retention already removed
 * the files, the result goes without it. A drift alert's entry becomes the drift event as the
 * API shows it, with its explanation; a part's entry becomes the part's pass as the API shows it
 * (verdict, each view's inspections with their links), without an overlay (it has one per view).
 */
import type { OutboundMessage } from '../outbox/sink.js';
import type { DriftEventStore } from '../store/drift-events.js';
import type { InspectionStore } from '../store/inspections.js';
import type { OutboxEntry } from '../store/outbox.js';
import { sharedLine, type PartStore } from '../store/parts.js';
import type { SinkRecord } from '../store/sinks.js';
import type { ServerConfig } from './config.js';
import { driftEventJson } from './drift-event-json.js';
import { inspectionJson } from './inspection-json.js';
import { partJson } from './part-json.js';
import { HttpProblem } from './problem.js';
import type { RenderCache } from './render-cache.js';

export function outboundMessages(
  inspections: Pick<InspectionStore, 'get' | 'ofPartRecord'>,
  renders: RenderCache,
  config: Pick<ServerConfig, 'colormap' | 'overlayOpacity'>,
  driftEvents: Pick<DriftEventStore, 'get'>,
  parts: Pick<PartStore, 'get' | 'latest'>,
) {
  return async (entry: OutboxEntry, sink: SinkRecord): Promise<OutboundMessage> => {
    if (entry.driftEventId !== null) return driftAlert(entry, entry.driftEventId, sink, driftEvents);
    if (entry.partRecordId !== null) return partVerdict(entry, entry.partRecordId, sink, parts, inspections);
    const record = inspections.get(entry.inspectionId);
    if (!record) throw new Error(`inspection ${entry.inspectionId} is not in the log`);
    let overlay: Buffer | null = null;
    if (sink.withOverlay) {
      try {
        overlay = await renders.png(record, 'overlay', { colormap: config.colormap, opacity: config.overlayOpacity }, 'background');
      } catch (error) {
        if (!(error instanceof HttpProblem)) throw error;
      }
    }
    const deliveryId = String(entry.id);
    return {
      deliveryId,
      kind: 'inspection',
      product: record.productId,
      line: record.line,
      camera: record.camera,
      inspectionId: record.id,
      document: { deliveryId, sink: sink.name, test: false, inspection: inspectionJson(record) },
      overlay,
    };
  };
}

/** A message that shows a sink works, without an inspection behind it. */
export function testMessage(sink: SinkRecord, now = Date.now()): OutboundMessage {
  const deliveryId = `test-${now}`;
  return {
    deliveryId,
    kind: 'test',
    product: sink.productId,
    line: sink.line,
    camera: sink.camera,
    inspectionId: null,
    document: { deliveryId, sink: sink.name, test: true, inspection: null },
    overlay: null,
  };
}

function driftAlert(entry: OutboxEntry, eventId: number, sink: SinkRecord, driftEvents: Pick<DriftEventStore, 'get'>): OutboundMessage {
  const event = driftEvents.get(eventId);
  if (!event) throw new Error(`drift event ${eventId} is not stored`);
  const deliveryId = String(entry.id);
  const drift = driftEventJson(event);
  return {
    deliveryId,
    kind: 'drift',
    product: event.productId,
    line: drift.line,
    camera: drift.camera,
    inspectionId: event.inspectionId,
    document: { deliveryId, sink: sink.name, test: false, kind: 'drift', drift, inspection: null },
    overlay: null,
  };
}

function partVerdict(
  entry: OutboxEntry,
  recordId: number,
  sink: SinkRecord,
  parts: Pick<PartStore, 'get' | 'latest'>,
  inspections: Pick<InspectionStore, 'ofPartRecord'>,
): OutboundMessage {
  const record = parts.get(recordId);
  if (!record) throw new Error(`part record ${recordId} is not stored`);
  const views = inspections.ofPartRecord(recordId);
  const part = partJson(record, views, parts.latest(record.productId, record.partId)?.pass ?? record.pass);
  const deliveryId = String(entry.id);
  return {
    deliveryId,
    kind: 'part',
    product: record.productId,
    line: sharedLine(views),
    camera: null,
    inspectionId: entry.inspectionId,
    document: { deliveryId, sink: sink.name, test: false, kind: 'part', part, inspection: null },
    overlay: null,
  };
}
