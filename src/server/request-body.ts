import type { Request } from 'express';

/** Whether the request declares a body (HTTP/1.1: a Transfer-Encoding or a non-zero Content-Length). */
export function hasBody(req: Request): boolean {
  return req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
}
