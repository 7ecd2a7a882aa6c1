/**
 * bench:faults' attacker: every class of hostile input sent in closed loops at full rate, plus more
 * stalled camera bodies than the admission queue holds, for a given time.
 *
 * It runs in a child process at the lowest CPU priority: a real attacker sends from another
 * machine, and on a small bench machine an attacker at the server's priority would measure how
 * fast the attacker burns the shared cores, not how cheaply the server refuses it. The server's
 * own work for every hostile request (parsing, checking, refusing) is still done at full priority.
 *
 *   runHostileTraffic(url, keys, seconds, at) -> { perClass, cpuCores }
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DEMO_PRODUCT } from '../../src/server/demo.js';
import { pngClaiming, repeatedStripTables } from '../../test/image/fixtures.js';
import { writeZip } from '../../test/jobs/zip-writer.js';
import { syntheticPartPng } from './synthetic-part.js';

/** More than the server's admission queue (32) holds. */
const SLOW_CONNECTIONS = 40;
/** The lowest priority (highest niceness) on Linux and macOS. */
const LOWEST_PRIORITY = 19;

export interface Keys {
  camera: string;
  qa: string;
  admin: string;
}

export interface Verdict {
  sent: number;
  rejected: number;
  /** How many answers had each status (0: connection closed without one, -1: no answer in time or a client error). */
  statuses: Record<number, number>;
}

/** One class of hostile input: `send` posts one and gives the answer's status, `refusal` the statuses that refuse it correctly. */
interface Attack {
  send(url: string): Promise<number>;
  refusal: readonly number[];
}

async function post(url: string, body: BodyInit, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers, body });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Writes `request` on a raw socket and, with `dribble`, one more byte every `everyMs`. Resolves
 * with the answer's status, 0 when the server closed the connection without one, or -1 when it
 * was still open after `giveUpMs` (then it is destroyed).
 */
function rawRequest(url: string, request: string, giveUpMs: number, dribbleEveryMs?: number): Promise<number> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    let dribble: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve(-1);
    }, giveUpMs);
    socket.on('connect', () => {
      socket.write(request);
      if (dribbleEveryMs) dribble = setInterval(() => socket.write('x'), dribbleEveryMs);
    });
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(dribble);
      clearTimeout(giveUp);
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0));
    });
  });
}

async function attacks(keys: Keys, image: Uint8Array<ArrayBuffer>): Promise<Record<string, Attack>> {
  const inspect = (url: string) => `${url}/api/v1/inspect?product=${DEMO_PRODUCT}&line=attack`;
  const asCamera = { authorization: `Bearer ${keys.camera}`, 'content-type': 'application/octet-stream' };
  const tiff = new Uint8Array(repeatedStripTables(65_535, 20_000));
  const pixelBomb = new Uint8Array(await pngClaiming(100_000, 100_000));
  // One entry inflating to 64 MiB of zeros from about 64 KiB: past the per-image cap of any upload.
  const zipBomb = new Uint8Array(writeZip([{ name: 'good/bomb.bmp', data: new Uint8Array(64 * 1024 * 1024), deflate: true }]));
  return {
    'tiff-repeated-directory': { send: (url) => post(inspect(url), tiff, asCamera), refusal: [422] },
    'truncated-png': { send: (url) => post(inspect(url), image.slice(0, image.length >> 1), asCamera), refusal: [422] },
    'wrong-magic': { send: (url) => post(inspect(url), new TextEncoder().encode('%PDF-1.7 not an image\n'.repeat(100)), asCamera), refusal: [415] },
    'pixel-bomb': { send: (url) => post(inspect(url), pixelBomb, asCamera), refusal: [413] },
    'empty-body': { send: (url) => post(inspect(url), new Uint8Array(0), asCamera), refusal: [400] },
    'zip-bomb': {
      send: (url) => {
        const form = new FormData();
        form.append('images', new Blob([zipBomb]), 'set.zip');
        return post(`${url}/api/v1/jobs?product=${DEMO_PRODUCT}`, form, { authorization: `Bearer ${keys.admin}` });
      },
      refusal: [413],
    },
    'huge-headers': { send: (url) => rawRequest(url, `GET /healthz HTTP/1.1\r\nHost: bench\r\nX-Padding: ${'a'.repeat(64 * 1024)}\r\n\r\n`, 10_000), refusal: [431] },
    'bad-key': { send: (url) => post(inspect(url), image, { ...asCamera, authorization: 'Bearer kensa_not-a-key' }), refusal: [401] },
    'wrong-role': {
      send: async (url) => {
        const response = await fetch(`${url}/api/v1/audit`, { headers: { authorization: `Bearer ${keys.camera}` } });
        await response.arrayBuffer();
        return response.status;
      },
      refusal: [403],
    },
  };
}

