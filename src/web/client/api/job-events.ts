/**
 * A training job's server-sent events as the UI reads them: the event's kind and id beside its
 * data. Kinds this UI does not know (a newer server) are skipped, not fatal.
 */
import type { ServerSentEvent } from '../../../jobs/server-sent-events.js';
import type { JobStatus } from './types.js';

interface EventBase {
  /** Increasing per server; resume after it on reconnect. */
  id: number;
  at: string;
}

export type JobEvent =
  | (EventBase & { kind: 'status'; status: JobStatus; progress: number; error: string | null; modelVersion: string | null })
  | (EventBase & { kind: 'progress'; stage: string; message: string; fraction: number; progress: number })
  | (EventBase & { kind: 'warning'; message: string });

const KINDS = new Set<string>(['status', 'progress', 'warning']);

export function parseJobEvent(event: ServerSentEvent): JobEvent | null {
  if (!KINDS.has(event.event)) return null;
  return { ...(JSON.parse(event.data) as object), kind: event.event, id: Number(event.id) } as JobEvent;
}
