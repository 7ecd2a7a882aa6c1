/**
 * A real kensa server for tests: fixture model packages in a temporary models directory, a
 * temporary data directory (real SQLite file), an ephemeral port, and one key per role.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import sharp from 'sharp';
import { loadServerConfig, type ServerConfigInput } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { ApiKeyStore, type Role } from '../../src/store/api-keys.js';
import { databasePath, openDatabase } from '../../src/store/database.js';
import { writeFixtureModel, type FixtureOptions } from '../helpers/fixture-model.js';

export interface TestServer {
  url: string;
  dataDir: string;
  modelsDir: string;
  keys: Record<Role, string>;
  server: RunningServer;
  /** Close and start again on the same directories and keys. */
  restart(config?: Partial<ServerConfigInput>): Promise<TestServer>;
  close(): Promise<void>;
  /** Close and delete the directories. */
  dispose(): Promise<void>;
}

export interface TestServerOptions {
  models?: FixtureOptions[];
  config?: Partial<ServerConfigInput>;
  /** Default: silent. */
  logger?: Logger;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'kensa-server-'));
  const modelsDir = path.join(root, 'models');
  const dataDir = path.join(root, 'data');
  for (const model of options.models ?? [{}]) await writeFixtureModel(modelsDir, model);
  return launch(root, modelsDir, dataDir, options.config ?? {}, null, options.logger ?? createLogger('silent'));
}

async function launch(root: string, modelsDir: string, dataDir: string, config: Partial<ServerConfigInput>, keys: Record<Role, string> | null, logger: Logger): Promise<TestServer> {
  const server = await startServer(loadServerConfig({ port: 0, host: '127.0.0.1', threads: 1, modelsDir, dataDir, ...config }, {}), { logger });
  let roleKeys = keys;
  if (!roleKeys) {
    if (!server.firstAdminKeyFile) throw new Error('a fresh data directory must yield a first admin key');
    const admin = (await readFile(server.firstAdminKeyFile, 'utf8')).trim();
    const db = openDatabase(databasePath(dataDir));
    const store = new ApiKeyStore(db);
    roleKeys = { admin, qa: store.create('qa', 'test qa').key, camera: store.create('camera', 'test camera').key, trainer: store.create('trainer', 'test trainer').key };
    db.close();
  }
  const finalKeys = roleKeys;
  const handle: TestServer = {
    url: server.url,
    dataDir,
    modelsDir,
    keys: finalKeys,
    server,
    restart: async (next = config) => {
      await server.close();
      return launch(root, modelsDir, dataDir, next, finalKeys, logger);
    },
    close: () => server.close(),
    dispose: async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
  return handle;
}

/** A PNG of one grey level (0..255), or with a white square spot at [x, y, size]. */
export async function greyPng(width: number, height: number, level: number, spot?: { x: number; y: number; size: number }): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3, level);
  if (spot) {
    for (let y = spot.y; y < spot.y + spot.size; y++) {
      for (let x = spot.x; x < spot.x + spot.size; x++) pixels.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

export interface InspectOptions {
  product?: string;
  line?: string;
  camera?: string;
  key?: string | null;
  /** More query parameters: traceability fields (part, lot, station, view, attr[name]). */
  params?: Record<string, string>;
  /** 'multipart' (field "image") or a raw body with this Content-Type. */
  as?: 'multipart' | string;
  field?: string;
}

export function inspect(server: TestServer, image: Uint8Array, options: InspectOptions = {}): Promise<Response> {
  const query = new URLSearchParams({ product: options.product ?? 'widget' });
  if (options.line) query.set('line', options.line);
  if (options.camera) query.set('camera', options.camera);
  for (const [name, value] of Object.entries(options.params ?? {})) query.set(name, value);
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? server.keys.camera : options.key;
  if (key) headers.authorization = `Bearer ${key}`;
  const as = options.as ?? 'multipart';
  let body: BodyInit;
  if (as === 'multipart') {
    const form = new FormData();
    form.append(options.field ?? 'image', new Blob([new Uint8Array(image)]), 'part.png');
    body = form;
  } else {
    headers['content-type'] = as;
    body = new Uint8Array(image);
  }
  return fetch(`${server.url}/api/v1/inspect?${query}`, { method: 'POST', headers, body });
}

/** Inspects `image` and returns the new inspection's id. */
export async function inspectionId(server: TestServer, image: Uint8Array, options: InspectOptions = {}): Promise<string> {
  const response = await inspect(server, image, options);
  if (response.status !== 200) throw new Error(`inspect answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

export function get(server: TestServer, route: string, role: Role | null = 'qa'): Promise<Response> {
  return fetch(`${server.url}${route}`, { headers: role ? { authorization: `Bearer ${server.keys[role]}` } : {} });
}

export function post(server: TestServer, route: string, body: unknown, role: Role | null = 'admin'): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (role) headers.authorization = `Bearer ${server.keys[role]}`;
  return fetch(`${server.url}${route}`, { method: 'POST', headers, body: JSON.stringify(body ?? {}) });
}
