/**
 * MQTT sink (the `mqtt` package): publishes the JSON document with QoS 1 to a topic made from a
 * template ({product}, {line}, {camera}), optionally retained (the broker then hands each
 * camera's last result to whoever subscribes later), and the overlay PNG, when asked for, to
 * `<topic>/overlay` first. A publish counts as delivered once the broker's PUBACK arrives.
 *
 * The client does not reconnect or queue by itself: a message is published only on a connected
 * client, and after any failure the client is dropped (with whatever it had queued) and the next
 * attempt connects afresh. Retrying is the dispatcher's job, so a message the outbox will send
 * again is never also sent later from the client's own queue.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { z } from 'zod';
import type { OutboundMessage, Sink, SinkKind } from '../sink.js';

const MqttSettings = z.strictObject({
  url: z.url({ protocol: /^(mqtts?|wss?)$/ }).describe('the broker: mqtt://host:1883, mqtts://host:8883 (TLS), ws:// or wss://'),
  topic: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^#+]*$/, 'must not contain wildcards (+ or #)')
    .default('kensa/{product}/{line}/{camera}/result')
    .describe('topic template: {product}, {line} and {camera} are replaced ("-" when the inspection has none)'),
  retain: z.boolean().default(false).describe("retain the last result on its topic (per camera with the default template)"),
  username: z.string().max(256).optional(),
  password: z.string().max(256).optional().describe('never shown back'),
  ca: z.string().max(65_536).optional().describe("PEM certificate(s) the broker's certificate must chain to (mqtts/wss), where not a public CA"),
  rejectUnauthorized: z.boolean().default(true).describe("refuse a broker whose TLS certificate does not verify (false only for tests)"),
  clientId: z.string().min(1).max(128).optional().describe('default: kensa-<random>'),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000).describe('how long connecting and each publish may take'),
});
type MqttSettings = z.infer<typeof MqttSettings>;

/** The topic of `message`: placeholders replaced by topic-safe values. */
function topicOf(template: string, message: Pick<OutboundMessage, 'product' | 'line' | 'camera'>): string {
  // a level holds no separator, no wildcard and no NUL (which MQTT forbids in topics)
  const level = (value: string | null) => (value === null ? '-' : value.replace(/[/#+]/g, '_').replaceAll('\0', '_'));
  return template.replaceAll('{product}', level(message.product)).replaceAll('{line}', level(message.line)).replaceAll('{camera}', level(message.camera));
}

class MqttSink implements Sink {
  private client: MqttClient | null = null;
  private closed = false;

  constructor(private readonly settings: MqttSettings) {}

  async deliver(message: OutboundMessage, signal: AbortSignal): Promise<void> {
    try {
      await Promise.race([this.publishBoth(message), rejectOnAbort(AbortSignal.any([signal, AbortSignal.timeout(this.settings.timeoutMs)]))]);
    } catch (error) {
      await this.drop();
      throw error;
    }
  }

  private async publishBoth(message: OutboundMessage): Promise<void> {
    const client = await this.connected();
    const topic = topicOf(this.settings.topic, message);
    const options = { qos: 1, retain: this.settings.retain } as const;
    if (message.overlay) await client.publishAsync(`${topic}/overlay`, message.overlay, options);
    await client.publishAsync(topic, JSON.stringify(message.document), options);
  }

  private async connected(): Promise<MqttClient> {
    if (this.client?.connected) return this.client;
    await this.drop();
    const { url, username, password, ca, rejectUnauthorized, clientId, timeoutMs } = this.settings;
    const client = await connectAsync(url, {
      username,
      password,
      ca,
      rejectUnauthorized,
      clientId: clientId ?? `kensa-${Math.random().toString(16).slice(2, 10)}`,
      connectTimeout: timeoutMs,
      reconnectPeriod: 0,
      queueQoSZero: false,
    });
    // the sink was closed while connecting: nobody would ever end this connection
    if (this.closed) {
      await client.endAsync(true);
      throw new Error('the sink was closed');
    }
    this.client = client;
    return this.client;
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.endAsync(true);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drop();
  }
}

/** Rejects when `signal` aborts (a timeout, or the shutdown). */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const abort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  });
}

export const mqttKind: SinkKind<MqttSettings> = {
  settings: MqttSettings,
  secrets: ['password'],
  requiredSecrets: [],
  create: (settings) => new MqttSink(settings),
};
