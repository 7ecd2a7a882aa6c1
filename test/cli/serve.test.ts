/**
 * `kensa serve` on a fresh folder, as `npm start` runs it: the first admin key goes to a file and
 * never to the output, and the printed curl line works when pasted in a shell in that folder.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/util/free-port.js';
import { writeFixtureModel } from '../helpers/fixture-model.js';
import { greyPng } from '../server/harness.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(path.join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;

let folder: string;
let child: ChildProcess;
let output = '';

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'kensa-serve-'));
  await writeFixtureModel(path.join(folder, 'models'));
  await writeFile(path.join(folder, 'part.png'), await greyPng(32, 32, 128));
  const args = ['--import', TSX, path.join(REPO, 'src/cli/main.ts'), 'serve', '--host', '127.0.0.1', '--port', String(await freePort()), '--demo', 'false', '--threads', '1'];
  child = spawn(process.execPath, args, { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!output.includes('Inspect an image:')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 90_000);
afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await rm(folder, { recursive: true, force: true });
});

describe('the first start of kensa serve', () => {
  it('writes the admin key to .kensa/first-admin-key, readable by its owner only', async () => {
    const file = path.join(folder, '.kensa', 'first-admin-key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/^kensa_[0-9a-f]{10}_\S+\n$/);
    expect(output).toContain('an admin API key was created in .kensa/first-admin-key');
  });

  it('prints and logs no part of the key', async () => {
    const key = (await readFile(path.join(folder, '.kensa', 'first-admin-key'), 'utf8')).trim();
    expect(output).not.toContain(key);
    expect(output).not.toContain(key.split('_').slice(2).join('_'));
  });

  it('prints a curl line that inspects with that key when pasted in a shell in the folder', () => {
    const line = /^\s*(curl .*)$/m.exec(output)?.[1] ?? '';
    expect(line).toContain('-H "Authorization: Bearer $(cat .kensa/first-admin-key)"');
    // Without the demo the line names a placeholder product; the folder has the fixture's.
    const command = line.replace('product=<product>', 'product=widget');
    const answer = JSON.parse(execFileSync('bash', ['-c', `${command} --silent --show-error`], { cwd: folder, encoding: 'utf8' })) as { decision?: string };
    expect(answer.decision).toBe('OK');
  });
});
