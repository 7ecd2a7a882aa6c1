/**
 * Drift watch: a rolling window per product, line and camera, fed by every logged inspection,
 * checked against the active model's reference (drift-checks.ts). A failed check opens a drift
 * event (stored and returned to the caller, whose transaction holds the inspection); the event is
 * resolved once the window is comfortably back within the limit, so a camera hovering at the
 * limit does not open and close events frame by frame.
 *
 * The windows live in memory. At a start they are restored from the inspection log for every
 * camera with inspections of its product's active model (the last window-plus-baseline rows per
 * camera), so the dashboard does not go blank; a camera first seen later is loaded the same way.
 * A window holds one model version's inspections (a new version has another reference and
 * another score scale, so its window starts empty). When the transaction that observed an
 * inspection rolls back, `forget` puts the camera back as the log has it.
 */
import type { ModelRegistryStore } from '../store/model-registry.js';
import type { Db } from '../store/database.js';
import { cameraKeyOf, type CameraKey, type DriftEvent, type DriftEventMeasure, type DriftEventStore } from '../store/drift-events.js';
import type { NewInspection } from '../store/inspections.js';
import type { LineHealthSettingsStore } from '../store/line-health-settings.js';
import { checkWindow, type DriftCheck, type Frame } from './drift-checks.js';
import { storedQuality } from './image-quality.js';
import type { LineReference } from './reference.js';
import type { DriftSettings } from './settings.js';

/** An open event is resolved when its statistic falls below this share of the limit. */
const RESOLVE_SHARE = 0.75;
/** The rollups' hourly resolution, and the shift setting's unit. */
const HOUR_MS = 3_600_000;
/** Checks per window length at most: a window of 5,000 is checked every 50 frames, bounding the work per inspection. */
const CHECKS_PER_WINDOW = 100;

interface CameraWindow {
  key: CameraKey;
  modelVersionId: number;
  frames: Frame[];
  /** NG calls of the inspections before the window, oldest first, at most the baseline's length. */
  baseline: boolean[];
  baselineNg: number;
  sinceCheck: number;
  checks: DriftCheck[];
}

export interface CameraHealth {
  key: CameraKey;
  modelVersionId: number;
  frames: number;
  windowSize: number;
  /** False for a model package without a reference: score and quality drift are unavailable. */
  referenceAvailable: boolean;
  /** The latest checks (none until the window is full). */
  checks: DriftCheck[];
  openEvents: DriftEvent[];
}

export interface DriftMonitorDeps {
  db: Db;
  registry: Pick<ModelRegistryStore, 'version'>;
  settings: Pick<LineHealthSettingsStore, 'get'>;
  events: DriftEventStore;
  /** Told of every check (the metrics' gauges). */
  onCheck?: (key: CameraKey, check: DriftCheck) => void;
}

/** What the monitor reads of an inspection. */
export type ObservedInspection = Pick<NewInspection, 'id' | 'createdMs' | 'productId' | 'line' | 'camera' | 'modelVersionId' | 'decision' | 'rawScore' | 'threshold' | 'quality'>;

const keyOf = (key: CameraKey) => `${key.productId}\u0000${key.line}\u0000${key.camera}`;
const eventKey = (key: CameraKey, measure: DriftEventMeasure) => `${keyOf(key)}\u0000${measure}`;

export class DriftMonitor {
  private readonly windows = new Map<string, CameraWindow>();
  private readonly open = new Map<string, DriftEvent>();
  private readonly references = new Map<number, LineReference | null>();
  private readonly recent;
  private readonly camerasOf;

  constructor(private readonly deps: DriftMonitorDeps) {
    for (const event of deps.events.openEvents()) this.open.set(eventKey(event, event.measure), event);
    this.recent = deps.db.prepare(
      `SELECT id, created_ms, decision, raw_score, threshold, brightness, contrast, focus, saturation, model_version_id FROM inspections
       WHERE product_id = @productId AND line IS @line AND camera IS @camera AND id IS NOT @exclude
       ORDER BY created_ms DESC, id DESC LIMIT @limit`,
    );
    // the hourly rollups name every camera a product has logged, without reading its inspections
    this.camerasOf = deps.db.prepare(`SELECT DISTINCT line, camera FROM inspection_rollups WHERE resolution_ms = ${HOUR_MS} AND product_id = ?`);
  }

