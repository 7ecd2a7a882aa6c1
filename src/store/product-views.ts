/**
 * Multi-view products: a product whose parts several cameras see, each from its own view (top,
 * side-left, ...). Each view is scored by the active model of a product of its own (a camera's
 * picture of the top looks nothing like one of the side), by default the product itself. The
 * inspections of one part's views are gathered into a part record (see parts.ts) within the
 * product's timeout.
 */
import type { Db } from './database.js';

export interface ViewSpec {
  name: string;
  /** The product whose active model scores this view. */
  product: string;
}

export interface ProductViews {
  productId: string;
  /** In the order the product declares them. */
  views: ViewSpec[];
  /** How long a part's pass stays open for its views before it is closed as incomplete. */
  timeoutMs: number;
  updatedByKeyId: number | null;
  updatedMs: number;
}

interface Row {
  product_id: string;
  views: string;
  timeout_ms: number;
  updated_by_key_id: number | null;
  updated_ms: number;
}

const toViews = (row: Row): ProductViews => ({
  productId: row.product_id,
  views: JSON.parse(row.views) as ViewSpec[],
  timeoutMs: row.timeout_ms,
  updatedByKeyId: row.updated_by_key_id,
  updatedMs: row.updated_ms,
});

export class ProductViewStore {
  private readonly byProduct;

  constructor(private readonly db: Db) {
    this.byProduct = db.prepare('SELECT * FROM product_views WHERE product_id = ?');
  }

  /** The product's views; null when it declares none (a single-view product). */
  get(productId: string): ProductViews | null {
    const row = this.byProduct.get(productId) as Row | undefined;
    return row ? toViews(row) : null;
  }

  /** Declares the product's views (replacing earlier ones); no views makes it a single-view product again. */
  set(productId: string, views: ViewSpec[], timeoutMs: number, actorKeyId: number | null, now = Date.now()): ProductViews | null {
    if (views.length === 0) {
      this.db.prepare('DELETE FROM product_views WHERE product_id = ?').run(productId);
      return null;
    }
    this.db
      .prepare(
        `INSERT INTO product_views (product_id, views, timeout_ms, updated_by_key_id, updated_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (product_id) DO UPDATE SET views = excluded.views, timeout_ms = excluded.timeout_ms,
           updated_by_key_id = excluded.updated_by_key_id, updated_ms = excluded.updated_ms`,
      )
      .run(productId, JSON.stringify(views), timeoutMs, actorKeyId, now);
    return this.get(productId);
  }
}
