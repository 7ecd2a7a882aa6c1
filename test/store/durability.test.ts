/**
 * An answered inspection survives a power cut: its blob files are flushed before they are renamed
 * into place (and their directory after), and a commit flushes SQLite's write-ahead log. So does an
 * answered addition to a good set: the copy, its new folders and its name. A power
 * cut cannot be staged in a test, so the system calls that make this true are traced with strace.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = path.join(import.meta.dirname, 'fixtures', 'durable-writes.ts');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-durable-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

interface Call {
  name: string;
  /** The path strace printed for the fd argument (-y), or the rename's source and destination. */
  paths: string[];
}

/** fsync / fdatasync / rename / unlink calls of every thread, in order, from an `strace -f -y` log. */
function parseTrace(log: string): Call[] {
  const calls: Call[] = [];
  for (const line of log.split('\n')) {
    const match = /^\d+\s+(fsync|fdatasync|rename|renameat|renameat2|unlink|unlinkat)\((.*)\)\s+=\s+0/.exec(line);
    if (!match) continue;
    const paths = [...match[2].matchAll(/<([^>]+)>|"([^"]+)"/g)].map((m) => m[1] ?? m[2]);
    calls.push({ name: match[1], paths });
  }
  return calls;
}

/** The calls between the fsyncs of the two marker files. */
function phase(calls: Call[], begin: string, end: string): Call[] {
  const isMarker = (name: string) => (call: Call) => call.name === 'fsync' && call.paths[0]?.endsWith(`/${name}`);
  return calls.slice(calls.findIndex(isMarker(begin)) + 1, calls.findIndex(isMarker(end)));
}

/** The durable-writes script run under strace: its calls, in order. */
async function traceScript(): Promise<Call[]> {
  const traceFile = path.join(dir, 'trace.log');
  await run('strace', ['-f', '-y', '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2,unlink,unlinkat', '-o', traceFile, process.execPath, '--import', 'tsx', script, dir]);
  return parseTrace(await readFile(traceFile, 'utf8'));
}

const isFlush = (call: Call) => call.name === 'fsync' || call.name === 'fdatasync';

describe('durability of answered inspections', () => {
  it('flushes a blob before renaming it into place and its directory after, and flushes the WAL at commit', async () => {
    const calls = await traceScript();

    const blob = phase(calls, 'blob-begin', 'blob-end');
    const renameAt = blob.findIndex((call) => call.name.startsWith('rename') && call.paths[0].includes('.tmp-'));
    expect(renameAt, JSON.stringify(blob)).toBeGreaterThanOrEqual(0);
    const [temp, final] = blob[renameAt].paths;
    const flushed = (file: string) => (call: Call) => isFlush(call) && call.paths[0] === file;
    expect(blob.slice(0, renameAt).some(flushed(temp)), 'data flushed before the rename').toBe(true);
    expect(blob.slice(renameAt + 1).some(flushed(path.dirname(final))), 'directory flushed after the rename').toBe(true);

    const commit = phase(calls, 'commit-begin', 'commit-end');
    expect(commit.some((call) => isFlush(call) && call.paths[0].endsWith('kensa.db-wal')), JSON.stringify(commit)).toBe(true);
  });
});

describe('durability of good-set additions', () => {
  it('flushes the copy before renaming it into place, its directory after, and the folders it created', async () => {
    const adding = phase(await traceScript(), 'good-set-add-begin', 'good-set-add-end');
    const renameAt = adding.findIndex((call) => call.name.startsWith('rename') && call.paths[1]?.endsWith('/good-sets/widget/01JAAAAAAAAAAAAAAAAAAAAAAA.png'));
    expect(renameAt, JSON.stringify(adding)).toBeGreaterThanOrEqual(0);
    const [temp, final] = adding[renameAt].paths;
    const flushed = (file: string) => (call: Call) => isFlush(call) && call.paths[0] === file;
    expect(adding.slice(0, renameAt).some(flushed(temp)), 'copy flushed before the rename').toBe(true);
    expect(adding.slice(renameAt + 1).some(flushed(path.dirname(final))), 'directory flushed after the rename').toBe(true);
    // good-sets/ and good-sets/widget/ are new: each one's name is flushed in its parent
    expect(adding.slice(0, renameAt).some(flushed(dir)), JSON.stringify(adding)).toBe(true);
    expect(adding.slice(0, renameAt).some(flushed(path.join(dir, 'good-sets'))), JSON.stringify(adding)).toBe(true);
  });
});

describe('durability of removals', () => {
  it('flushes the directory after removing a file (a good-set image taken out)', async () => {
    const removal = phase(await traceScript(), 'remove-begin', 'remove-end');
    const unlinkAt = removal.findIndex((call) => call.name.startsWith('unlink') && call.paths.some((file) => file.endsWith('/good-set/taken-out.png')));
    expect(unlinkAt, JSON.stringify(removal)).toBeGreaterThanOrEqual(0);
    expect(removal.slice(unlinkAt + 1).some((call) => isFlush(call) && call.paths[0] === path.join(dir, 'good-set')), JSON.stringify(removal)).toBe(true);
  });
});
