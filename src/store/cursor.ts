/**
 * Keyset paging cursors: the sort key of the last row of a page, (created_ms, id), as an opaque
 * base64url string. Unlike offsets, a cursor neither skips nor repeats rows when new inspections
 * arrive between two pages.
 */
import { ID_PATTERN } from './ids.js';

export interface CursorKey {
  createdMs: number;
  id: string;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('The cursor is not one this server issued; start again without a cursor.');
    this.name = 'InvalidCursorError';
  }
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.createdMs, key.id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(value) || value.length !== 2) throw new InvalidCursorError();
  const [createdMs, id] = value as unknown[];
  if (!Number.isSafeInteger(createdMs) || typeof id !== 'string' || !ID_PATTERN.test(id)) throw new InvalidCursorError();
  return { createdMs: createdMs as number, id };
}
