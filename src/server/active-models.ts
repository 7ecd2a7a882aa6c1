/**
 * The model each product answers with, loaded and warm in the executor. Requests lease the
 * active model for their whole life (decoding uses its input size, the batch runs on its session).
 * Activation is a hot swap: the new version is loaded and warmed first, then the pointer moves in
 * one synchronous step together with the database (so no request sees a half-switched state), and
 * the old version is released when its last lease ends. Switches of one product are serialized.
 * A product may also have a shadow version, loaded the same way, that scores live images beside
 * the active one without deciding; a promoted shadow becomes the active version as it is.
 */
import type { Logger } from 'pino';
import { effectiveImageThreshold } from '../jobs/calibration-override.js';
import type { Threshold } from '../model/manifest.js';
import type { AuditLog } from '../store/audit-log.js';
import type { Db } from '../store/database.js';
import type { ActivationAction, ModelRegistryStore, ModelVersionRecord } from '../store/model-registry.js';
import type { ThresholdOverrideStore } from '../store/threshold-overrides.js';
import type { InferenceExecutor } from './inference/executor.js';
import { HttpProblem, problems } from './problem.js';
import { withoutPaths } from './without-paths.js';

export interface ServingModel {
  /** The executor's key for this load of the version. */
  readonly key: string;
  readonly record: ModelVersionRecord;
  leases: number;
  retired: boolean;
  /** The image threshold in force: the manifest's, or a re-calibration of it. */
  imageThreshold: Threshold;
}

interface ProductState {
  active: ServingModel | null;
  /** A candidate scoring live traffic beside the active version, deciding nothing. */
  shadow: ServingModel | null;
  /** The active version that could not be loaded, and why. */
  failed: { version: string; error: string } | null;
}

export interface ProductStatus {
  id: string;
  activeVersion: string | null;
  loaded: boolean;
  error: string | null;
}

export interface Dependencies {
  db: Db;
  executor: InferenceExecutor;
  registry: ModelRegistryStore;
  audit: AuditLog;
  thresholds: ThresholdOverrideStore;
  logger: Logger;
  /** Load errors name files in here; answers show them relative to it. */
  modelsDir: string;
}

export class ActiveModels {
  private readonly products = new Map<string, ProductState>();
  private readonly switching = new Map<string, Promise<unknown>>();
  private loads = 0;

  constructor(private readonly deps: Dependencies) {}

  /** Load every product's active version; a product with versions but none active gets its newest. */
  async start(): Promise<void> {
    const { registry, logger } = this.deps;
    for (const product of registry.products()) {
      const state: ProductState = { active: null, shadow: null, failed: null };
      this.products.set(product.id, state);
      let record = product.activeModelId === null ? null : registry.version(product.activeModelId);
      if (!record) {
        record = registry.versions(product.id)[0] ?? null;
        if (!record) continue;
        registry.setActive(product.id, record.id, 'startup', null);
        logger.info({ product: product.id, version: record.version }, 'activated the newest model version of a product that had none');
      }
      try {
        state.active = await this.load(record);
      } catch (error) {
        state.failed = { version: record.version, error: this.publicMessage(error) };
        logger.error({ product: product.id, version: record.version, err: error }, 'could not load the active model');
      }
      const shadow = product.shadowModelId === null ? null : registry.version(product.shadowModelId);
      if (shadow) {
        state.shadow = await this.load(shadow).catch((error: unknown) => {
          logger.error({ product: product.id, version: shadow.version, err: error }, 'could not load the shadow model; shadow scoring is off');
          registry.setShadow(product.id, null);
          return null;
        });
      }
    }
  }

  /** The product's active model; throws the 404/409/503 problem when there is none. */
  servable(productId: string): ServingModel {
    const state = this.products.get(productId);
    if (state?.active) return state.active;
    if (!this.deps.registry.product(productId)) throw problems.unknownProduct(productId, this.deps.registry.products().map((p) => p.id));
    if (state?.failed) throw problems.modelUnavailable(productId, state.failed.error);
    throw problems.noActiveModel(productId);
  }

  /** Lease the product's active model until `release`: it stays loaded even if replaced meanwhile. */
  acquire(productId: string): ServingModel {
    const model = this.servable(productId);
    model.leases++;
    return model;
  }

  hasShadow(productId: string): boolean {
    return Boolean(this.products.get(productId)?.shadow);
  }

  /** Lease the product's shadow model, if it has one (released with `release`). */
  acquireShadow(productId: string): ServingModel | null {
    const shadow = this.products.get(productId)?.shadow ?? null;
    if (shadow) shadow.leases++;
    return shadow;
  }

  release(model: ServingModel): void {
    model.leases--;
    if (model.retired && model.leases === 0) void this.unload(model);
  }

  /** Make `record` the product's active version (no-op if it already is). Returns the previous one. */
  activate(record: ModelVersionRecord, action: Exclude<ActivationAction, 'startup'>, actorKeyId: number | null, reason: string | null = null): Promise<ModelVersionRecord | null> {
    return this.serialized(record.productId, () => this.swap(record, action, actorKeyId, reason));
  }

