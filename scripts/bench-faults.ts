/**
 * Fault bench: a real `kensa serve` on the demo model, in one run
 * 1. under load at capacity, killed with SIGKILL three times and restarted on the same data
 *    folder: every inspection a client got a 200 for must be in SQLite with its image and map
 *    on disk (lost = 0), and no blob file may be left without a row once restarted (orphans);
 * 2. every class of hostile input sent at full rate beside normal traffic: each must get its
 *    4xx (or, for a stalled body, be cut), nothing may crash, and the normal traffic's p99 is
 *    compared with its idle value.
 *
 *   npm run bench:faults -- [--duration S] [--json]
 *
 * The last line with --json is {cpu, answered, logged, lost, orphans, hostileSent,
 * hostileRejected, crashes, p99IdleMs, p99UnderAttackMs, p99Ratio, benchCpuCores, perClass}.
 * The attackers run in the bench's process on the same machine: benchCpuCores says how much of
 * it they took from the server while the p99 under attack was measured.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import pino from 'pino';
import { DEMO_PRODUCT, ensureDemoProduct } from '../src/server/demo.js';
import { ApiKeyStore } from '../src/store/api-keys.js';
import { SHA256_PATTERN } from '../src/store/blob-store.js';
import { databasePath, openDatabase } from '../src/store/database.js';
import { pngClaiming, repeatedStripTables } from '../test/image/fixtures.js';
import { writeZip } from '../test/jobs/zip-writer.js';
import { ServerProcess } from './lib/server-process.js';
import { syntheticPartPng } from './lib/synthetic-part.js';

/** Closed-loop clients of the normal traffic: bench:serve's best throughput is reached at 4. */
const LOAD_CLIENTS = 4;
const KILLS = 3;
/** More than the server's admission queue (32) holds. */
const SLOW_CONNECTIONS = 40;

interface Keys {
  camera: string;
  qa: string;
  admin: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
};

/**
 * Normal traffic: `clients` loops posting the image, each retrying after a refused connection
 * (the server is being restarted). Returns the ids of answered inspections and their latencies.
 */
function normalTraffic(target: () => string, key: string, image: Uint8Array<ArrayBuffer>, clients: number) {
  const answered: string[] = [];
  const latencies: number[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const started = performance.now();
      try {
        const response = await fetch(`${target()}/api/v1/inspect?product=${DEMO_PRODUCT}&line=bench`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
          body: image,
        });
        const body = (await response.json()) as { id?: string };
        if (response.status === 200 && body.id) {
          answered.push(body.id);
          latencies.push(performance.now() - started);
        }
      } catch {
        await sleep(50); // connection refused or cut: the server is down
      }
    }
  });
  return {
    answered,
    latencies,
    async stop(): Promise<void> {
      running = false;
      await Promise.all(loops);
    },
  };
}

