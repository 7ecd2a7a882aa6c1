/**
 * A real webhook receiver for tests: node:http on a loopback port that it keeps across a stop and
 * a start (so a sink pointed at it sees it go down and come back). It checks each request's
 * signature as a receiver on the line would (the README's recipe), and records what it accepted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedResult {
  deliveryId: string;
  document: { deliveryId: string; sink: string; test: boolean; inspection: { id: string; decision: string; [field: string]: unknown } | null; overlay?: { base64: string } };
  signatureValid: boolean;
  headers: http.IncomingHttpHeaders;
}

export class WebhookReceiver {
  /** Requests answered with 2xx, in arrival order. */
  readonly accepted: ReceivedResult[] = [];
  /** Every request that arrived, answered or not. */
  attempts = 0;
  /** The status to answer with. */
  status = 200;
  /** While set, requests wait for it before being answered. */
  hold: Promise<void> | null = null;
  private server: http.Server | null = null;
  private port = 0;

  private constructor(private readonly secret: string) {}

  static async start(secret: string): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(secret);
    await receiver.listen();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/results`;
  }

  /** Stops listening and cuts every open connection, as a receiver that crashed. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  }

  /** Listens again on the same port. */
  async listen(): Promise<void> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** The inspection ids accepted, in arrival order (test messages left out). */
  inspectionIds(): string[] {
    return this.accepted.flatMap((result) => (result.document.inspection ? [result.document.inspection.id] : []));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.attempts++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    await this.hold;
    const status = this.status;
    if (status >= 200 && status < 300) {
      this.accepted.push({
        deliveryId: String(req.headers['x-kensa-delivery']),
        document: JSON.parse(body) as ReceivedResult['document'],
        signatureValid: verify(this.secret, req.headers, body),
        headers: req.headers,
      });
    }
    res.writeHead(status).end();
  }
}

/** The receiver's check: HMAC-SHA256 over "<timestamp>.<body>", compared in constant time, and a recent timestamp. */
function verify(secret: string, headers: http.IncomingHttpHeaders, body: string): boolean {
  const timestamp = String(headers['x-kensa-timestamp']);
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const given = Buffer.from(String(headers['x-kensa-signature']));
  const fresh = Math.abs(Date.now() - Number(timestamp)) < 5 * 60_000;
  return fresh && given.length === expected.length && timingSafeEqual(given, expected);
}
