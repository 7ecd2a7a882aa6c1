/**
 * The message a sink sends for an outbox entry: the inspection as the API shows it (decision,
 * score, regions, model version, links, traceability fields) in a document that names the
 * delivery, and the overlay picture when the sink asks for one. The overlay is rendered in the
 * render queue's background lane, behind reviewers' pictures; when retention already removed
 * the files, the result goes without it.
 */
import type { OutboundMessage } from '../outbox/sink.js';
import type { InspectionStore } from '../store/inspections.js';
import type { OutboxEntry } from '../store/outbox.js';
import type { SinkRecord } from '../store/sinks.js';
import type { ServerConfig } from './config.js';
import { inspectionJson } from './inspection-json.js';
import { HttpProblem } from './problem.js';
import type { RenderCache } from './render-cache.js';

export function outboundMessages(inspections: Pick<InspectionStore, 'get'>, renders: RenderCache, config: Pick<ServerConfig, 'colormap' | 'overlayOpacity'>) {
  return async (entry: OutboxEntry, sink: SinkRecord): Promise<OutboundMessage> => {
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
    product: sink.productId,
    line: sink.line,
    camera: sink.camera,
    inspectionId: null,
    document: { deliveryId, sink: sink.name, test: true, inspection: null },
    overlay: null,
  };
}
