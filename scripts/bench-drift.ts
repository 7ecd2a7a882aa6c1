/**
 * Drift watch's false-alarm rate over a long normal run: a gaussian model trained on synthetic
 * flanges (its package records the calibration reference, as every training does), a real server
 * in this process, and cameras sending normal synthetic flanges (other instances than the ones
 * trained on) in random order. Every drift event raised is a false alarm; the rate is given per
 * 1,000 frames and per check, with the default settings (window 100, alpha 0.001, smallest
 * distance 0.2). With --changes, each camera's run ends with the frames dimmed by 20%, and the
 * frames until the brightness event are counted.
 *
 *   npm run bench:drift -- [--frames N] [--cameras N] [--pool N] [--changes] [--json]
 *
 * The last line with --json is {"frames","cameras","events","falseAlarmsPer1000Frames","measures","dimDetectedAfter","cpu"}.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import sharp from 'sharp';
import { loadServerConfig } from '../src/server/config.js';
import { createLogger } from '../src/server/logger.js';
import { startServer } from '../src/server/server.js';
import { ApiKeyStore } from '../src/store/api-keys.js';
import { databasePath, openDatabase } from '../src/store/database.js';
import { generateDataset } from '../src/synth/generate.js';
import { Random } from '../src/util/random.js';
import { DRIFT_FLANGE_SIDE, trainDriftFlange } from './lib/drift-flange.js';

const SIDE = DRIFT_FLANGE_SIDE;
const IN_FLIGHT = 4;

const options = new Command()
  .option('--frames <n>', 'normal frames per camera', (v) => parseInt(v, 10), 2000)
  .option('--cameras <n>', 'cameras sending at once', (v) => parseInt(v, 10), 2)
  .option('--pool <n>', 'distinct normal flanges the frames are drawn from', (v) => parseInt(v, 10), 600)
  .option('--changes', 'end each camera with frames dimmed by 20% and count the frames until the event')
  .option('--json', 'print only the JSON summary line')
  .parse()
  .opts<{ frames: number; cameras: number; pool: number; changes?: boolean; json?: boolean }>();
const log = (line: string) => {
  if (!options.json) console.log(line);
};

interface EventJson {
  measure: string;
  camera: string;
  explanation: string;
}

const root = await mkdtemp(path.join(os.tmpdir(), 'kensa-bench-drift-'));
try {
  const models = path.join(root, 'models');
  await trainDriftFlange(root, models);
  const live = await generateDataset({ out: path.join(root, 'live'), kind: 'flange', seed: 77, train: options.pool, testGood: 0, testDefect: 0, width: SIDE, height: SIDE });
  const pool = await Promise.all(live.images.map((image) => readFile(image.image)));
  log(`model trained; ${pool.length} distinct normal flanges to draw from`);

  const dataDir = path.join(root, 'data');
  const server = await startServer(loadServerConfig({ port: 0, host: '127.0.0.1', modelsDir: models, dataDir }, {}), { logger: createLogger('silent') });
  try {
    const db = openDatabase(databasePath(dataDir));
    const keys = new ApiKeyStore(db);
    const camera = keys.create('camera', 'bench').key;
    const qa = keys.create('qa', 'bench').key;
    db.close();
    const post = async (name: string, image: Buffer) => {
      const response = await fetch(`${server.url}/api/v1/inspect?product=flange&line=L1&camera=${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${camera}`, 'content-type': 'image/png' },
        body: new Uint8Array(image),
      });
      if (response.status !== 200) throw new Error(`inspect answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    };
    const events = async (name?: string): Promise<EventJson[]> => {
      const query = new URLSearchParams({ product: 'flange', limit: '200', ...(name ? { camera: name } : {}) });
      const response = await fetch(`${server.url}/api/v1/drift-events?${query}`, { headers: { authorization: `Bearer ${qa}` } });
      return ((await response.json()) as { items: EventJson[] }).items;
    };

    const started = performance.now();
    const cameras = Array.from({ length: options.cameras }, (_, k) => `cam-${k + 1}`);
    await Promise.all(
      cameras.map(async (name, k) => {
        const rng = new Random(1000 + k);
        for (let n = 0; n < options.frames; n += IN_FLIGHT) {
          await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, options.frames - n) }, () => post(name, pool[rng.int(pool.length)])));
        }
      }),
    );
    const raised = await events();
    const frames = options.frames * options.cameras;
    log(`${frames} normal frames on ${options.cameras} cameras in ${((performance.now() - started) / 1000).toFixed(0)} s: ${raised.length} drift events`);
    for (const event of raised) log(`  false alarm on ${event.camera}: ${event.explanation}`);

    const dimDetectedAfter: (number | null)[] = [];
    if (options.changes) {
      for (const name of cameras) {
        let sent = 0;
        const rng = new Random(2000);
        while (sent < 300 && !(await events(name)).some((e) => e.measure === 'brightness')) {
          await post(name, await sharp(pool[rng.int(pool.length)]).linear(0.8, 0).png().toBuffer());
          sent++;
        }
        dimDetectedAfter.push(sent < 300 ? sent : null);
      }
      log(`dimmed by 20%: brightness event after ${dimDetectedAfter.join(', ')} frames`);
    }

    const summary = {
      frames,
      cameras: options.cameras,
      events: raised.length,
      falseAlarmsPer1000Frames: Math.round((1000 * raised.length * 1000) / frames) / 1000,
      measures: raised.map((e) => e.measure),
      dimDetectedAfter,
      cpu: `${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}`,
    };
    console.log(JSON.stringify(summary));
  } finally {
    await server.close();
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
