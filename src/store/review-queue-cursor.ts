/**
 * Review queue paging cursors: the queue order's key of a page's last entry (priority, queued
 * time, inspection id) as an opaque base64url string. Entries reviewed between two pages leave
 * the queue; with a cursor, unlike an offset, that skips nothing that still waits.
 */
import { decodeKey, encodeKey, InvalidCursorError } from './cursor.js';
import { ID_PATTERN } from './ids.js';
import { QUEUE_PRIORITY, type QueueEntry, type QueuePosition } from './review-queue.js';

const PRIORITIES = new Set(Object.values(QUEUE_PRIORITY));

export function queueCursor(last: Pick<QueueEntry, 'reason' | 'createdMs' | 'inspectionId'>): string {
  return encodeKey([QUEUE_PRIORITY[last.reason], last.createdMs, last.inspectionId]);
}

export function decodeQueueCursor(cursor: string): QueuePosition {
  const [priority, createdMs, inspectionId] = decodeKey(cursor, 3);
  if (typeof priority !== 'number' || !PRIORITIES.has(priority) || !Number.isSafeInteger(createdMs) || typeof inspectionId !== 'string' || !ID_PATTERN.test(inspectionId)) {
    throw new InvalidCursorError();
  }
  return { priority, createdMs: createdMs as number, inspectionId };
}
