/**
 * The Keras models bundled in the nsfwjs package (MIT, Infinite Red): each is a browserify-wrapped
 * CommonJS module exporting {modelTopology, weightsManifest}, with its weights in shard modules
 * that export base64 strings. Read offline from node_modules; nothing is downloaded.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { decodeWeights, KerasTopologySchema, WeightsManifestSchema, type KerasModel, type KerasTopology, type WeightsManifest } from './keras.js';

const require = createRequire(import.meta.url);

export const NSFWJS_MODELS = ['mobilenet_v2', 'inception_v3'] as const;
export type NsfwjsModel = (typeof NSFWJS_MODELS)[number];

/** The nsfwjs package root (its package.json is not exported, so resolve the main entry). */
export function nsfwjsRoot(): string {
  let main: string;
  try {
    main = require.resolve('nsfwjs');
  } catch (error) {
    throw new Error("the nsfwjs package is not installed (it holds the built-in backbones' weights); run npm ci", { cause: error });
  }
  let dir = path.dirname(main);
  while (path.basename(dir) !== 'nsfwjs' && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export async function nsfwjsVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(nsfwjsRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

export function nsfwjsLicensePath(): string {
  return path.join(nsfwjsRoot(), 'LICENSE');
}

export interface RawKerasModel {
  topology: KerasTopology;
  manifest: WeightsManifest;
  /** All shards, concatenated in manifest order. */
  weightData: Uint8Array;
}

/** The topology, manifest and raw (still quantized) weight bytes of one bundled model. */
export function loadNsfwjsRaw(name: NsfwjsModel): RawKerasModel {
  const dir = path.join(nsfwjsRoot(), 'dist', 'models', name);
  const bundle = require(path.join(dir, 'model.min.js')) as { modelTopology?: unknown; weightsManifest?: unknown };
  const topology = KerasTopologySchema.parse(bundle.modelTopology);
  const manifest = WeightsManifestSchema.parse(bundle.weightsManifest);
  const shards = manifest.flatMap((group) =>
    group.paths.map((p) => {
      const shard = require(path.join(dir, `${p}.min.js`)) as unknown;
      if (typeof shard !== 'string') throw new Error(`nsfwjs shard ${name}/${p} does not export a base64 string`);
      return Buffer.from(shard, 'base64');
    }),
  );
  const joined = Buffer.concat(shards);
  return { topology, manifest, weightData: new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength) };
}

/** One bundled model with its weights dequantized as TensorFlow.js does. */
export function loadNsfwjsModel(name: NsfwjsModel): KerasModel {
  const raw = loadNsfwjsRaw(name);
  return { topology: raw.topology, weights: decodeWeights(raw.manifest, raw.weightData) };
}
