/**
 * Products, their model versions and the active pointer, with the history of every activation.
 * Rollback walks that history like a stack: an activation pushes a version, a rollback pops the
 * current one, so repeated rollbacks go further back instead of toggling between two versions.
 */
import type { Manifest } from '../model/manifest.js';
import { ManifestSchema } from '../model/manifest.js';
import type { ModelPackage } from '../model/model-package.js';
import type { Db } from './database.js';

export interface ModelVersionRecord {
  id: number;
  productId: string;
  version: string;
  method: string;
  dir: string;
  manifest: Manifest;
  createdMs: number;
  registeredMs: number;
}

export interface ProductRecord {
  id: string;
  createdMs: number;
  activeModelId: number | null;
  /** The candidate version scoring live traffic in shadow mode, if any. */
  shadowModelId: number | null;
}

export type ActivationAction = 'startup' | 'activate' | 'rollback';

interface VersionRow {
  id: number;
  product_id: string;
  version: string;
  method: string;
  dir: string;
  manifest: string;
  created_ms: number;
  registered_ms: number;
}

interface ProductRow {
  id: string;
  created_ms: number;
  active_model_id: number | null;
  shadow_model_id: number | null;
}

const toVersion = (row: VersionRow): ModelVersionRecord => ({
  id: row.id,
  productId: row.product_id,
  version: row.version,
  method: row.method,
  dir: row.dir,
  manifest: ManifestSchema.parse(JSON.parse(row.manifest)),
  createdMs: row.created_ms,
  registeredMs: row.registered_ms,
});

const toProduct = (row: ProductRow): ProductRecord => ({
  id: row.id,
  createdMs: row.created_ms,
  activeModelId: row.active_model_id,
  shadowModelId: row.shadow_model_id,
});

export class ModelRegistryStore {
  constructor(private readonly db: Db) {}

  /**
   * Record a package found on disk (its product too, if new). A version already registered keeps
   * its id; its directory and manifest are refreshed from disk, which is the truth for packages.
   */
  registerPackage(pkg: ModelPackage, now = Date.now()): ModelVersionRecord {
    const { manifest } = pkg;
    return this.db.transaction(() => {
      this.ensureProduct(manifest.product, now);
      this.db
        .prepare(
          `INSERT INTO model_versions (product_id, version, method, dir, manifest, created_ms, registered_ms)
           VALUES (@product, @version, @method, @dir, @manifest, @created, @now)
           ON CONFLICT (product_id, version) DO UPDATE SET dir = excluded.dir, manifest = excluded.manifest, method = excluded.method`,
        )
        .run({
          product: manifest.product,
          version: manifest.version,
          method: manifest.method,
          dir: pkg.dir,
          manifest: JSON.stringify(manifest),
          created: Date.parse(manifest.createdAt) || now,
          now,
        });
      return this.versionByName(manifest.product, manifest.version) as ModelVersionRecord;
    })();
  }

  /** Record a product before it has a model (its first training job). */
  ensureProduct(id: string, now = Date.now()): void {
    this.db.prepare('INSERT INTO products (id, created_ms) VALUES (?, ?) ON CONFLICT (id) DO NOTHING').run(id, now);
  }

  /** Point the product's shadow slot at `versionId`, or empty it (inside a caller's transaction, a savepoint). */
  setShadow(productId: string, versionId: number | null): void {
    this.db.transaction(() => {
      const version = versionId === null ? null : this.version(versionId);
      if (versionId !== null && version?.productId !== productId) throw new Error(`model version ${versionId} does not belong to product ${productId}`);
      this.db.prepare('UPDATE products SET shadow_model_id = ? WHERE id = ?').run(versionId, productId);
    })();
  }

  product(id: string): ProductRecord | null {
    const row = this.db.prepare('SELECT * FROM products WHERE id = ?').get(id) as ProductRow | undefined;
    return row ? toProduct(row) : null;
  }

  products(): ProductRecord[] {
    return (this.db.prepare('SELECT * FROM products ORDER BY id').all() as ProductRow[]).map(toProduct);
  }

  version(id: number): ModelVersionRecord | null {
    const row = this.db.prepare('SELECT * FROM model_versions WHERE id = ?').get(id) as VersionRow | undefined;
    return row ? toVersion(row) : null;
  }

  versionByName(productId: string, version: string): ModelVersionRecord | null {
    const row = this.db.prepare('SELECT * FROM model_versions WHERE product_id = ? AND version = ?').get(productId, version) as VersionRow | undefined;
    return row ? toVersion(row) : null;
  }

  /** Versions of one product (or all), newest first. */
  versions(productId?: string): ModelVersionRecord[] {
    const rows = productId
      ? this.db.prepare('SELECT * FROM model_versions WHERE product_id = ? ORDER BY created_ms DESC, id DESC').all(productId)
      : this.db.prepare('SELECT * FROM model_versions ORDER BY product_id, created_ms DESC, id DESC').all();
    return (rows as VersionRow[]).map(toVersion);
  }

  /** Point the product at `versionId` and record why (inside a caller's transaction, a savepoint). */
  setActive(productId: string, versionId: number, action: ActivationAction, actorKeyId: number | null, now = Date.now()): void {
    this.db.transaction(() => {
      const version = this.version(versionId);
      if (!version || version.productId !== productId) throw new Error(`model version ${versionId} does not belong to product ${productId}`);
      this.db.prepare('UPDATE products SET active_model_id = ? WHERE id = ?').run(versionId, productId);
      this.db
        .prepare('INSERT INTO model_activations (product_id, model_version_id, action, actor_key_id, at_ms) VALUES (?, ?, ?, ?, ?)')
        .run(productId, versionId, action, actorKeyId, now);
    })();
  }

  /** The version a rollback returns to: the one below the current on the activation stack. */
  rollbackTarget(productId: string): ModelVersionRecord | null {
    const history = this.db
      .prepare('SELECT model_version_id AS id, action FROM model_activations WHERE product_id = ? ORDER BY id')
      .all(productId) as { id: number; action: ActivationAction }[];
    const stack: number[] = [];
    for (const entry of history) {
      if (entry.action === 'rollback') stack.pop();
      else if (stack.at(-1) !== entry.id) stack.push(entry.id);
    }
    const below = stack.at(-2);
    return below === undefined ? null : this.version(below);
  }
}
