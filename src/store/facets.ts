/**
 * The products, lines and cameras inspected since a time, with their inspection counts, added up
 * from the hourly rollups (migration 3) rather than counted row by row: what the query reads grows
 * with the hours asked for, not with the traffic, so a year of filter choices does not hold the
 * main thread. The range therefore starts on a whole hour.
 */
import type { Db } from './database.js';

/** The rollups' coarser bucket. */
const HOUR_MS = 3_600_000;

export interface FacetCombination {
  product: string;
  line: string | null;
  camera: string | null;
  inspections: number;
}

/** Every combination inspected from the hour holding `sinceMs` on; `sinceMs` is widened to that hour. */
export function inspectionFacets(db: Db, sinceMs: number): { sinceMs: number; combinations: FacetCombination[] } {
  const hour = Math.floor(sinceMs / HOUR_MS) * HOUR_MS;
  // the rollups keep "no line" and "no camera" as '' (see migration 3)
  const combinations = db
    .prepare(
      `SELECT product_id AS product, NULLIF(line, '') AS line, NULLIF(camera, '') AS camera, SUM(inspections) AS inspections
       FROM inspection_rollups WHERE resolution_ms = ${HOUR_MS} AND start_ms >= ?
       GROUP BY product_id, line, camera ORDER BY product_id, line, camera`,
    )
    .all(hour) as FacetCombination[];
  return { sinceMs: hour, combinations };
}
