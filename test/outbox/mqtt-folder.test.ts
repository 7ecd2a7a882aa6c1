/**
 * Results to an MQTT broker and to a folder, end to end: a real kensa server, a real aedes broker
 * on a loopback port that is stopped and started again, and a folder on disk.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBroker } from '../helpers/mqtt-broker.js';
import { greyPng, inspectionId, post, startTestServer, type TestServer } from '../server/harness.js';
import { createSink, metricsText, waitFor } from './helpers.js';

let server: TestServer;
let broker: TestBroker;
let folder: string;
let ng: Buffer;

beforeAll(async () => {
  server = await startTestServer({ config: { sinkRetryMaxMs: 400 } });
  broker = await TestBroker.start();
  folder = await mkdtemp(path.join(os.tmpdir(), 'kensa-folder-sink-'));
  ng = await greyPng(40, 40, 255);
});
afterAll(async () => {
  await server?.dispose();
  await broker?.stop();
  await rm(folder, { recursive: true, force: true });
});

const inspectMany = async (count: number, camera: string) => {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await inspectionId(server, ng, { line: 'L1', camera }));
  return ids;
};
const resultIds = (topic: string) =>
  broker.published.filter((message) => message.topic === topic).map((message) => (JSON.parse(message.payload.toString()) as { inspection: { id: string } }).inspection.id);

describe('MQTT sinks', () => {
  it('publish every inspection exactly once and in order, with QoS 1, when the broker goes down and comes back', async () => {
    const sink = await createSink(server, { name: 'broker', camera: 'c1', kind: 'mqtt', settings: { url: broker.url, username: 'kensa', password: 'broker-password', retain: true } });
    expect(JSON.stringify(sink)).not.toContain('broker-password');
    expect(sink.secretsSet).toEqual(['password']);
    const topic = 'kensa/widget/L1/c1/result';
    const ids = await inspectMany(3, 'c1');
    await waitFor('the first three', () => resultIds(topic).length === 3);
    await broker.stop();
    ids.push(...(await inspectMany(3, 'c1')));
    await new Promise((resolve) => setTimeout(resolve, 600));
    await broker.listen();
    ids.push(...(await inspectMany(2, 'c1')));
    await waitFor('all eight', () => resultIds(topic).length >= 8);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resultIds(topic)).toEqual(ids);
    expect(broker.published.every((message) => message.qos === 1 && message.retain)).toBe(true);
    expect(await metricsText(server)).toMatch(/kensa_sink_retries_total\{sink="broker"\} [1-9]/);

    // retained: a subscriber that comes later gets the camera's last result
    const subscriber = await connectAsync(broker.url);
    const last = new Promise<string>((resolve) => subscriber.on('message', (_topic, payload) => resolve((JSON.parse(payload.toString()) as { inspection: { id: string } }).inspection.id)));
    await subscriber.subscribeAsync(topic, { qos: 1 });
    expect(await last).toBe(ids.at(-1));
    await subscriber.endAsync();
  });

  it('answer a test message, and say when the broker is down', async () => {
    const sink = await createSink(server, { name: 'broker-test', kind: 'mqtt', settings: { url: broker.url, topic: 'plant/{product}/{camera}' } });
    expect((await post(server, `/api/v1/sinks/${sink.id}/test`, {})).status).toBe(200);
    expect(broker.published.some((message) => message.topic === 'plant/widget/-' && message.payload.toString().includes('"test":true'))).toBe(true);
    await broker.stop();
    const failed = await post(server, `/api/v1/sinks/${sink.id}/test`, {});
    expect(failed.status).toBe(502);
    await broker.listen();
  });
});

describe('folder sinks', () => {
  it('write each result as JSON with its overlay into the folder, also those that failed before a restart', async () => {
    // a file where the folder should be: every write fails until it is gone
    const out = path.join(folder, 'out');
    await writeFile(out, 'not a folder');
    await createSink(server, { name: 'share', camera: 'c2', kind: 'folder', withOverlay: true, settings: { path: out } });
    const ids = await inspectMany(2, 'c2');
    server = await server.restart();
    await rm(out);
    ids.push(...(await inspectMany(1, 'c2')));
    await waitFor('three results in the folder', async () => (await readdir(out).catch(() => [])).filter((name) => name.endsWith('.json')).length === 3);
    const names = (await readdir(out)).sort();
    expect(names).toEqual(ids.flatMap((id) => [`${id}.json`, `${id}.overlay.png`]).sort());
    const document = JSON.parse(await readFile(path.join(out, `${ids[0]}.json`), 'utf8')) as { inspection: { id: string; decision: string } };
    expect(document.inspection).toMatchObject({ id: ids[0], decision: 'NG' });
    const png = await readFile(path.join(out, `${ids[0]}.overlay.png`));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('refuse a relative folder', async () => {
    expect((await post(server, '/api/v1/sinks', { name: 'relative', product: 'widget', kind: 'folder', settings: { path: 'out' } })).status).toBe(400);
  });
});
