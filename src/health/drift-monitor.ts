/**
 * Drift watch: a rolling window per product, line and camera, fed by every logged inspection,
 * checked against the active model's reference (drift-checks.ts). A failed check opens a drift
 * event (stored, counted in the metrics, logged, told to listeners); the event is resolved once
 * the window is comfortably back within the limit, so a camera hovering at the limit does not
 * open and close events frame by frame.
 *
 * The windows live in memory and are rebuilt from the inspection log the first time a camera is
 * seen after a start; a window holds one model version's inspections (a new version has another
 * reference and another score scale, so its window starts empty).
 */
import type { Logger } from 'pino';
import type { ModelRegistryStore } from '../store/model-registry.js';
import type { Db } from '../store/database.js';
import type { CameraKey, DriftEvent, DriftEventMeasure, DriftEventStore } from '../store/drift-events.js';
import type { InspectionRecord } from '../store/inspections.js';
import type { LineHealthSettingsStore } from '../store/line-health-settings.js';
import { checkWindow, type DriftCheck, type Frame } from './drift-checks.js';
import { storedQuality } from './image-quality.js';
import type { LineReference } from './reference.js';

/** An open event is resolved when its statistic falls below this share of the limit. */
const RESOLVE_SHARE = 0.75;
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
  logger: Logger;
  /** Told of each event opened, inside the transaction that stores it (the outbox's alert entries are written with it). */
  onEvent?: (event: DriftEvent) => void;
  /** Told of every check (the metrics' gauges). */
  onCheck?: (key: CameraKey, check: DriftCheck) => void;
}

const keyOf = (key: CameraKey) => `${key.productId}\u0000${key.line}\u0000${key.camera}`;
const eventKey = (key: CameraKey, measure: DriftEventMeasure) => `${keyOf(key)}\u0000${measure}`;

export class DriftMonitor {
  private readonly windows = new Map<string, CameraWindow>();
  private readonly open = new Map<string, DriftEvent>();
  private readonly references = new Map<number, LineReference | null>();
  private readonly recent;

  constructor(private readonly deps: DriftMonitorDeps) {
    for (const event of deps.events.openEvents()) this.open.set(eventKey(event, event.measure), event);
    this.recent = deps.db.prepare(
      `SELECT id, created_ms, decision, raw_score, threshold, brightness, contrast, focus, saturation, model_version_id FROM inspections
       WHERE product_id = @productId AND line IS @line AND camera IS @camera AND id <> @exclude
       ORDER BY created_ms DESC, id DESC LIMIT @limit`,
    );
  }

  /** Adds a logged inspection to its camera's window and runs the checks when they are due. */
  observe(inspection: InspectionRecord): void {
    const key: CameraKey = { productId: inspection.productId, line: inspection.line ?? '', camera: inspection.camera ?? '' };
    const settings = this.deps.settings.get(key.productId).drift;
    let window = this.windows.get(keyOf(key));
    if (!window || window.modelVersionId !== inspection.modelVersionId) {
      if (window) this.resolveAll(key, inspection.createdMs);
      window = this.load(key, inspection, settings.window + settings.ngBaseline);
      this.windows.set(keyOf(key), window);
    }
    window.frames.push(frameOf(inspection));
    const oldest = inspection.createdMs - settings.shiftHours * 3_600_000;
    while (window.frames.length > settings.window || (window.frames.length > 0 && window.frames[0].createdMs < oldest)) {
      const left = window.frames.shift()!;
      window.baseline.push(left.decision === 'NG');
      if (left.decision === 'NG') window.baselineNg++;
    }
    while (window.baseline.length > settings.ngBaseline) if (window.baseline.shift()) window.baselineNg--;

    if (window.frames.length < settings.window) return;
    if (++window.sinceCheck < Math.max(1, Math.floor(settings.window / CHECKS_PER_WINDOW))) return;
    window.sinceCheck = 0;
    const baseline = window.baseline.length > 0 ? { ng: window.baselineNg, count: window.baseline.length } : null;
    window.checks = checkWindow(window.frames, baseline, this.reference(window.modelVersionId), settings);
    for (const check of window.checks) this.judge(key, window, check, inspection);
  }

  /** Every camera seen since the start, of one product (all products without one). */
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

  private judge(key: CameraKey, window: CameraWindow, check: DriftCheck, inspection: InspectionRecord): void {
    this.deps.onCheck?.(key, check);
    const id = eventKey(key, check.measure);
    const current = this.open.get(id);
    if (current) {
      if (check.statistic < RESOLVE_SHARE * check.limit) {
        this.deps.events.resolve(current.id, inspection.createdMs);
        this.open.delete(id);
      }
      return;
    }
    if (check.statistic <= check.limit) return;
    const event = this.deps.db.transaction(() => {
      const opened = this.deps.events.open({
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
      this.deps.onEvent?.(opened);
      return opened;
    })();
    this.open.set(id, event);
    this.deps.logger.warn({ drift: { ...key, measure: event.measure, statistic: event.statistic, limit: event.limit, event: event.id } }, 'drift on a camera');
  }

  private resolveAll(key: CameraKey, now: number): void {
    for (const [id, event] of this.open) {
      if (keyOf(event) !== keyOf(key)) continue;
      this.deps.events.resolve(event.id, now);
      this.open.delete(id);
    }
  }

  /** The camera's latest inspections of the same model version, from the log: the window and its baseline. */
  private load(key: CameraKey, current: InspectionRecord, limit: number): CameraWindow {
    const rows = this.recent.all({ productId: key.productId, line: key.line || null, camera: key.camera || null, exclude: current.id, limit }) as Row[];
    const same = rows.findIndex((row) => row.model_version_id !== current.modelVersionId);
    const frames = (same === -1 ? rows : rows.slice(0, same)).reverse().map(rowFrame);
    const settings = this.deps.settings.get(key.productId).drift;
    const split = Math.max(0, frames.length - (settings.window - 1));
    const baseline = frames.slice(0, split).map((f) => f.decision === 'NG');
    return {
      key,
      modelVersionId: current.modelVersionId,
      frames: frames.slice(split),
      baseline,
      baselineNg: baseline.filter(Boolean).length,
      sinceCheck: 0,
      checks: [],
    };
  }
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

const frameOf = (inspection: InspectionRecord): Frame => ({
  inspectionId: inspection.id,
  createdMs: inspection.createdMs,
  decision: inspection.decision,
  rawScore: inspection.rawScore,
  threshold: inspection.threshold,
  quality: inspection.quality,
});
