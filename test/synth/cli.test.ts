/** `kensa synth` end to end, as a user runs it. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { listFiles, readPng } from './png.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const tmp = await mkdtemp(path.join(os.tmpdir(), 'kensa-synth-cli-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

const kensa = (...args: string[]) => run('npx', ['tsx', 'src/cli/main.ts', ...args], { cwd: repo });

describe('kensa synth', () => {
  it('writes a dataset and says where, quietly when stdout is not a terminal', async () => {
    const out = path.join(tmp, 'flange');
    const { stdout } = await kensa('synth', '--out', out, '--kind', 'flange', '--seed', '9', '--train', '2', '--test-good', '1', '--test-defect', '1', '--size', '64x48');
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stdout).toContain(`8 flange images (64x48, seed 9) in ${out}`);

    const files = await listFiles(out);
    expect(files).toContain('train/good/001.png');
    expect(files).toContain('ground_truth/missing/000_mask.png');
    expect(files.filter((f) => f.startsWith('test/'))).toHaveLength(6);
    const image = await readPng(path.join(out, 'test/missing/000.png'));
    expect([image.width, image.height, image.channels]).toEqual([64, 48, 3]);
    expect(JSON.parse(await readFile(path.join(out, 'dataset.json'), 'utf8')).seed).toBe(9);
  });

  it('generates strip at its line camera size when no size is given', async () => {
    const out = path.join(tmp, 'strip');
    const { stdout } = await kensa('synth', '--out', out, '--kind', 'strip', '--seed', '2', '--train', '1', '--test-good', '0', '--test-defect', '0');
    expect(stdout).toContain(`1 strip images (2048x768, seed 2) in ${out}`);
    const image = await readPng(path.join(out, 'train/good/000.png'));
    expect([image.width, image.height, image.channels]).toEqual([2048, 768, 1]);
  });

  it('rejects a malformed option with a message and a failing exit code', async () => {
    const failure = await kensa('synth', '--out', path.join(tmp, 'bad'), '--kind', 'metal', '--seed', '1', '--size', 'big').catch((error) => error);
    expect(failure.code).not.toBe(0);
    expect(failure.stderr).toContain('--size must be WxH');
  });
});
