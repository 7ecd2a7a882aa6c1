/** Per-product line-health settings (src/health/settings.ts), cached: they are read on every inspection. */
import { DEFAULT_LINE_HEALTH_SETTINGS, LineHealthSettingsSchema, type LineHealthSettings } from '../health/settings.js';
import type { Db } from './database.js';

export class LineHealthSettingsStore {
  private readonly cache = new Map<string, LineHealthSettings>();

  constructor(private readonly db: Db) {}

  get(productId: string): LineHealthSettings {
    let settings = this.cache.get(productId);
    if (!settings) {
      const text = this.db.prepare('SELECT settings FROM line_health_settings WHERE product_id = ?').pluck().get(productId) as string | undefined;
      // parsed again, so settings written by an older version gain the fields added since
      settings = text === undefined ? DEFAULT_LINE_HEALTH_SETTINGS : LineHealthSettingsSchema.parse(JSON.parse(text));
      this.cache.set(productId, settings);
    }
    return settings;
  }

  set(productId: string, settings: LineHealthSettings, actorKeyId: number | null, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO line_health_settings (product_id, settings, updated_by_key_id, updated_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (product_id) DO UPDATE SET settings = excluded.settings, updated_by_key_id = excluded.updated_by_key_id, updated_ms = excluded.updated_ms`,
      )
      .run(productId, JSON.stringify(settings), actorKeyId, now);
    this.cache.set(productId, settings);
  }
}
