/**
 * kensa's built-in backbones: the ImageNet-pretrained, frozen front of the Keras models bundled in
 * nsfwjs (MIT), converted offline to ONNX on first use and cached under
 * <modelsDir>/backbones/<name>/ (model.onnx, backbone.json, the nsfwjs license notice). Later
 * loads read the cache; a cache written by another converter version is rebuilt.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Graph } from '../onnx/graph.js';
import { serialize } from '../onnx/serialize.js';
import { KerasBackbone, OnnxBackbone } from './backbone.js';
import { convertKeras } from './keras-convert.js';
import type { KerasModel } from './keras.js';
import { BACKBONE_FORMAT, MANIFEST_FILE, parseBackboneManifest, type BackboneManifest, type BackboneOutput, type Normalization } from './manifest.js';
import { loadNsfwjsModel, nsfwjsLicensePath, nsfwjsVersion, type NsfwjsModel } from './nsfwjs.js';

/** Bump when the converter's output changes: caches made by another version are rebuilt. */
export const CONVERTER_VERSION = '1';
export const CONVERTER_NAME = 'kensa-keras';
export const LICENSE_FILE = 'LICENSE-nsfwjs.txt';

export const BUILTIN_BACKBONES = ['mobilenet_v2', 'inception_v3'] as const;
export type BuiltinBackboneName = (typeof BUILTIN_BACKBONES)[number];
export const DEFAULT_BACKBONE: BuiltinBackboneName = 'mobilenet_v2';

export function isBuiltinBackbone(name: string): name is BuiltinBackboneName {
  return (BUILTIN_BACKBONES as readonly string[]).includes(name);
}

interface BuiltinSpec {
  source: NsfwjsModel;
  description: string;
  size: [number, number];
  /** Smallest input: MobileNetV2 halves four times (floor), InceptionV3's 'valid' layers need 43 px. */
  minSize: [number, number];
  normalization: Normalization;
  outputs: BackboneOutput[];
  defaultLayers: string[];
}

/**
 * Input scaling: the network sees the RGB image in [0, 1] as it is (scale 1, offset 0). Stock
 * Keras MobileNetV2/InceptionV3 expect x * 2 - 1, but the batch-norm statistics shipped in these
 * checkpoints were estimated on [0, 1] inputs (nsfwjs divides by 255 and nothing else): the first
 * BN's moving means are what the first convolution gives for ImageNet's mean pixel in [0, 1]
 * (relative error 0.16) and not for it in [-1, 1] (1.19); see src/backbones/README.md.
 */
const UNIT_RANGE: Normalization = { scale: 1, offset: 0 };

const SPECS: Record<BuiltinBackboneName, BuiltinSpec> = {
  mobilenet_v2: {
    source: 'mobilenet_v2',
    description:
      'MobileNetV2 (alpha 1.0) up to block_10, the part of the nsfwjs model kept frozen from ImageNet pretraining. ' +
      'Defaults: block_2_add (s4), block_5_add (s8), block_9_add and block_10_project_BN (s16): 216 channels.',
    size: [224, 224],
    minSize: [16, 16],
    normalization: UNIT_RANGE,
    outputs: [
      { name: 'block_2_add', stride: 4, channels: 24 },
      { name: 'block_5_add', stride: 8, channels: 32 },
      { name: 'block_9_add', stride: 16, channels: 64 },
      { name: 'block_10_project_BN', stride: 16, channels: 96 },
    ],
    defaultLayers: ['block_2_add', 'block_5_add', 'block_9_add', 'block_10_project_BN'],
  },
  inception_v3: {
    source: 'inception_v3',
    description:
      'InceptionV3 up to mixed5, the part of the nsfwjs model kept frozen from ImageNet pretraining. ' +
      'Defaults: mixed2 (s8) and mixed5 (s16): 1056 channels.',
    size: [299, 299],
    minSize: [43, 43],
    normalization: UNIT_RANGE,
    outputs: [
      { name: 'activation_5', stride: 4, channels: 192 },
      { name: 'mixed0', stride: 8, channels: 256 },
      { name: 'mixed1', stride: 8, channels: 288 },
      { name: 'mixed2', stride: 8, channels: 288 },
      { name: 'mixed3', stride: 16, channels: 768 },
      { name: 'mixed4', stride: 16, channels: 768 },
      { name: 'mixed5', stride: 16, channels: 768 },
    ],
    defaultLayers: ['mixed2', 'mixed5'],
  },
};

