/**
 * The model each product answers with, loaded and warm in the executor. Requests lease the
 * active model for their whole life (decoding uses its input size, the batch runs on its session).
 * Activation is a hot swap: the new version is loaded and warmed first, then the pointer moves in
 * one synchronous step together with the database (so no request sees a half-switched state), and
 * the old version is released when its last lease ends. Switches of one product are serialized.
 */
import type { Logger } from 'pino';
import type { AuditLog } from '../store/audit-log.js';
import type { Db } from '../store/database.js';
import type { ActivationAction, ModelRegistryStore, ModelVersionRecord } from '../store/model-registry.js';
import type { InferenceExecutor } from './inference/executor.js';
import { HttpProblem, problems } from './problem.js';

export interface ServingModel {
  /** The executor's key for this load of the version. */
  readonly key: string;
  readonly record: ModelVersionRecord;
  leases: number;
  retired: boolean;
}

interface ProductState {
  active: ServingModel | null;
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
  logger: Logger;
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
      const state: ProductState = { active: null, failed: null };
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
        state.failed = { version: record.version, error: messageOf(error) };
        logger.error({ product: product.id, version: record.version, err: error }, 'could not load the active model');
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

  release(model: ServingModel): void {
    model.leases--;
    if (model.retired && model.leases === 0) void this.unload(model);
  }

  /** Make `record` the product's active version (no-op if it already is). Returns the previous one. */
  activate(record: ModelVersionRecord, action: Exclude<ActivationAction, 'startup'>, actorKeyId: number | null): Promise<ModelVersionRecord | null> {
    const productId = record.productId;
    const previousSwitch = this.switching.get(productId) ?? Promise.resolve();
    const run = previousSwitch.then(
      () => this.swap(record, action, actorKeyId),
      () => this.swap(record, action, actorKeyId),
    );
    this.switching.set(productId, run);
    return run;
  }

  status(): ProductStatus[] {
    return [...this.products].map(([id, state]) => ({
      id,
      activeVersion: state.active?.record.version ?? state.failed?.version ?? null,
      loaded: state.active !== null,
      error: state.failed?.error ?? null,
    }));
  }

  private async swap(record: ModelVersionRecord, action: 'activate' | 'rollback', actorKeyId: number | null): Promise<ModelVersionRecord | null> {
    const { db, registry, audit, logger } = this.deps;
    let state = this.products.get(record.productId);
    if (!state) {
      state = { active: null, failed: null };
      this.products.set(record.productId, state);
    }
    const previous = state.active;
    if (previous?.record.id === record.id) return previous.record;

    const next = await this.load(record).catch((error: unknown) => {
      throw new HttpProblem(422, 'model-load-failed', 'The model could not be loaded', `${record.productId}/${record.version}: ${messageOf(error)}`);
    });
    // From here to the pointer switch nothing awaits: requests see the old or the new model.
    try {
      db.transaction(() => {
        registry.setActive(record.productId, record.id, action, actorKeyId);
        audit.record({
          actorKeyId,
          action: `model.${action}`,
          target: `${record.productId}/${record.version}`,
          detail: { product: record.productId, version: record.version, previousVersion: previous?.record.version ?? null },
        });
      })();
    } catch (error) {
      await this.unload(next);
      throw error;
    }
    state.active = next;
    state.failed = null;
    logger.info({ product: record.productId, version: record.version, previousVersion: previous?.record.version ?? null, action }, 'active model switched');
    if (previous) {
      previous.retired = true;
      if (previous.leases === 0) await this.unload(previous);
    }
    return previous?.record ?? null;
  }

  private async load(record: ModelVersionRecord): Promise<ServingModel> {
    const key = `${record.productId}/${record.version}#${++this.loads}`;
    await this.deps.executor.load(key, record.dir);
    return { key, record, leases: 0, retired: false };
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
