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
 * hostileRejected, hostilePerSecond, crashes, p99IdleMs, p99UnderAttackMs, p99Ratio, attackerCpuCores, perClass}.
 * The attackers run in a child process at the lowest CPU priority (scripts/lib/hostile-traffic.ts),
 * as if on another machine; attackerCpuCores says how much CPU they still took.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import pino from 'pino';
import { DEMO_PRODUCT, ensureDemoProduct } from '../src/server/demo.js';
import { ApiKeyStore } from '../src/store/api-keys.js';
import { SHA256_PATTERN } from '../src/store/blob-store.js';
import { databasePath, openDatabase } from '../src/store/database.js';
import { runHostileTraffic, type Keys } from './lib/hostile-traffic.js';
import { ServerProcess } from './lib/server-process.js';
import { syntheticPartPng } from './lib/synthetic-part.js';

/** Closed-loop clients of the normal traffic: bench:serve's best throughput is reached at 4. */
const LOAD_CLIENTS = 4;
const KILLS = 3;

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
    // Normal traffic's latencies under attack count only while the attacker's requests run.
    let attacked: ReturnType<typeof normalTraffic> | undefined;
    let attackOver: Promise<void> = Promise.resolve();
    const { perClass, cpuCores: attackerCores } = await runHostileTraffic(server.url, keys, options.duration * 2, (moment) => {
      if (moment === 'started') attacked = normalTraffic(() => server.url, keys.camera, image, 2);
      else attackOver = attacked!.stop();
    });
    await attackOver;
    if (!attacked) throw new Error('the attacker never started');
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
      /** Hostile requests per second the attacker got through (stalled bodies not counted). */
      hostilePerSecond: Number(((hostileSent - (perClass['stalled-body']?.sent ?? 0)) / (options.duration * 2)).toFixed(1)),
      crashes,
      p99IdleMs: Number(p99IdleMs.toFixed(1)),
      p99UnderAttackMs: Number(p99UnderAttackMs.toFixed(1)),
      p99Ratio: Number((p99UnderAttackMs / p99IdleMs).toFixed(2)),
      normalUnderAttack: attacked.latencies.length,
      /** Cores the attacker process (at the lowest priority) kept busy during the attack. */
      attackerCpuCores: Number(attackerCores.toFixed(2)),
      perClass,
    };
    console.log(`machine: ${summary.cpu}, ${summary.cores} cores`);
    console.log(`kill -9 under load (${KILLS} kills, ${LOAD_CLIENTS} clients): answered ${summary.answered}, logged ${summary.logged}, lost ${lost}, orphan blobs ${orphans}, temporary files left ${files.temporary}`);
    console.log(`hostile inputs: ${hostileRejected}/${hostileSent} refused (${summary.hostilePerSecond} per second beside the stalled bodies), crashes ${crashes}`);
    for (const [name, v] of Object.entries(perClass)) console.log(`  ${name.padEnd(26)} ${String(v.rejected).padStart(6)} / ${v.sent}`);
    console.log(`normal traffic p99: ${summary.p99IdleMs} ms idle, ${summary.p99UnderAttackMs} ms under attack (x${summary.p99Ratio}, ${attacked.latencies.length} answered); the attacker used ${summary.attackerCpuCores} of ${summary.cores} cores meanwhile, at the lowest priority`);
    if (options.json) console.log(JSON.stringify(summary));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
