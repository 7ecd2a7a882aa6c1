/**
 * Per camera (product, line, camera): its latest inspection and how many it has logged. The line's
 * outputs restore their last result from these at a start, and the count is a sequence number
 * that survives restarts (inspection rows are never deleted).
 */
import type { Decision } from '../model/loaded-model.js';
import type { Db } from './database.js';

export interface CameraResult {
  productId: string;
  line: string | null;
  camera: string | null;
  /** The latest inspection's id. */
  id: string;
  decision: Decision;
  score: number;
  modelVersion: string;
  createdMs: number;
  /** The camera's inspections so far, this one included. */
  sequence: number;
}

interface Row {
  product_id: string;
  line: string | null;
  camera: string | null;
  id: string;
  decision: Decision;
  score: number;
  version: string;
  created_ms: number;
  sequence: number;
}

export class CameraResultStore {
  private readonly latest;

  constructor(db: Db) {
    // SQLite takes the bare columns of an aggregate from the row that holds MAX().
    this.latest = db.prepare<[], Row>(
      `SELECT i.product_id, i.line, i.camera, MAX(i.created_ms) AS created_ms, i.id, i.decision, i.score, v.version, COUNT(*) AS sequence
       FROM inspections i JOIN model_versions v ON v.id = i.model_version_id
       GROUP BY i.product_id, i.line, i.camera`,
    );
  }

  latestPerCamera(): CameraResult[] {
    return this.latest.all().map((row) => ({
      productId: row.product_id,
      line: row.line,
      camera: row.camera,
      id: row.id,
      decision: row.decision,
      score: row.score,
      modelVersion: row.version,
      createdMs: row.created_ms,
      sequence: row.sequence,
    }));
  }
}