  /** Start shadow scoring with `record` (loaded and warmed first), or stop it with null. Audited. */
  setShadow(productId: string, record: ModelVersionRecord | null, actorKeyId: number | null, reason: string): Promise<void> {
    return this.serialized(productId, async () => {
      const { db, registry, audit, logger } = this.deps;
      const state = this.stateOf(productId);
      if (record && registry.product(productId)?.activeModelId === record.id) {
        throw new HttpProblem(409, 'shadow-is-active', 'The version is the active one', `${productId}/${record.version} is the active version; a shadow must be another version.`);
      }
      const previous = state.shadow;
      if ((previous?.record.id ?? null) === (record?.id ?? null)) return;
      const next = record ? await this.loadOrRefuse(record) : null;
      db.transaction(() => {
        registry.setShadow(productId, record?.id ?? null);
        audit.record({
          actorKeyId,
          action: record ? 'model.shadow.start' : 'model.shadow.stop',
          target: `${productId}/${(record ?? previous?.record)?.version ?? '-'}`,
          detail: { product: productId, version: record?.version ?? null, previousVersion: previous?.record.version ?? null, reason },
        });
      })();
      state.shadow = next;
      logger.info({ product: productId, version: record?.version ?? null, previousVersion: previous?.record.version ?? null }, 'shadow model switched');
      if (previous) await this.retire(previous);
    });
  }

  /** Apply the version's current threshold override (or its removal) to its loaded models. */
  refreshThreshold(record: ModelVersionRecord): void {
    for (const state of this.products.values()) {
      for (const model of [state.active, state.shadow]) if (model?.record.id === record.id) model.imageThreshold = effectiveImageThreshold(record, this.deps.thresholds);
    }
  }

  status(): ProductStatus[] {
    return [...this.products].map(([id, state]) => ({
      id,
      activeVersion: state.active?.record.version ?? state.failed?.version ?? null,
      loaded: state.active !== null,
      error: state.failed?.error ?? null,
    }));
  }

  /** Switches of one product run one after another. */
  private serialized<T>(productId: string, task: () => Promise<T>): Promise<T> {
    const previousSwitch = this.switching.get(productId) ?? Promise.resolve();
    const run = previousSwitch.then(task, task);
    this.switching.set(productId, run);
    return run;
  }

  private stateOf(productId: string): ProductState {
    let state = this.products.get(productId);
    if (!state) {
      state = { active: null, shadow: null, failed: null };
      this.products.set(productId, state);
    }
    return state;
  }

  private async swap(record: ModelVersionRecord, action: 'activate' | 'rollback', actorKeyId: number | null, reason: string | null): Promise<ModelVersionRecord | null> {
    const { db, registry, audit, logger } = this.deps;
    const state = this.stateOf(record.productId);
    const previous = state.active;
    if (previous?.record.id === record.id) return previous.record;
    // A candidate promoted from shadow mode is loaded and warm already; it stops shadowing and decides.
    const shadow = state.shadow?.record.id === record.id ? state.shadow : null;

    const next = shadow ?? (await this.loadOrRefuse(record));
    // From here to the pointer switch nothing awaits: requests see the old or the new model.
    try {
      db.transaction(() => {
        registry.setActive(record.productId, record.id, action, actorKeyId);
        if (shadow) registry.setShadow(record.productId, null);
        audit.record({
          actorKeyId,
          action: `model.${action}`,
          target: `${record.productId}/${record.version}`,
          detail: { product: record.productId, version: record.version, previousVersion: previous?.record.version ?? null, reason },
        });
      })();
    } catch (error) {
      if (!shadow) await this.unload(next);
      throw error;
    }
    state.active = next;
    state.failed = null;
    if (shadow) state.shadow = null;
    logger.info({ product: record.productId, version: record.version, previousVersion: previous?.record.version ?? null, action, reason }, 'active model switched');
    if (previous) await this.retire(previous);
    return previous?.record ?? null;
  }

  private async load(record: ModelVersionRecord): Promise<ServingModel> {
    const key = `${record.productId}/${record.version}#${++this.loads}`;
    await this.deps.executor.load(key, record.dir);
    return { key, record, leases: 0, retired: false, imageThreshold: effectiveImageThreshold(record, this.deps.thresholds) };
  }

  /** Loads `record` for a switch, or refuses it with 422; the log has the error with its paths. */
  private async loadOrRefuse(record: ModelVersionRecord): Promise<ServingModel> {
    try {
      return await this.load(record);
    } catch (error) {
      this.deps.logger.error({ product: record.productId, version: record.version, err: error }, 'could not load a model version');
      throw new HttpProblem(422, 'model-load-failed', 'The model could not be loaded', `${record.productId}/${record.version}: ${this.publicMessage(error)}`);
    }
  }

  /** A load error as HTTP answers may tell it: without the server's paths. */
  private publicMessage(error: unknown): string {
    return withoutPaths(messageOf(error), this.deps.modelsDir);
  }

  /** Released now, or by its last lease. */
  private async retire(model: ServingModel): Promise<void> {
    model.retired = true;
    if (model.leases === 0) await this.unload(model);
  }

  private async unload(model: ServingModel): Promise<void> {
    try {
      await this.deps.executor.unload(model.key);
    } catch (error) {
      this.deps.logger.warn({ model: model.key, err: error }, 'could not release a retired model');
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
