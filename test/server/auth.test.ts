/** API keys and roles on every class of endpoint: 401 without a valid key, 403 without the role. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore, ROLES, type Role } from '../../src/store/api-keys.js';
import { databasePath, openDatabase } from '../../src/store/database.js';
import { greyPng, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
let inspectionId: string;

beforeAll(async () => {
  server = await startTestServer();
  const response = await send('POST', '/api/v1/inspect?product=widget', server.keys.camera, await greyPng(16, 16, 128));
  inspectionId = (await response.json()).id;
});
afterAll(() => server?.dispose());

async function send(method: string, route: string, key: string | null, body?: Buffer | object): Promise<Response> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  let payload: BodyInit | undefined;
  if (Buffer.isBuffer(body)) {
    headers['content-type'] = 'image/png';
    payload = new Uint8Array(body);
  } else if (body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  return fetch(`${server.url}${route}`, { method, headers, body: payload });
}

interface EndpointClass {
  name: string;
  allowed: Role[];
  call(key: string | null): Promise<Response>;
  /** The status an allowed key gets. */
  success: number;
}

const classes: EndpointClass[] = [
  { name: 'inspect', allowed: ['camera', 'admin'], success: 200, call: async (key) => send('POST', '/api/v1/inspect?product=widget', key, await greyPng(16, 16, 128)) },
  { name: 'read the log', allowed: ['qa', 'trainer', 'admin'], success: 200, call: (key) => send('GET', '/api/v1/inspections', key) },
  { name: 'read one inspection', allowed: ['qa', 'trainer', 'admin'], success: 200, call: (key) => send('GET', `/api/v1/inspections/${inspectionId}`, key) },
  { name: 'read a file', allowed: ['qa', 'trainer', 'admin'], success: 200, call: (key) => send('GET', `/api/v1/inspections/${inspectionId}/image`, key) },
  { name: 'review', allowed: ['qa', 'trainer', 'admin'], success: 201, call: (key) => send('POST', `/api/v1/inspections/${inspectionId}/review`, key, { verdict: 'ok' }) },
  { name: 'stats', allowed: ['qa', 'trainer', 'admin'], success: 200, call: (key) => send('GET', '/api/v1/stats', key) },
  { name: 'models', allowed: ['qa', 'trainer', 'admin'], success: 200, call: (key) => send('GET', '/api/v1/models', key) },
  { name: 'activate', allowed: ['admin'], success: 200, call: (key) => send('POST', '/api/v1/models/widget/v1/activate', key) },
  { name: 'audit log', allowed: ['admin'], success: 200, call: (key) => send('GET', '/api/v1/audit', key) },
  { name: 'metrics', allowed: ['admin'], success: 200, call: (key) => send('GET', '/metrics', key) },
];

describe.each(classes)('$name', (endpoint) => {
  it('is 401 without a key, with a malformed key and with an unknown key', async () => {
    for (const key of [null, 'not-a-key', 'kensa_0123456789_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      const response = await endpoint.call(key);
      expect(response.status, String(key)).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="kensa"');
    }
  });

  it.each(ROLES)('with a %s key', async (role) => {
    const response = await endpoint.call(server.keys[role]);
    if (endpoint.allowed.includes(role)) expect(response.status).toBe(endpoint.success);
    else {
      expect(response.status).toBe(403);
      expect((await response.json()).title).toBe('The API key lacks the role for this');
    }
  });
});

describe('keys', () => {
  it('a revoked key is refused at once', async () => {
    const db = openDatabase(databasePath(server.dataDir));
    const store = new ApiKeyStore(db);
    const { key, record } = store.create('camera', 'short-lived');
    expect((await classes[0].call(key)).status).toBe(200);
    expect(store.revoke(record.prefix)).toBe(true);
    db.close();
    expect((await classes[0].call(key)).status).toBe(401);
  });

  it('are stored hashed, never in clear', async () => {
    const db = openDatabase(databasePath(server.dataDir));
    const rows = db.prepare('SELECT * FROM api_keys').all() as Record<string, unknown>[];
    db.close();
    const dump = JSON.stringify(rows);
    for (const key of Object.values(server.keys)) {
      expect(dump).not.toContain(key);
      // The secret is everything after the prefix (base64url may itself contain '_').
      expect(dump).not.toContain(key.split('_').slice(2).join('_'));
    }
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(String(row.hash)))).toBe(true);
  });

  it('only the first start creates an admin key', async () => {
    expect(server.server.firstAdminKeyFile).toBe(path.join(server.dataDir, 'first-admin-key'));
    expect(server.keys.admin).toMatch(/^kensa_[0-9a-f]{10}_/);
    server = await server.restart();
    expect(server.server.firstAdminKeyFile).toBeNull();
  });

  it('public endpoints need no key', async () => {
    for (const route of ['/healthz', '/readyz', '/api/v1/openapi.json']) {
      expect((await send('GET', route, null)).status, route).toBe(200);
    }
  });
});
