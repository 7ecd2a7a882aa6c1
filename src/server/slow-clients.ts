/**
 * How long a client may take to send a request. Node enforces the headers deadline and closes idle
 * keep-alive connections; request bodies get a deadline per endpoint: a total by default
 * (requestTimeoutMs), a short total for a camera's image, and an idle timeout (no total) for
 * training uploads, so a 2 GiB upload over a slow but live link is never cut, only one that
 * stalls. A missed deadline is answered 408 as a problem and the connection closed (or only
 * closed, when the answer has gone out already): the rest of a late body is not waited for.
 */
import type { ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Request, RequestHandler, Response } from 'express';
import type { ServerConfig } from './config.js';
import { sendProblem, type HttpProblem } from './problem.js';
import { hasBody } from './request-body.js';

/** Node's connection limits, for http.createServer and https.createServer. */
export function connectionTimeouts(config: Pick<ServerConfig, 'headersTimeoutMs' | 'keepAliveTimeoutMs'>): ServerOptions {
  return {
    headersTimeout: config.headersTimeoutMs,
    // Node's requestTimeout is one total for every request on the server, uploads included: off,
    // in favour of the per-endpoint body deadlines below.
    requestTimeout: 0,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // How often Node checks the headers deadline (30 s by default, coarser than the deadline itself).
    connectionsCheckingInterval: Math.ceil(config.headersTimeoutMs / 4),
  };
}

export interface BodyDeadline {
  /** 'total': the whole body within `ms`; 'idle': never `ms` without a byte arriving. */
  kind: 'total' | 'idle';
  ms: number;
  /** The answer when the deadline is missed. */
  problem(ms: number): HttpProblem;
}

const watches = new WeakMap<Request, () => void>();

/** Middleware: the request's body must arrive within `deadline`, counted from now; replaces an earlier deadline. */
export function bodyDeadline(deadline: BodyDeadline): RequestHandler {
  return (req, res, next) => {
    watches.get(req)?.();
    if (hasBody(req)) watches.set(req, watch(req, res, deadline));
    next();
  };
}

/** Starts the deadline; returns its cancellation. It ends by itself once the body is in. */
function watch(req: Request, res: Response, deadline: BodyDeadline): () => void {
  const expire = () => {
    stop();
    answerLate(req, res, deadline.problem(deadline.ms));
  };
  const cancel = deadline.kind === 'total' ? after(deadline.ms, expire) : afterIdle(req.socket, deadline.ms, expire);
  const closed = () => {
    // An answer sent before the body was in (a refusal) leaves Node reading the rest: still bounded.
    if (req.complete || req.socket.destroyed) stop();
  };
  const stop = () => {
    cancel();
    req.off('end', stop);
    res.off('close', closed);
  };
  req.once('end', stop);
  res.once('close', closed);
  return stop;
}

function after(ms: number, run: () => void): () => void {
  const timer = setTimeout(run, ms).unref();
  return () => clearTimeout(timer);
}

/** Node's HTTP parser reads the socket natively (no 'data' events), so progress is the socket's byte count, sampled. */
function afterIdle(socket: Socket, ms: number, run: () => void): () => void {
  let bytes = socket.bytesRead;
  let progressAt = performance.now();
  const timer = setInterval(() => {
    if (socket.bytesRead !== bytes) {
      bytes = socket.bytesRead;
      progressAt = performance.now();
    } else if (performance.now() - progressAt >= ms) {
      run();
    }
  }, Math.ceil(ms / 4)).unref();
  return () => clearInterval(timer);
}

/**
 * The reader of the body waits for bytes that may never come: destroying the request closes the
 * connection and fails the reader, so the handler lets go of what it holds. That happens once the
 * answer is out, or at once when none can be written.
 */
function answerLate(req: Request, res: Response, problem: HttpProblem): void {
  if (res.headersSent || req.socket.destroyed) {
    req.destroy();
    return;
  }
  res.setHeader('Connection', 'close');
  res.locals.problem = { code: problem.code, detail: problem.detail };
  res.once('finish', () => req.destroy());
  sendProblem(res, problem, req.path, String(req.id));
}
