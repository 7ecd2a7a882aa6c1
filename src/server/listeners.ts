/**
 * The server's sockets. The public listener speaks HTTPS when tlsCert and tlsKey are set, for a
 * server that faces the network without a proxy in front, and plain HTTP otherwise. The internal
 * listener (internalPort) is plain HTTP on internalHost, loopback unless told otherwise: it is for
 * probes and Prometheus on the same host or a closed network.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from './config.js';
import { connectionTimeouts } from './slow-clients.js';

export interface Listening {
  server: HttpServer | HttpsServer;
  /** scheme://host:port, with a connectable host when listening on all interfaces. */
  url: string;
  port: number;
}

export function listenPublic(app: RequestListener, config: ServerConfig): Promise<Listening> {
  if (config.tlsCert && config.tlsKey) {
    const server = createHttpsServer({ ...connectionTimeouts(config), cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }, app);
    return listen(server, 'https', config.port, config.host);
  }
  return listen(createHttpServer(connectionTimeouts(config), app), 'http', config.port, config.host);
}

/** Null when no internalPort is configured. */
export async function listenInternal(app: RequestListener, config: ServerConfig): Promise<Listening | null> {
  if (config.internalPort === undefined) return null;
  return listen(createHttpServer(connectionTimeouts(config), app), 'http', config.internalPort, config.internalHost);
}

function listen(server: HttpServer | HttpsServer, scheme: 'http' | 'https', port: number, host: string): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const bound = (server.address() as AddressInfo).port;
      const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      resolve({ server, port: bound, url: `${scheme}://${name.includes(':') ? `[${name}]` : name}:${bound}` });
    });
  });
}

/**
 * Stop accepting connections and wait until every open one is done. Idle keep-alive connections
 * are closed as soon as they are idle; after `timeoutMs` the rest are cut.
 */
export function drain(server: HttpServer | HttpsServer, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
