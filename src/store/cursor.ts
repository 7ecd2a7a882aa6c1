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

/** A sort key as an opaque cursor: its values, JSON in base64url. */
export function encodeKey(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The `length` values of a cursor made by encodeKey; anything else is an InvalidCursorError. */
export function decodeKey(cursor: string, length: number): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(value) || value.length !== length) throw new InvalidCursorError();
  return value as unknown[];
}

export function encodeCursor(key: CursorKey): string {
  return encodeKey([key.createdMs, key.id]);
}

export function decodeCursor(cursor: string): CursorKey {
  const [createdMs, id] = decodeKey(cursor, 2);
  if (!Number.isSafeInteger(createdMs) || typeof id !== 'string' || !ID_PATTERN.test(id)) throw new InvalidCursorError();
  return { createdMs: createdMs as number, id };
}