  /** Restores the window of every camera of the product whose latest inspections are of `modelVersionId` (at a start). */
  restore(productId: string, modelVersionId: number): void {
    for (const { line, camera } of this.camerasOf.all(productId) as CameraKey[]) this.restoreWindow({ productId, line, camera }, modelVersionId);
  }

  /**
   * Adds an inspection to its camera's window and runs the checks when they are due; returns the
   * events it opened. Runs in the transaction that logs the inspection, so the window's reload
   * from the log sees the inspection itself (excluded: it is added here).
   */
  observe(inspection: ObservedInspection): DriftEvent[] {
    const key = cameraKeyOf(inspection);
    const settings = this.deps.settings.get(key.productId).drift;
    let window = this.windows.get(keyOf(key));
    if (!window || window.modelVersionId !== inspection.modelVersionId) {
      if (window) this.resolveAll(key, inspection.createdMs);
      window = this.load(key, inspection.modelVersionId, inspection.id);
      this.windows.set(keyOf(key), window);
    }
    window.frames.push(frameOf(inspection));
    trim(window, settings);

    if (window.frames.length < settings.window) return [];
    if (++window.sinceCheck < Math.max(1, Math.floor(settings.window / CHECKS_PER_WINDOW))) return [];
    window.sinceCheck = 0;
    return this.check(window).flatMap((check) => this.judge(key, window, check, inspection) ?? []);
  }

  /**
   * Puts the camera back as the store has it: its window reloaded from the log, its open events
   * re-read. For a transaction that observed an inspection and then rolled back.
   */
  forget(key: CameraKey): void {
    const window = this.windows.get(keyOf(key));
    this.windows.delete(keyOf(key));
    for (const [id, event] of this.open) if (keyOf(event) === keyOf(key)) this.open.delete(id);
    for (const event of this.deps.events.openEvents(key)) this.open.set(eventKey(event, event.measure), event);
    if (window) this.restoreWindow(key, window.modelVersionId);
  }

  /** Every camera with a window (restored at the start, or seen since), of one product (all products without one). */
  health(productId?: string): CameraHealth[] {
    return [...this.windows.values()]
      .filter((w) => productId === undefined || w.key.productId === productId)
      .map((w) => ({
        key: w.key,
        modelVersionId: w.modelVersionId,
        frames: w.frames.length,
        windowSize: this.deps.settings.get(w.key.productId).drift.window,
        referenceAvailable: this.reference(w.modelVersionId) !== null,
        checks: w.checks,
        openEvents: [...this.open.values()].filter((e) => keyOf(e) === keyOf(w.key)),
      }));
  }

  /** Open events by product (for the metrics). */
  openEvents(): DriftEvent[] {
    return [...this.open.values()];
  }

  /** The reference recorded in the version's package, or null for a package without one. */
  reference(modelVersionId: number): LineReference | null {
    if (!this.references.has(modelVersionId)) this.references.set(modelVersionId, this.deps.registry.version(modelVersionId)?.manifest.reference ?? null);
    return this.references.get(modelVersionId)!;
  }

  /** Runs the window's checks and keeps them for `health`. */
  private check(window: CameraWindow): DriftCheck[] {
    const settings = this.deps.settings.get(window.key.productId).drift;
    const baseline = window.baseline.length > 0 ? { ng: window.baselineNg, count: window.baseline.length } : null;
    window.checks = checkWindow(window.frames, baseline, this.reference(window.modelVersionId), settings);
    for (const check of window.checks) this.deps.onCheck?.(window.key, check);
    return window.checks;
  }

