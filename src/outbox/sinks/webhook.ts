/**
 * Webhook sink: POSTs the JSON document (with the overlay as base64, when asked for) and counts
 * any 2xx as delivered. Every request is signed: `X-Kensa-Signature: sha256=<hex>` is
 * HMAC-SHA256 with the sink's secret over `<X-Kensa-Timestamp>.<raw body>`, so a receiver checks
 * that kensa sent it and, by the timestamp, that it is not an old request replayed.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { OutboundMessage, Sink, SinkKind } from '../sink.js';

const SIGNATURE_HEADER = 'x-kensa-signature';
const TIMESTAMP_HEADER = 'x-kensa-timestamp';
const DELIVERY_HEADER = 'x-kensa-delivery';

const WebhookSettings = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).describe('where to POST (http or https)'),
  secret: z.string().min(16).max(256).optional().describe('HMAC-SHA256 key of the signature header (at least 16 characters; never shown back)'),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000).describe('how long the receiver may take to answer'),
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/), z.string().max(1024))
    .refine((headers) => Object.keys(headers).length <= 16, 'at most 16 headers')
    .default({})
    .describe("extra request headers (an authorization token, a tenant); kensa's own headers win"),
});
type WebhookSettings = z.infer<typeof WebhookSettings>;

/** The signature of `body` sent at `timestamp`, as the header carries it. */
function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

class WebhookSink implements Sink {
  constructor(private readonly settings: WebhookSettings) {}

  async deliver(message: OutboundMessage, signal: AbortSignal): Promise<void> {
    const body = JSON.stringify(message.overlay ? { ...message.document, overlay: { contentType: 'image/png', base64: message.overlay.toString('base64') } } : message.document);
    const timestamp = String(Date.now());
    const response = await fetch(this.settings.url, {
      method: 'POST',
      headers: {
        ...this.settings.headers,
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signature(this.settings.secret!, timestamp, body),
        [DELIVERY_HEADER]: message.deliveryId,
      },
      body,
      redirect: 'error',
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.settings.timeoutMs)]),
    });
    // the body is read so the connection can be reused, and is otherwise of no interest
    await response.arrayBuffer();
    if (response.status < 200 || response.status > 299) throw new Error(`the webhook answered ${response.status}`);
  }

  async close(): Promise<void> {}
}

export const webhookKind: SinkKind<WebhookSettings> = {
  settings: WebhookSettings,
  secrets: ['secret'],
  requiredSecrets: ['secret'],
  create: (settings) => new WebhookSink(settings),
};
