/**
 * Finds the inspection logged for a request id: how an input that has no HTTP answer to wait for
 * (a hot folder) tells, after a restart, that a file was inspected and logged before the process
 * stopped. The image's hash narrows the search through its index.
 */
import type { Db } from './database.js';

export class RequestInspections {
  private readonly byRequest;

  constructor(db: Db) {
    this.byRequest = db.prepare<[string, string], { id: string }>(`SELECT id FROM inspections WHERE image_blob = ? AND json_extract(client, '$.requestId') = ?`);
  }

  /** The id of the inspection of the image `sha256` sent with `requestId`, or null. */
  find(sha256: string, requestId: string): string | null {
    return this.byRequest.get(sha256, requestId)?.id ?? null;
  }
}
