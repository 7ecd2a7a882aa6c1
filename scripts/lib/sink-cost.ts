/**
 * What three active sinks cost the cameras, measured on one running server: a webhook receiver
 * (node:http), an MQTT broker (aedes, in this process) and a folder, each taking every result of
 * line "sinks". Rounds posting to line "sinks" and to line "plain" (which no sink takes)
 * alternate, so drift and other work on the machine fall on both alike; p50 at concurrency 1 from
 * every answer's own latency, throughput at the given concurrency (the measured capacity). At
 * the end every result of line "sinks" must have reached each sink exactly once.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestBroker } from '../../test/helpers/mqtt-broker.js';
import { WebhookReceiver } from '../../test/helpers/webhook-receiver.js';
import { postImages } from './post-images.js';
import type { ServerProcess } from './server-process.js';

const ROUNDS = 3;
const SECRET = 'bench-webhook-secret-0123456789';
const LINES = { 'no sinks': 'plain', 'three sinks': 'sinks' } as const;

export interface SinkLoad {
  product: string;
  key: string;
  adminKey: string;
  image: Buffer;
}

export interface SinkCostVariant {
  label: keyof typeof LINES;
  p50Ms: number;
  imagesPerSecond: number;
}

export interface SinkCost {
  variants: [SinkCostVariant, SinkCostVariant];
  p50Ratio: number;
  throughputRatio: number;
  /** Inspections of line "sinks" in the log, and the distinct ones (and all messages) each sink received. */
  logged: number;
  delivered: Record<'webhook' | 'mqtt' | 'folder', { distinct: number; messages: number }>;
}

function run(server: ServerProcess, load: SinkLoad, line: string, connections: number, duration: number): Promise<{ latencies: number[]; seconds: number }> {
  return postImages(server.url, { path: `/api/v1/inspect?product=${encodeURIComponent(load.product)}&line=${line}&camera=1`, key: load.key, image: load.image }, connections, duration);
}

async function admin<T>(server: ServerProcess, load: SinkLoad, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${load.adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${route} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export async function compareSinkCost(server: ServerProcess, load: SinkLoad, capacityConnections: number, duration: number): Promise<SinkCost> {
  const receiver = await WebhookReceiver.start(SECRET);
  const broker = await TestBroker.start();
  const folder = await mkdtemp(path.join(os.tmpdir(), 'kensa-bench-sink-'));
  try {
    const sinks = await Promise.all(
      [
        { name: 'bench-webhook', kind: 'webhook', settings: { url: receiver.url, secret: SECRET } },
        { name: 'bench-mqtt', kind: 'mqtt', settings: { url: broker.url } },
        { name: 'bench-folder', kind: 'folder', settings: { path: folder } },
      ].map((sink) => admin<{ id: number }>(server, load, '/api/v1/sinks', { ...sink, product: load.product, line: LINES['three sinks'], filter: 'all' })),
    );
    const tally = () => ({ latencies: [] as number[], answered: 0, seconds: 0 });
    const results = { 'no sinks': tally(), 'three sinks': tally() };
    for (let round = 0; round < ROUNDS; round++) {
      for (const label of ['no sinks', 'three sinks'] as const) {
        const single = await run(server, load, LINES[label], 1, duration);
        const busy = await run(server, load, LINES[label], capacityConnections, duration);
        results[label].latencies.push(...single.latencies);
        results[label].answered += busy.latencies.length;
        results[label].seconds += busy.seconds;
      }
    }
    await drained(server, load, sinks.map((sink) => sink.id));
    const variant = (label: SinkCostVariant['label']): SinkCostVariant => {
      const { latencies, answered, seconds } = results[label];
      const sorted = latencies.sort((a, b) => a - b);
      return { label, p50Ms: sorted[Math.floor(sorted.length / 2)] ?? NaN, imagesPerSecond: answered / seconds };
    };
    const none = variant('no sinks');
    const three = variant('three sinks');
    const mqttIds = broker.published.map((message) => (JSON.parse(message.payload.toString()) as { inspection: { id: string } }).inspection.id);
    const folderIds = (await readdir(folder)).filter((name) => name.endsWith('.json'));
    return {
      variants: [none, three],
      p50Ratio: three.p50Ms / none.p50Ms,
      throughputRatio: three.imagesPerSecond / none.imagesPerSecond,
      logged: await loggedOnLine(server, load, LINES['three sinks']),
      delivered: {
        webhook: { distinct: new Set(receiver.inspectionIds()).size, messages: receiver.accepted.length },
        mqtt: { distinct: new Set(mqttIds).size, messages: mqttIds.length },
        folder: { distinct: folderIds.length, messages: folderIds.length },
      },
    };
  } finally {
    await receiver.stop();
    await broker.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

/** Waits until the sinks have nothing pending twice in a row (an inspection still in flight is logged meanwhile). */
async function drained(server: ServerProcess, load: SinkLoad, ids: number[]): Promise<void> {
  const deadline = Date.now() + 300_000;
  let quiet = 0;
  while (quiet < 2) {
    const pending = await Promise.all(ids.map(async (id) => (await admin<{ pending: number }>(server, load, `/api/v1/sinks/${id}`)).pending));
    quiet = pending.every((count) => count === 0) ? quiet + 1 : 0;
    if (Date.now() > deadline) throw new Error(`the sinks did not drain: ${pending.join(', ')} pending`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function loggedOnLine(server: ServerProcess, load: SinkLoad, line: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: { items: unknown[]; nextCursor: string | null } = await admin(server, load, `/api/v1/inspections?line=${line}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}