/** The manifest of a built-in backbone (the same object the cache's backbone.json holds). */
export function builtinManifest(name: BuiltinBackboneName, sourceVersion: string): BackboneManifest {
  const spec = SPECS[name];
  return parseBackboneManifest({
    format: BACKBONE_FORMAT,
    name,
    description: spec.description,
    model: 'model.onnx',
    input: { name: 'input', size: spec.size, minSize: spec.minSize, dynamic: true, channels: 'rgb', normalization: spec.normalization },
    outputs: spec.outputs,
    defaultLayers: spec.defaultLayers,
    license: LICENSE_FILE,
    source: `nsfwjs ${sourceVersion} (MIT, Infinite Red), dist/models/${spec.source}: Keras ${spec.source} layers marked trainable: false`,
    converter: { name: CONVERTER_NAME, version: CONVERTER_VERSION },
  });
}

const kerasModels = new Map<BuiltinBackboneName, KerasModel>();

function kerasModel(name: BuiltinBackboneName): KerasModel {
  let model = kerasModels.get(name);
  if (!model) {
    model = loadNsfwjsModel(SPECS[name].source);
    kerasModels.set(name, model);
  }
  return model;
}

/** The direct path: the Keras model converted straight into whatever graph it is applied to. */
export async function builtinKerasBackbone(name: BuiltinBackboneName): Promise<KerasBackbone> {
  return new KerasBackbone(builtinManifest(name, await nsfwjsVersion()), kerasModel(name));
}

/** Convert a built-in backbone to ONNX bytes: input "input" [N, 3, H, W], one output per manifest output. */
export async function convertBuiltin(name: BuiltinBackboneName): Promise<{ manifest: BackboneManifest; onnx: Uint8Array }> {
  const manifest = builtinManifest(name, await nsfwjsVersion());
  const graph = new Graph('float32');
  const input = graph.input('input', ['N', 3, 'H', 'W']);
  const layers = manifest.outputs.map((o) => o.name);
  const outputs = convertKeras(graph, input, kerasModel(name), { outputs: layers });
  const onnx = serialize(graph, {
    inputs: [input],
    outputs,
    docString: manifest.description,
    metadata: { source: manifest.source ?? '', license: 'MIT (nsfwjs, Copyright (c) 2019 Infinite Red, Inc.)', converter: `${CONVERTER_NAME}/${CONVERTER_VERSION}` },
  });
  return { manifest, onnx };
}

/** The cache directory of a built-in backbone. */
export function builtinDir(modelsDir: string, name: BuiltinBackboneName): string {
  return path.join(modelsDir, 'backbones', name);
}

async function cachedManifest(dir: string, name: BuiltinBackboneName, sourceVersion: string): Promise<BackboneManifest | null> {
  try {
    const manifest = parseBackboneManifest(JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')));
    const expected = builtinManifest(name, sourceVersion);
    if (JSON.stringify(manifest) !== JSON.stringify(expected)) return null;
    await stat(path.join(dir, LICENSE_FILE));
    return (await stat(path.join(dir, manifest.model))).size > 0 ? manifest : null;
  } catch {
    return null;
  }
}

const pending = new Map<string, Promise<string>>();

/**
 * Make sure the built-in backbone is converted and cached; returns the path of its backbone.json.
 * The cache is written in a temporary directory and renamed into place, so a reader never sees
 * half a cache, and two processes converting at once both end up with one complete copy.
 */
export function ensureBuiltinBackbone(name: BuiltinBackboneName, modelsDir: string): Promise<string> {
  const dir = path.resolve(builtinDir(modelsDir, name));
  let job = pending.get(dir);
  if (!job) {
    job = ensureUncached(name, dir).finally(() => pending.delete(dir));
    pending.set(dir, job);
  }
  return job;
}

async function ensureUncached(name: BuiltinBackboneName, dir: string): Promise<string> {
  const manifestFile = path.join(dir, MANIFEST_FILE);
  const version = await nsfwjsVersion();
  if (await cachedManifest(dir, name, version)) return manifestFile;

  const parent = path.dirname(dir);
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(path.join(parent, `.${name}.tmp-`));
  try {
    const { manifest, onnx } = await convertBuiltin(name);
    await writeFile(path.join(tmp, manifest.model), onnx);
    await copyFile(nsfwjsLicensePath(), path.join(tmp, LICENSE_FILE));
    await writeFile(path.join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await chmod(tmp, 0o755); // mkdtemp makes it private
    // Rename into place. A directory cannot replace a non-empty one: if one is there, it is
    // either a cache another process just finished (use it) or a stale one (move it aside).
    for (let attempt = 0; ; attempt++) {
      try {
        await rename(tmp, dir);
        return manifestFile;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || attempt > 2) throw error;
      }
      if (await cachedManifest(dir, name, version)) return manifestFile;
      const stale = `${tmp}.stale`;
      await rename(dir, stale).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await rm(stale, { recursive: true, force: true });
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** A built-in backbone through the manifest path (converted and cached on first use). */
export async function loadBuiltinBackbone(name: BuiltinBackboneName, modelsDir: string): Promise<OnnxBackbone> {
  return OnnxBackbone.load(await ensureBuiltinBackbone(name, modelsDir));
}
