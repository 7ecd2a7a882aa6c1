/**
 * A real MQTT broker for tests: aedes in this process, on a loopback port it keeps across a stop
 * and a start. It records every message a client published and the broker acknowledged.
 */
import net, { type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';

export interface BrokerMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
  qos: number;
}

export class TestBroker {
  readonly published: BrokerMessage[] = [];
  private broker: Aedes | null = null;
  private server: net.Server | null = null;
  private port = 0;

  static async start(): Promise<TestBroker> {
    const broker = new TestBroker();
    await broker.listen();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    const broker = await Aedes.createBroker();
    broker.on('publish', (packet, client) => {
      // the broker's own $SYS messages have no client
      if (client) this.published.push({ topic: packet.topic, payload: Buffer.from(packet.payload), retain: packet.retain, qos: packet.qos });
    });
    const server = net.createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.broker = broker;
    this.server = server;
  }

  /** Stops as a crashed broker: every connection cut, retained messages forgotten. */
  async stop(): Promise<void> {
    const { broker, server } = this;
    this.broker = null;
    this.server = null;
    if (!broker || !server) return;
    const closed = new Promise((resolve) => server.close(resolve));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await closed;
  }
}
