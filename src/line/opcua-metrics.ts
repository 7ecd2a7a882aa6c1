/**
 * The OPC UA handshake's Prometheus metrics, in the server's registry, by product, line and
 * camera: results handed to the PLC (ResultReady raised), results it acknowledged, results it
 * never acknowledged (the camera's next result replaced them while ResultReady was still set: the
 * handshake timed out and the PLC missed one), and whether a result is waiting now.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

type CameraLabel = 'product' | 'line' | 'camera';
export type CameraLabels = Record<CameraLabel, string>;

export class OpcuaMetrics {
  private readonly handshakes: Counter<CameraLabel>;
  private readonly acknowledged: Counter<CameraLabel>;
  private readonly timeouts: Counter<CameraLabel>;
  private readonly waiting: Gauge<CameraLabel>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['product', 'line', 'camera'] as const;
    this.handshakes = new Counter({ name: 'kensa_opcua_handshakes_total', help: 'Results handed to the PLC over OPC UA (ResultReady raised), by camera', labelNames, registers });
    this.acknowledged = new Counter({ name: 'kensa_opcua_acknowledged_total', help: 'Results the PLC acknowledged (ResultReady cleared), by camera', labelNames, registers });
    this.timeouts = new Counter({
      name: 'kensa_opcua_unacknowledged_total',
      help: "Results replaced by the camera's next one before the PLC acknowledged them (the handshake timed out; the PLC missed a result), by camera",
      labelNames,
      registers,
    });
    this.waiting = new Gauge({ name: 'kensa_opcua_result_ready', help: 'Whether a result waits for the PLC to acknowledge it (ResultReady), by camera', labelNames, registers });
  }

  /** A new result raised ResultReady; `replacedUnacknowledged`: the previous one was still waiting. */
  handshake(labels: CameraLabels, replacedUnacknowledged: boolean): void {
    this.handshakes.inc(labels);
    if (replacedUnacknowledged) this.timeouts.inc(labels);
    this.waiting.set(labels, 1);
  }

  acknowledge(labels: CameraLabels): void {
    this.acknowledged.inc(labels);
    this.waiting.set(labels, 0);
  }
}
