/** Shared steps of the outbox tests: sinks through the API, and waiting for deliveries. */
import { get, post, type TestServer } from '../server/harness.js';

export const SECRET = 'a-webhook-secret-of-some-length';

export async function createSink(server: TestServer, body: Record<string, unknown>): Promise<{ id: number; [field: string]: unknown }> {
  const response = await post(server, '/api/v1/sinks', { product: 'widget', filter: 'all', ...body });
  if (response.status !== 201) throw new Error(`creating a sink answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { id: number };
}

export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function metricsText(server: TestServer): Promise<string> {
  return (await get(server, '/metrics', 'admin')).text();
}
