/** Direct HTTPS with KENSA_TLS_CERT and KENSA_TLS_KEY: a self-signed certificate made at test time. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greyPng, startTestServer, type TestServer } from './harness.js';

let certDir: string;
let ca: Buffer;
let server: TestServer;

beforeAll(async () => {
  certDir = await mkdtemp(path.join(os.tmpdir(), 'kensa-tls-'));
  const cert = path.join(certDir, 'cert.pem');
  const key = path.join(certDir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  ca = await readFile(cert);
  server = await startTestServer({ config: { tlsCert: cert, tlsKey: key } });
});
afterAll(async () => {
  await server?.dispose();
  await rm(certDir, { recursive: true, force: true });
});

/** One request over HTTPS that trusts only the test's certificate. */
function send(route: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${route}`, { method: options.method ?? 'GET', headers: options.headers, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('direct HTTPS', () => {
  it('serves on an https:// URL', () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers /healthz with the configured certificate', async () => {
    const response = await send('/healthz');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  });

  it('inspects an image', async () => {
    const response = await send('/api/v1/inspect?product=widget', {
      method: 'POST',
      headers: { authorization: `Bearer ${server.keys.camera}`, 'content-type': 'image/png' },
      body: await greyPng(32, 32, 128),
    });
    expect(response.status, response.body).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ product: 'widget', decision: 'OK' });
  });

  it('does not speak plain HTTP on the same port', async () => {
    await expect(fetch(`${server.url.replace('https:', 'http:')}/healthz`)).rejects.toThrow();
  });
});
