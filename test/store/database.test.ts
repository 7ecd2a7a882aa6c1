/** The SQLite database: pragmas, versioned migrations, and the model registry's activation stack. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { ModelRegistryStore } from '../../src/store/model-registry.js';
import { fixtureManifest } from '../helpers/fixture-model.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-db-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('openDatabase', () => {
  it('uses WAL, a busy timeout and foreign keys, and migrates to the latest version', () => {
    const db = openDatabase(path.join(dir, 'kensa.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual([
      'api_keys',
      'audit_log',
      'blobs',
      'drift_events',
      'good_set_images',
      'inspection_rollups',
      'inspections',
      'legal_holds',
      'line_health_settings',
      'model_activations',
      'model_evaluations',
      'model_versions',
      'outbox',
      'part_records',
      'product_views',
      'products',
      'review_queue',
      'reviews',
      'shadow_results',
      'sinks',
      'threshold_overrides',
      'training_job_events',
      'training_jobs',
    ]);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'inspections' AND name NOT LIKE 'sqlite_%'").pluck().all();
    expect(indexes).toEqual(
      expect.arrayContaining(['inspections_by_product', 'inspections_by_decision', 'inspections_by_review', 'inspections_by_time', 'inspections_by_part', 'inspections_by_lot']),
    );
    db.close();
  });

  it('applies each migration once, also when opened again or by two connections', () => {
    const file = path.join(dir, 'kensa.db');
    const extra = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'test', sql: 'CREATE TABLE extra (x INTEGER)' }];
    const a = openDatabase(file, extra);
    const b = openDatabase(file, extra);
    expect(schemaVersion(b)).toBe(extra.length);
    a.close();
    b.close();
    const again = openDatabase(file, extra);
    expect(again.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'extra'").pluck().get()).toBe(1);
    again.close();
  });

  it('refuses a database from a newer kensa', () => {
    const file = path.join(dir, 'kensa.db');
    openDatabase(file, [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'future', sql: 'SELECT 1' }]).close();
    expect(() => openDatabase(file)).toThrow(/newer than this kensa knows/);
  });

  it('enforces foreign keys', () => {
    const db = openDatabase(path.join(dir, 'kensa.db'));
    expect(() => db.prepare('INSERT INTO reviews (inspection_id, verdict, created_ms) VALUES (?, ?, ?)').run('nope', 'ok', 1)).toThrow(/FOREIGN KEY/);
    db.close();
  });
});

describe('ModelRegistryStore', () => {
  it('rolls back like a stack, skipping repeated activations', () => {
    const db = openDatabase(path.join(dir, 'kensa.db'));
    const registry = new ModelRegistryStore(db);
    const register = (version: string) => registry.registerPackage({ dir: path.join(dir, version), modelPath: '', manifest: fixtureManifest({ version }) });
    const [v1, v2, v3] = ['v1', 'v2', 'v3'].map(register);
    expect(register('v2').id).toBe(v2.id); // registering again keeps the id

    registry.setActive('widget', v1.id, 'startup', null);
    expect(registry.rollbackTarget('widget')).toBeNull();
    registry.setActive('widget', v2.id, 'activate', null);
    registry.setActive('widget', v2.id, 'activate', null);
    registry.setActive('widget', v3.id, 'activate', null);
    expect(registry.rollbackTarget('widget')?.version).toBe('v2');
    registry.setActive('widget', v2.id, 'rollback', null);
    expect(registry.rollbackTarget('widget')?.version).toBe('v1');
    registry.setActive('widget', v1.id, 'rollback', null);
    expect(registry.rollbackTarget('widget')).toBeNull();
    expect(registry.product('widget')?.activeModelId).toBe(v1.id);
    expect(registry.versions('widget').map((v) => v.version)).toHaveLength(3);
    db.close();
  });
});
