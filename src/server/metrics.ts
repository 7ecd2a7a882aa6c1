/**
 * Prometheus metrics, in a registry of the server's own (several servers in one process, as in
 * tests, do not collide): HTTP and inference latency, decisions per product and model version,
 * the inspections in progress (queue depth), batch sizes, refusals, renders running and waiting,
 * and Node's process metrics.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.5, 1, 2, 5];

export class ServerMetrics {
  readonly registry = new Registry();

  readonly requestDuration = new Histogram({
    name: 'kensa_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly inferenceDuration = new Histogram({
    name: 'kensa_inference_duration_seconds',
    help: 'ONNX Runtime time per batch, by product and model version',
    labelNames: ['product', 'model_version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: 'kensa_inference_batch_size',
    help: 'Images per inference batch',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });

  readonly decisions = new Counter({
    name: 'kensa_inspections_total',
    help: 'Inspections answered, by product, model version and decision',
    labelNames: ['product', 'model_version', 'decision'] as const,
    registers: [this.registry],
  });

  readonly refused = new Counter({
    name: 'kensa_inspections_refused_total',
    help: 'Inspections refused with 503 because the queue was full',
    registers: [this.registry],
  });

  constructor(queueDepth: () => number, renders: { readonly running: number; readonly waiting: number }) {
    new Gauge({
      name: 'kensa_queue_depth',
      help: 'Inspections in progress: decoding, waiting for a batch, running or being stored',
      registers: [this.registry],
      collect() {
        this.set(queueDepth());
      },
    });
    new Gauge({
      name: 'kensa_renders_running',
      help: 'Pictures being rendered now: heatmaps, overlays, masks and thumbnails',
      registers: [this.registry],
      collect() {
        this.set(renders.running);
      },
    });
    new Gauge({
      name: 'kensa_renders_waiting',
      help: 'Pictures waiting for a render slot, in every lane (interactive, thumbnail, background)',
      registers: [this.registry],
      collect() {
        this.set(renders.waiting);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }
}