interface Verdict {
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

async function hostilePhase(url: string, keys: Keys, image: Uint8Array<ArrayBuffer>, seconds: number): Promise<Record<string, Verdict>> {
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
  const loops = Object.entries(await attacks(keys, image)).map(async ([name, attack]) => {
    const answered = record(name, attack.refusal);
    while (running) answered(await attack.send(url).catch(() => -1));
  });
  // More stalled cameras than the admission queue holds, each given the whole phase and 30 s
  // more: the server's body deadline must answer 408 or cut every one.
  const stalled = record('stalled-body', [0, 408]);
  const stalls = Array.from({ length: SLOW_CONNECTIONS }, () => stalledBody(url, keys.camera, seconds * 1000 + 30_000).then(stalled));
  await sleep(seconds * 1000);
  running = false;
  await Promise.all([...loops, ...stalls]);
  return perClass;
}

/** Blob files under <dataDir>/blobs: hashes, and temporary files left by killed writes. */
async function blobFiles(dataDir: string): Promise<{ hashes: string[]; temporary: number }> {
  const hashes: string[] = [];
  let temporary = 0;
  const root = path.join(dataDir, 'blobs');
  for (const shard of await readdir(root).catch(() => [])) {
    for (const name of await readdir(path.join(root, shard))) {
      if (SHA256_PATTERN.test(name)) hashes.push(name);
      else temporary++;
    }
  }
  return { hashes, temporary };
}

async function main(): Promise<void> {
  const options = new Command()
    .option('--duration <s>', 'seconds of load between kills, and of each traffic phase', (v) => Number(v), 5)
    .option('--json', 'print the result as JSON (last line)')
    .parse()
    .opts<{ duration: number; json?: boolean }>();

  const root = await mkdtemp(path.join(os.tmpdir(), 'kensa-faults-'));
  try {
    const modelsDir = path.join(root, 'models');
    const dataDir = path.join(root, 'data');
    await ensureDemoProduct(modelsDir, dataDir, pino({ level: 'warn' }));
    const db = openDatabase(databasePath(dataDir));
    const store = new ApiKeyStore(db);
    const keys: Keys = { camera: store.create('camera', 'bench').key, qa: store.create('qa', 'bench').key, admin: store.create('admin', 'bench').key };
    db.close();
    const image = new Uint8Array(await syntheticPartPng());
    const flags = { 'models-dir': modelsDir, 'data-dir': dataDir, demo: 'true' };

    // 1. Kill -9 under load.
    let server = await ServerProcess.start(flags);
    let crashes = 0;
    let expectedExit = false;
    const watch = (s: ServerProcess) => s.onExit(() => void (crashes += Number(!expectedExit)));
    watch(server);
    const load = normalTraffic(() => server.url, keys.camera, image, LOAD_CLIENTS);
    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(options.duration * 1000);
      expectedExit = true;
      await server.kill();
      expectedExit = false;
      server = await ServerProcess.start(flags, server.port);
      watch(server);
    }
    await sleep(options.duration * 1000);
    await load.stop();
    await sleep(1000); // the restarted server's first retention pass sweeps what the kills left
    expectedExit = true;
    await server.stop();
    expectedExit = false;

    const check = openDatabase(databasePath(dataDir));
    const rows = new Map(
      (check.prepare("SELECT id, image_blob, map_blob FROM inspections WHERE line = 'bench'").all() as { id: string; image_blob: string | null; map_blob: string | null }[]).map((r) => [r.id, r]),
    );
    const wanted = new Set(check.prepare('SELECT sha256 FROM blobs').pluck().all() as string[]);
    check.close();
    const files = await blobFiles(dataDir);
    const onDisk = new Set(files.hashes);
    const lost = load.answered.filter((id) => {
      const row = rows.get(id);
      return !row || !row.image_blob || !row.map_blob || !onDisk.has(row.image_blob) || !onDisk.has(row.map_blob);
    }).length;
    const orphans = files.hashes.filter((hash) => !wanted.has(hash)).length;

    // 2. Hostile inputs beside normal traffic.
    server = await ServerProcess.start(flags);
    watch(server);
    const warmUp = normalTraffic(() => server.url, keys.camera, image, 2);
    await sleep(2000); // the first inspections of a fresh process load and tune the model
    await warmUp.stop();
    const idle = normalTraffic(() => server.url, keys.camera, image, 2);
    await sleep(options.duration * 1000);
    await idle.stop();
    // The attackers share the machine's cores with the server: their own CPU time is reported.
    const attackStarted = { cpu: process.cpuUsage(), ms: performance.now() };
    const attacked = normalTraffic(() => server.url, keys.camera, image, 2);
    const perClass = await hostilePhase(server.url, keys, image, options.duration * 2);
    await attacked.stop();
    const attackerCpu = process.cpuUsage(attackStarted.cpu);
    const attackerCores = (attackerCpu.user + attackerCpu.system) / 1000 / (performance.now() - attackStarted.ms);
    const healthy = await fetch(`${server.url}/healthz`).then((r) => r.ok, () => false);
    if (!healthy) crashes++;
    expectedExit = true;
    await server.stop();

    const hostileSent = Object.values(perClass).reduce((sum, v) => sum + v.sent, 0);
    const hostileRejected = Object.values(perClass).reduce((sum, v) => sum + v.rejected, 0);
    const p99IdleMs = percentile(idle.latencies, 0.99);
    const p99UnderAttackMs = percentile(attacked.latencies, 0.99);
    const summary = {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.availableParallelism(),
      answered: load.answered.length,
      logged: rows.size,
      lost,
      orphans,
      temporaryFilesLeft: files.temporary,
      hostileSent,
      hostileRejected,
      crashes,
      p99IdleMs: Number(p99IdleMs.toFixed(1)),
      p99UnderAttackMs: Number(p99UnderAttackMs.toFixed(1)),
      p99Ratio: Number((p99UnderAttackMs / p99IdleMs).toFixed(2)),
      normalUnderAttack: attacked.latencies.length,
      /** Cores the bench process itself (clients and attackers) kept busy during the attack. */
      benchCpuCores: Number(attackerCores.toFixed(2)),
      perClass,
    };
    console.log(`machine: ${summary.cpu}, ${summary.cores} cores`);
    console.log(`kill -9 under load (${KILLS} kills, ${LOAD_CLIENTS} clients): answered ${summary.answered}, logged ${summary.logged}, lost ${lost}, orphan blobs ${orphans}, temporary files left ${files.temporary}`);
    console.log(`hostile inputs: ${hostileRejected}/${hostileSent} refused, crashes ${crashes}`);
    for (const [name, v] of Object.entries(perClass)) console.log(`  ${name.padEnd(26)} ${String(v.rejected).padStart(6)} / ${v.sent}`);
    console.log(`normal traffic p99: ${summary.p99IdleMs} ms idle, ${summary.p99UnderAttackMs} ms under attack (x${summary.p99Ratio}, ${attacked.latencies.length} answered); the bench itself used ${summary.benchCpuCores} of ${summary.cores} cores meanwhile`);
    if (options.json) console.log(JSON.stringify(summary));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