/** A camera that stalls mid-body: headers for a 1 MB image, then a byte every 500 ms, until the server answers or `giveUpMs` passes. */
function stalledBody(url: string, key: string, giveUpMs: number): Promise<number> {
  const request = `POST /api/v1/inspect?product=${DEMO_PRODUCT}&line=attack HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n\x89PNG`;
  return rawRequest(url, request, giveUpMs, 500);
}

/** The attacker's moments that the bench times its normal traffic by (one line each on stdout). */
type Moment = 'started' | 'stopped';

async function hostilePhase(url: string, keys: Keys, seconds: number, at: (moment: Moment) => void): Promise<Record<string, Verdict>> {
  const image = new Uint8Array(await syntheticPartPng());
  const classes = Object.entries(await attacks(keys, image));
  const perClass: Record<string, Verdict> = {};
  let running = true;
  const record = (name: string, refusal: readonly number[]) => {
    const verdict: Verdict = (perClass[name] ??= { sent: 0, rejected: 0, statuses: {} });
    return (status: number) => {
      verdict.sent++;
      verdict.statuses[status] = (verdict.statuses[status] ?? 0) + 1;
      if (refusal.includes(status)) verdict.rejected++;
    };
  };
  at('started');
  const loops = classes.map(async ([name, attack]) => {
    const answered = record(name, attack.refusal);
    while (running) answered(await attack.send(url).catch(() => -1));
  });
  // More stalled cameras than the admission queue holds, each given the whole phase and 30 s
  // more: the server's body deadline must answer 408 or cut every one.
  const stalled = record('stalled-body', [0, 408]);
  const stalls = Array.from({ length: SLOW_CONNECTIONS }, () => stalledBody(url, keys.camera, seconds * 1000 + 30_000).then(stalled));
  await sleep(seconds * 1000);
  running = false;
  await Promise.all(loops);
  at('stopped');
  await Promise.all(stalls);
  return perClass;
}

export interface HostileResult {
  perClass: Record<string, Verdict>;
  /** Cores the attacker process kept busy, on average, while it ran. */
  cpuCores: number;
}

/**
 * Runs the attack in a child process at the lowest priority; `at` is called when its requests
 * start (its inputs are built) and when they stop (before the stalled bodies are drained).
 */
export function runHostileTraffic(url: string, keys: Keys, seconds: number, at: (moment: Moment) => void): Promise<HostileResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify({ url, keys, seconds })], { stdio: ['ignore', 'pipe', 'inherit'] });
  os.setPriority(child.pid!, LOWEST_PRIORITY);
  let result: HostileResult | undefined;
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'started' || line === 'stopped') at(line);
    else result = JSON.parse(line) as HostileResult;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`the attacker exited with code ${code}`))));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url, keys, seconds } = JSON.parse(process.argv[2]) as { url: string; keys: Keys; seconds: number };
  let started = { cpu: process.cpuUsage(), ms: performance.now() };
  const perClass = await hostilePhase(url, keys, seconds, (moment) => {
    if (moment === 'started') started = { cpu: process.cpuUsage(), ms: performance.now() };
    process.stdout.write(`${moment}\n`);
  });
  const cpu = process.cpuUsage(started.cpu);
  const result: HostileResult = { perClass, cpuCores: (cpu.user + cpu.system) / 1000 / (performance.now() - started.ms) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
