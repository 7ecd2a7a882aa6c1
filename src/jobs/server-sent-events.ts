/**
 * Server-sent events (text/event-stream): writing them for the job progress stream, and reading
 * them back (the CLI follows a job with it). Each event has an id, so a client that reconnects
 * with Last-Event-ID is replayed only what it missed.
 */

export interface ServerSentEvent {
  id: string;
  event: string;
  data: string;
}

export function formatEvent(event: ServerSentEvent): string {
  const data = event.data.split('\n').map((line) => `data: ${line}`).join('\n');
  return `id: ${event.id}\nevent: ${event.event}\n${data}\n\n`;
}

/** A comment line: keeps proxies from closing a quiet stream. */
export const HEARTBEAT = ': keep-alive\n\n';

/** The events of a text/event-stream body, as they arrive. */
export async function* readEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let current: ServerSentEvent = { id: '', event: 'message', data: '' };
  let lines: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    const parts = buffer.split(/\r?\n/);
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      if (line === '') {
        if (lines.length > 0) yield { ...current, data: lines.join('\n') };
        current = { id: current.id, event: 'message', data: '' };
        lines = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') lines.push(value);
        else if (field === 'event') current.event = value;
        else if (field === 'id') current.id = value;
      }
    }
  }
}
