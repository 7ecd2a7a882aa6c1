/**
 * Slow clients on real sockets: cameras that stall mid-body hold no inspection slot, are bounded
 * in number, and are answered 408; training uploads are cut when idle, never for being slow; other request bodies,
 * headers and idle keep-alive connections have deadlines; concurrent training uploads and open
 * event streams are capped; revoking a key ends the event streams opened with it.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../src/store/api-keys.js';
import { databasePath, openDatabase } from '../../src/store/database.js';
import { newId } from '../../src/store/ids.js';
import { TrainingJobStore } from '../../src/store/training-jobs.js';
import { greyPng, inspect, startTestServer, type TestServer } from './harness.js';

const INSPECT_BODY_MS = 2000;
const REQUEST_MS = 800;
const UPLOAD_IDLE_MS = 800;
const HEADERS_MS = 600;
const KEEP_ALIVE_MS = 300;
const HEARTBEAT_MS = 200;
/** Timers fire late on a loaded machine: the slack allowed past a deadline. */
const SLACK_MS = 1500;

let server: TestServer;
let image: Buffer;

beforeAll(async () => {
  server = await startTestServer({
    config: {
      maxQueue: 2,
      inspectBodyTimeoutMs: INSPECT_BODY_MS,
      requestTimeoutMs: REQUEST_MS,
      uploadIdleTimeoutMs: UPLOAD_IDLE_MS,
      headersTimeoutMs: HEADERS_MS,
      keepAliveTimeoutMs: KEEP_ALIVE_MS,
      maxTrainingUploads: 1,
      maxEventStreams: 2,
      eventStreamHeartbeatMs: HEARTBEAT_MS,
    },
  });
  image = await greyPng(64, 64, 128);
});
afterAll(async () => {
  await server?.dispose();
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from the socket's opening to the end of the response. */
  afterMs: number;
}

/** An HTTP/1.1 exchange on a raw socket, so a test can send a request as slowly as a failing camera. */
class RawConnection {
  private readonly socket: net.Socket;
  private readonly opened = performance.now();
  private received = Buffer.alloc(0);
  /** Milliseconds from opening until the server closed the connection. */
  readonly closed: Promise<number>;

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.socket = net.connect(Number(port), hostname);
    this.socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
    // The server may reset a connection whose body it stopped reading.
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve(performance.now() - this.opened)));
  }

  write(data: string | Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Writes `data` one piece every `everyMs`. */
  async dribble(data: string, pieces: number, everyMs: number): Promise<void> {
    const size = Math.ceil(data.length / pieces);
    for (let at = 0; at < data.length; at += size) {
      this.write(data.slice(at, at + size));
      await sleep(everyMs);
    }
  }

  get receivedAnything(): boolean {
    return this.received.length > 0;
  }

  /** The first complete response, or null if none came within `withinMs`. */
  async response(withinMs: number): Promise<RawResponse | null> {
    const deadline = performance.now() + withinMs;
    while (performance.now() < deadline) {
      const parsed = this.parse();
      if (parsed) return parsed;
      await sleep(20);
    }
    return null;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private parse(): RawResponse | null {
    const text = this.received.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const body = text.slice(end + 4);
    if (body.length < Number(headers['content-length'] ?? 0)) return null;
    return { status: Number(statusLine.split(' ')[1]), headers, body, afterMs: performance.now() - this.opened };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function request(method: string, route: string, key: string, headers: Record<string, string | number>): string {
  const lines = [`${method} ${route} HTTP/1.1`, 'Host: kensa', `Authorization: Bearer ${key}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A camera that sends its headers and half of the image, then nothing. */
function stalledInspection(bytes: Uint8Array, as: 'raw' | 'multipart' = 'raw'): RawConnection {
  const connection = new RawConnection(server.url);
  const route = '/api/v1/inspect?product=widget&camera=stalled';
  if (as === 'raw') {
    connection.write(request('POST', route, server.keys.camera, { 'Content-Type': 'image/png', 'Content-Length': bytes.length }));
    connection.write(bytes.subarray(0, bytes.length / 2));
  } else {
    const { head, tail } = multipart('image', bytes.length);
    connection.write(request('POST', route, server.keys.camera, { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': head.length + bytes.length + tail.length }));
    connection.write(head);
    connection.write(bytes.subarray(0, bytes.length / 2));
  }
  return connection;
}

const BOUNDARY = 'kensa-slow-client';

/** The framing around one file part of `size` bytes in the field `field`. */
function multipart(field: string, size: number): { head: string; tail: string; size: number } {
  const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="part.png"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${BOUNDARY}--\r\n`;
  return { head, tail, size: head.length + size + tail.length };
}

/** A training upload of one file (`content`, not an image) whose headers are sent; the caller sends the body. */
function trainingUpload(content: string): { connection: RawConnection; body: string } {
  const { head, tail, size } = multipart('images', content.length);
  const connection = new RawConnection(server.url);
  connection.write(request('POST', '/api/v1/jobs?product=widget', server.keys.trainer, { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': size }));
  return { connection, body: head + content + tail };
}

function expectProblem(response: RawResponse | null, status: number, title: string): RawResponse {
  expect(response, 'no answer').not.toBeNull();
  const answer = response as RawResponse;
  expect(answer.status, answer.body).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect((JSON.parse(answer.body) as { title: string }).title).toBe(title);
  return answer;
}

describe('cameras with slow bodies', () => {
  it('hold no inspection slot: with every slot taken by stalled cameras, another camera is answered at once', async () => {
    const stalled = Array.from({ length: 3 }, () => stalledInspection(image));
    await sleep(300);
    const response = await inspect(server, image, { camera: 'healthy' });
    expect(response.status, await response.clone().text()).toBe(200);
    // Answered while the stalled cameras were still waiting for their deadline.
    expect(stalled.some((connection) => connection.receivedAnything)).toBe(false);
    for (const connection of stalled) connection.destroy();
  });

  it('are bounded too: beyond twice the queue of images arriving at once, a camera is refused at once with 503', async () => {
    const stalled = Array.from({ length: 4 }, () => stalledInspection(image));
    await sleep(300);
    const refused = await inspect(server, image, { camera: 'one-too-many' });
    expect(refused.status, await refused.clone().text()).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    for (const connection of stalled) connection.destroy();
    await sleep(300);
    expect((await inspect(server, image, { camera: 'after' })).status).toBe(200);
  });

  it('answers a stalled image 408 within the deadline and closes the connection', async () => {
    for (const as of ['raw', 'multipart'] as const) {
      const connection = stalledInspection(image, as);
      const answer = expectProblem(await connection.response(INSPECT_BODY_MS + SLACK_MS), 408, 'The image arrived too slowly');
      expect(answer.afterMs).toBeGreaterThanOrEqual(INSPECT_BODY_MS - 50);
      expect(answer.headers.connection).toBe('close');
      expect(await connection.closed).toBeLessThan(INSPECT_BODY_MS + SLACK_MS);
    }
    // Nothing was held: the next inspection is answered normally.
    expect((await inspect(server, image)).status).toBe(200);
  });
});

describe('refusals', () => {
  it('close the connection instead of reading a body that was refused unread', async () => {
    const connection = new RawConnection(server.url);
    const size = 64 * 1024 * 1024;
    connection.write(request('POST', '/api/v1/inspect?product=widget', 'kensa_not-a-key', { 'Content-Type': 'image/png', 'Content-Length': size }));
    connection.write(new Uint8Array(64 * 1024));
    const answer = expectProblem(await connection.response(SLACK_MS), 401, 'Invalid API key');
    expect(answer.headers.connection).toBe('close');
    // Closed at once: not after 64 MiB that would only be thrown away.
    expect(await connection.closed).toBeLessThan(SLACK_MS);
  });
});

describe('request bodies', () => {
  it('cuts a training upload that goes idle, not one that is slow but alive, and bounds other bodies in total', async () => {
    // Alive: a piece every 200 ms, for three times the idle and total limits.
    const alive = trainingUpload('x'.repeat(120));
    await alive.connection.dribble(alive.body, 12, 200);
    const answered = expectProblem(await alive.connection.response(10_000), 422, 'Some files are not readable images');
    expect(answered.afterMs).toBeGreaterThan(3 * REQUEST_MS);

    const idle = trainingUpload('x'.repeat(120));
    idle.connection.write(idle.body.slice(0, 150));
    const cut = expectProblem(await idle.connection.response(UPLOAD_IDLE_MS + SLACK_MS), 408, 'The upload stalled');
    expect(cut.afterMs).toBeGreaterThanOrEqual(UPLOAD_IDLE_MS - 50);
    await idle.connection.closed;

    // A JSON body that keeps coming, but too slowly in total.
    const json = JSON.stringify({ product: 'widget', folder: '/nowhere/at/all', includeGoodSet: false });
    const dribbling = new RawConnection(server.url);
    dribbling.write(request('POST', '/api/v1/jobs/from-folder', server.keys.admin, { 'Content-Type': 'application/json', 'Content-Length': json.length }));
    void dribbling.dribble(json, json.length, 100);
    const tooSlow = expectProblem(await dribbling.response(REQUEST_MS + SLACK_MS), 408, 'The request body arrived too slowly');
    expect(tooSlow.afterMs).toBeGreaterThanOrEqual(REQUEST_MS - 50);
    dribbling.destroy();
  });

  it('refuses a training upload beyond the cap with 503 and Retry-After, and takes one again once the slot is free', async () => {
    const smallUpload = () => {
      const form = new FormData();
      form.append('images', new Blob(['not an image']), 'notes.txt');
      return fetch(`${server.url}/api/v1/jobs?product=widget`, { method: 'POST', headers: { authorization: `Bearer ${server.keys.trainer}` }, body: form });
    };
    const first = trainingUpload('x'.repeat(120));
    first.connection.write(first.body.slice(0, 150));
    await sleep(200);
    const refused = await smallUpload();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { title: string }).title).toBe('Too many training uploads at once');

    // The first one goes idle and is cut; its slot is free again once the server has cleaned up after it.
    expectProblem(await first.connection.response(UPLOAD_IDLE_MS + SLACK_MS), 408, 'The upload stalled');
    const deadline = performance.now() + SLACK_MS;
    let next = await smallUpload();
    while (next.status === 503 && performance.now() < deadline) {
      await sleep(50);
      next = await smallUpload();
    }
    expect(next.status).toBe(422);
  });
});

describe('connections', () => {
  it('closes a connection whose headers do not arrive in time, and an idle keep-alive connection', async () => {
    const slowHeaders = new RawConnection(server.url);
    slowHeaders.write('GET /healthz HTTP/1.1\r\nHost: kensa\r\n');
    const answer = await slowHeaders.response(HEADERS_MS + SLACK_MS);
    expect(answer?.status).toBe(408);
    expect(await slowHeaders.closed).toBeGreaterThanOrEqual(HEADERS_MS - 50);

    const idle = new RawConnection(server.url);
    idle.write('GET /healthz HTTP/1.1\r\nHost: kensa\r\n\r\n');
    expect((await idle.response(5000))?.status).toBe(200);
    // Node closes an idle keep-alive socket up to a second after the advertised timeout.
    const closedAfter = await Promise.race([idle.closed, sleep(KEEP_ALIVE_MS + 1000 + SLACK_MS).then(() => Infinity)]);
    expect(closedAfter).toBeLessThan(KEEP_ALIVE_MS + 1000 + SLACK_MS);
    idle.destroy();
  });
});

describe('event streams', () => {
  let jobId: string;

  beforeAll(() => {
    // A queued job nobody will run: its stream stays open until the client, the cap or a revocation ends it.
    const db = openDatabase(databasePath(server.dataDir));
    jobId = newId();
    new TrainingJobStore(db).create({
      id: jobId,
      productId: 'widget',
      version: 'never-trained',
      config: {},
      source: { kind: 'upload', images: 10, goodSetImages: 0 },
      warnings: [],
      createdByKeyId: null,
      createdMs: Date.now(),
    });
    db.close();
  });

  const follow = (key: string, signal?: AbortSignal) => fetch(`${server.url}/api/v1/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${key}` }, signal });

  /** True when the stream's body ends within `withinMs` (heartbeats keep it open otherwise). */
  async function ends(body: ReadableStream<Uint8Array>, withinMs: number): Promise<boolean> {
    const reader = body.getReader();
    const deadline = performance.now() + withinMs;
    try {
      while (performance.now() < deadline) {
        const read = await Promise.race([reader.read(), sleep(deadline - performance.now()).then(() => null)]);
        if (read?.done) return true;
      }
      return false;
    } finally {
      void reader.cancel().catch(() => {});
    }
  }

  it('refuses a stream beyond the cap with 503 and Retry-After, and takes one again once a stream ends', async () => {
    const first = new AbortController();
    const open = [await follow(server.keys.qa, first.signal), await follow(server.keys.qa)];
    for (const response of open) expect(response.status).toBe(200);
    const refused = await follow(server.keys.qa);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { title: string }).title).toBe('Too many event streams are open');

    first.abort();
    await sleep(300);
    const again = await follow(server.keys.qa);
    expect(again.status).toBe(200);
    await again.body?.cancel();
    await open[1].body?.cancel();
    await sleep(300);
  });

  it('ends the streams opened with a key once the key is revoked, and only those', async () => {
    const db = openDatabase(databasePath(server.dataDir));
    const keys = new ApiKeyStore(db);
    const doomed = keys.create('qa', 'tablet at line 3');
    const revokedStream = await follow(doomed.key);
    const otherStream = await follow(server.keys.qa);
    expect([revokedStream.status, otherStream.status]).toEqual([200, 200]);
    expect(keys.revoke(doomed.record.prefix)).toBe(true);
    db.close();
    expect(await ends(revokedStream.body as ReadableStream<Uint8Array>, 3 * HEARTBEAT_MS + SLACK_MS)).toBe(true);
    expect(await ends(otherStream.body as ReadableStream<Uint8Array>, 3 * HEARTBEAT_MS)).toBe(false);
  });
});