  /** Resolves the open event the check is back within, or opens the one it failed; returns an opened event. */
  private judge(key: CameraKey, window: CameraWindow, check: DriftCheck, inspection: ObservedInspection): DriftEvent | null {
    const id = eventKey(key, check.measure);
    const current = this.open.get(id);
    if (current) {
      if (check.statistic < RESOLVE_SHARE * check.limit) {
        this.deps.events.resolve(current.id, inspection.createdMs);
        this.open.delete(id);
      }
      return null;
    }
    if (check.statistic <= check.limit) return null;
    const event = this.deps.events.open({
      ...key,
      modelVersionId: window.modelVersionId,
      measure: check.measure,
      statistic: check.statistic,
      limit: check.limit,
      referenceValue: check.referenceValue,
      observedValue: check.observedValue,
      windowSize: check.sampleSize,
      recentFrames: check.recentFrames,
      sinceMs: check.sinceMs,
      detectedMs: inspection.createdMs,
      inspectionId: inspection.id,
    });
    this.open.set(id, event);
    return event;
  }

  private resolveAll(key: CameraKey, now: number): void {
    for (const [id, event] of this.open) {
      if (keyOf(event) !== keyOf(key)) continue;
      this.deps.events.resolve(event.id, now);
      this.open.delete(id);
    }
  }

  /** Loads the camera's window from the log, checked when full; a camera whose latest inspections are of another version has none. */
  private restoreWindow(key: CameraKey, modelVersionId: number): void {
    const window = this.load(key, modelVersionId, null, 0);
    if (window.frames.length === 0) return;
    this.windows.set(keyOf(key), window);
    if (window.frames.length >= this.deps.settings.get(key.productId).drift.window) this.check(window);
  }

  /**
   * The camera's latest inspections of `modelVersionId` from the log, but `exclude`: the window,
   * with room for `room` more frames, and the baseline before it.
   */
  private load(key: CameraKey, modelVersionId: number, exclude: string | null, room = 1): CameraWindow {
    const settings = this.deps.settings.get(key.productId).drift;
    const rows = this.recent.all({ productId: key.productId, line: key.line || null, camera: key.camera || null, exclude, limit: settings.window + settings.ngBaseline }) as Row[];
    const same = rows.findIndex((row) => row.model_version_id !== modelVersionId);
    const frames = (same === -1 ? rows : rows.slice(0, same)).reverse().map(rowFrame);
    const split = Math.max(0, frames.length - (settings.window - room));
    const baseline = frames.slice(0, split).map((f) => f.decision === 'NG');
    const window = { key, modelVersionId, frames: frames.slice(split), baseline, baselineNg: baseline.filter(Boolean).length, sinceCheck: 0, checks: [] };
    trim(window, settings);
    return window;
  }
}

/**
 * Bounds the window by both limits: the last `window` inspections within a shift (`shiftHours`)
 * of its newest one. Frames that leave join the NG baseline, which keeps its own length.
 */
function trim(window: CameraWindow, settings: DriftSettings): void {
  const newest = window.frames.at(-1);
  const oldest = newest ? newest.createdMs - settings.shiftHours * HOUR_MS : -Infinity;
  while (window.frames.length > settings.window || (window.frames.length > 0 && window.frames[0].createdMs < oldest)) {
    const left = window.frames.shift()!;
    window.baseline.push(left.decision === 'NG');
    if (left.decision === 'NG') window.baselineNg++;
  }
  while (window.baseline.length > settings.ngBaseline) if (window.baseline.shift()) window.baselineNg--;
}

interface Row {
  id: string;
  created_ms: number;
  decision: Frame['decision'];
  raw_score: number;
  threshold: number;
  brightness: number | null;
  contrast: number | null;
  focus: number | null;
  saturation: number | null;
  model_version_id: number;
}

const rowFrame = (row: Row): Frame => ({
  inspectionId: row.id,
  createdMs: row.created_ms,
  decision: row.decision,
  rawScore: row.raw_score,
  threshold: row.threshold,
  quality: storedQuality(row),
});

const frameOf = (inspection: ObservedInspection): Frame => ({
  inspectionId: inspection.id,
  createdMs: inspection.createdMs,
  decision: inspection.decision,
  rawScore: inspection.rawScore,
  threshold: inspection.threshold,
  quality: inspection.quality ?? null,
});
