/**
 * The migration that adds the trainer role rebuilds api_keys (SQLite changes a CHECK constraint
 * no other way): keys and the rows that reference them survive, and the constraints hold after.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ApiKeyStore } from '../../src/store/api-keys.js';
import { openDatabase } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'kensa-trainer-migration-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

it('keeps keys and their references, and then takes trainer keys', () => {
  const file = path.join(tmp, 'kensa.db');
  const trainerMigration = MIGRATIONS.findIndex((migration) => migration.name.startsWith('the trainer role'));
  const before = openDatabase(file, MIGRATIONS.slice(0, trainerMigration));
  const admin = new ApiKeyStore(before).create('admin', 'old admin');
  before.prepare("INSERT INTO audit_log (at_ms, actor_key_id, action, target, detail) VALUES (1, ?, 'test', 'x', '{}')").run(admin.record.id);
  expect(() => new ApiKeyStore(before).create('trainer', 'too early')).toThrow(/CHECK constraint failed/);
  before.close();

  const db = openDatabase(file);
  const keys = new ApiKeyStore(db);
  expect(keys.authenticate(admin.key)).toEqual(admin.record);
  expect(keys.create('trainer', 'new trainer').record.role).toBe('trainer');
  expect(db.prepare('SELECT actor_key_id FROM audit_log').all()).toEqual([{ actor_key_id: admin.record.id }]);
  expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  expect(() => db.prepare("INSERT INTO audit_log (at_ms, actor_key_id, action, target, detail) VALUES (2, 999, 'test', 'x', '{}')").run()).toThrow(/FOREIGN KEY/);
  expect(() => keys.create('root' as 'admin', 'no such role')).toThrow(/CHECK constraint failed/);
  db.close();
});
