/**
 * Small real model packages for tests and benchmarks, built with kensa's own graph builder: the
 * anomaly map is the 3x3 average of |grey - 0.5| and the score its maximum. A mid-grey part scores
 * about 0, a white or black one 0.5, a grey part with a white spot 0.5 at the spot. Not trained:
 * the calibration is chosen so that grey is OK and white or black (or a white spot) is NG, and a
 * second version with a higher threshold calls white OK (a visible hot swap).
 */
import path from 'node:path';
import { MANIFEST_FORMAT, type InputSpec, type Manifest } from '../../src/model/manifest.js';
import { writeModelPackage, type ModelPackage } from '../../src/model/model-package.js';
import { Graph } from '../../src/onnx/graph.js';
import { abs, averagePool, reduceMax, reduceMean, reshape, sub } from '../../src/onnx/ops.js';
import { serialize } from '../../src/onnx/serialize.js';

export interface FixtureOptions {
  product?: string;
  version?: string;
  /** Raw image threshold; default 0.25 (white and black are NG, grey OK). */
  imageThreshold?: number;
  /** Raw pixel threshold; default 0.2. */
  pixelThreshold?: number;
  input?: InputSpec;
  createdAt?: string;
}

export const FIXTURE_INPUT: InputSpec = { policy: 'fill', size: 64, multiple: 1 };

export function fixtureModelBytes(): Uint8Array {
  const graph = new Graph('float32');
  const image = graph.input('image', ['N', 3, 'H', 'W']);
  const deviation = abs(sub(reduceMean(image, [1], true), 0.5));
  const map = averagePool(deviation, { kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] });
  const score = reshape(reduceMax(map, [1, 2, 3]), [-1]);
  return serialize(graph, { inputs: [image], outputs: { anomaly_map: map, score }, docString: 'kensa test fixture: 3x3 mean of |grey - 0.5|' });
}

export function fixtureManifest(options: FixtureOptions = {}): Manifest {
  return {
    format: MANIFEST_FORMAT,
    product: options.product ?? 'widget',
    version: options.version ?? 'v1',
    createdAt: options.createdAt ?? '2025-01-01T00:00:00.000Z',
    method: 'gaussian',
    backbone: { name: 'none (fixture)', layers: [], stride: 1, channels: 1 },
    input: options.input ?? FIXTURE_INPUT,
    calibration: {
      image: { threshold: options.imageThreshold ?? 0.25, center: 0 },
      pixel: { threshold: options.pixelThreshold ?? 0.2, center: 0 },
      rule: 'fixture: chosen by hand',
      expectedFalseCallRate: 0,
      images: 0,
    },
    training: { images: 0, digest: 'fixture', seconds: 0, device: 'cpu', config: { fixture: true } },
    metrics: {},
    timings: {},
  };
}

/** Writes models/<product>/<version>/ under `modelsDir`. */
export function writeFixtureModel(modelsDir: string, options: FixtureOptions = {}): Promise<ModelPackage> {
  const manifest = fixtureManifest(options);
  return writeModelPackage(path.join(modelsDir, manifest.product, manifest.version), fixtureModelBytes(), manifest);
}
