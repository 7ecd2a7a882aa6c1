/**
 * What a sink kind implements: deliver one message and say, by resolving, that the receiver
 * acknowledged it (by rejecting, that it did not: the dispatcher retries). One file per kind in
 * sinks/, listed in sink-kinds.ts; a sink knows nothing of routes, the database or the dispatcher.
 */
import type { z } from 'zod';

/** One result on its way out. */
export interface OutboundMessage {
  /** Unique per outbox entry (a re-sent entry keeps it): receivers deduplicate by it. */
  deliveryId: string;
  /** An inspection's result, a drift alert (see src/health), a part's verdict (see src/store/parts.ts) or a test message. */
  kind: 'inspection' | 'drift' | 'part' | 'test';
  product: string;
  line: string | null;
  camera: string | null;
  /** The inspection's id (a part's: its latest view's); null for a test message. */
  inspectionId: string | null;
  /** The JSON document every kind sends: { deliveryId, sink, test, inspection }, or { deliveryId, sink, test, kind: 'drift', drift, inspection: null } for a drift alert, { ..., kind: 'part', part, inspection: null } for a part. */
  document: Record<string, unknown>;
  /** The overlay PNG, when the sink asks for it and the files are still there. */
  overlay: Buffer | null;
}

export interface Sink {
  /** Resolves once the receiver acknowledged the message; `signal` aborts an attempt (shutdown). */
  deliver(message: OutboundMessage, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface SinkKind<S extends Record<string, unknown> = Record<string, unknown>> {
  /** The kind's settings as an admin sends them; secrets optional (kept when a sink is replaced without them). */
  settings: z.ZodType<S>;
  /** Settings the API never shows back. */
  secrets: readonly (keyof S & string)[];
  /** Secrets a sink of this kind cannot work without. */
  requiredSecrets: readonly (keyof S & string)[];
  create(settings: S): Sink;
}
