/**
 * One drift window bounded by both limits of the settings: the last `window` inspections, within
 * a shift (`shiftHours`) of the newest. A line that stops for longer than a shift starts its next
 * shift with an empty window instead of comparing against the frames of the last one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DriftMonitor, type ObservedInspection } from '../../src/health/drift-monitor.js';
import { DEFAULT_LINE_HEALTH_SETTINGS, type LineHealthSettings } from '../../src/health/settings.js';
import { databasePath, openDatabase, type Db } from '../../src/store/database.js';
import { DriftEventStore } from '../../src/store/drift-events.js';

const HOUR_MS = 3_600_000;
const settings: LineHealthSettings = { ...DEFAULT_LINE_HEALTH_SETTINGS, drift: { ...DEFAULT_LINE_HEALTH_SETTINGS.drift, window: 20, shiftHours: 8 } };

let dir: string;
let db: Db;
let monitor: DriftMonitor;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-drift-window-'));
  db = openDatabase(databasePath(dir));
  monitor = new DriftMonitor({ db, registry: { version: () => null }, settings: { get: () => settings }, events: new DriftEventStore(db) });
});

afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

let serial = 0;
const frame = (createdMs: number): ObservedInspection => ({
  id: `01J${String(serial++).padStart(23, '0')}`,
  createdMs,
  productId: 'widget',
  line: 'L1',
  camera: 'c1',
  modelVersionId: 1,
  decision: 'OK',
  rawScore: 0.1,
  threshold: 0.5,
  quality: null,
});

const frames = () => monitor.health('widget')[0].frames;

describe('the drift window', () => {
  it('holds the last `window` inspections while they are within a shift', () => {
    const start = Date.UTC(2026, 0, 5, 6);
    for (let n = 0; n < 30; n++) monitor.observe(frame(start + n * 60_000));
    expect(frames()).toBe(20);
  });

  it('drops the inspections older than a shift before the newest, however few are left', () => {
    const start = Date.UTC(2026, 0, 5, 6);
    for (let n = 0; n < 30; n++) monitor.observe(frame(start + n * 60_000));
    // the line stood still for longer than a shift
    monitor.observe(frame(start + 9 * HOUR_MS));
    expect(frames()).toBe(1);
    // within the shift, the window fills again up to its length
    for (let n = 1; n < 25; n++) monitor.observe(frame(start + 9 * HOUR_MS + n * 60_000));
    expect(frames()).toBe(20);
  });
});
