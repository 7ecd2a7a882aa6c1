/**
 * The converted built-in backbones (the cached model.onnx, run in ONNX Runtime) against the
 * original Keras layers run by TensorFlow.js on the same random input: every exposed activation
 * within 1e-4 of the reference's scale.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinDir, ensureBuiltinBackbone, type BuiltinBackboneName } from '../../src/backbones/builtin.js';
import { readBackboneManifest } from '../../src/backbones/manifest.js';
import { loadNsfwjsRaw } from '../../src/backbones/nsfwjs.js';
import { createSession } from '../../src/onnx/session.js';
import { Random } from '../../src/util/random.js';
import { relativeError, tfjsReference } from './tfjs-reference.js';

const modelsDir = await mkdtemp(path.join(os.tmpdir(), 'kensa-backbones-'));
afterAll(() => rm(modelsDir, { recursive: true, force: true }));

async function parity(name: BuiltinBackboneName, height: number, width: number): Promise<Record<string, number>> {
  const manifestFile = await ensureBuiltinBackbone(name, modelsDir);
  const { manifest, dir } = await readBackboneManifest(manifestFile);
  const layers = manifest.outputs.map((o) => o.name);
  // The backbone's own input range is [0, 1]; cover [-1, 1] as well.
  const input = { data: new Random(7).fillUniform(new Float32Array(3 * height * width), -1, 1), dims: [1, 3, height, width] };

  const session = await createSession(path.join(dir, manifest.model), { threads: 2 });
  const ours = await session.run({ [manifest.input.name!]: new ort.Tensor('float32', input.data, input.dims) });
  await session.release();

  const raw = loadNsfwjsRaw(name);
  const reference = await tfjsReference(raw.topology, raw.manifest, raw.weightData, layers, input);
  const errors: Record<string, number> = {};
  for (const out of manifest.outputs) {
    const mine = ours[out.name];
    const ref = reference[out.name];
    expect(mine.dims).toEqual(ref.dims);
    expect(ref.dims[1]).toBe(out.channels);
    const { error } = relativeError(mine.data as Float32Array, ref.data);
    errors[out.name] = error;
    expect(error, `${name} ${out.name}`).toBeLessThan(1e-4);
  }
  return errors;
}

describe('built-in backbones match the Keras originals (TensorFlow.js)', () => {
  it('MobileNetV2 up to block_10, odd sizes', async () => {
    const errors = await parity('mobilenet_v2', 97, 112);
    console.log('mobilenet_v2 parity (max abs error / max abs reference):', errors);
  });

  it('InceptionV3 up to mixed5', async () => {
    const errors = await parity('inception_v3', 96, 107);
    console.log('inception_v3 parity (max abs error / max abs reference):', errors);
  });

  it('reuses the cache instead of converting again', async () => {
    const file = await ensureBuiltinBackbone('mobilenet_v2', modelsDir);
    const before = await stat(path.join(builtinDir(modelsDir, 'mobilenet_v2'), 'model.onnx'));
    expect(await ensureBuiltinBackbone('mobilenet_v2', modelsDir)).toBe(file);
    const after = await stat(path.join(builtinDir(modelsDir, 'mobilenet_v2'), 'model.onnx'));
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
  });

  it('rebuilds a stale cache in place, once for concurrent callers', async () => {
    const dir = builtinDir(modelsDir, 'mobilenet_v2');
    const file = path.join(dir, 'backbone.json');
    const stale = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...stale, converter: { name: 'kensa-keras', version: '0' } }));
    const before = await stat(path.join(dir, 'model.onnx'));
    const relative = path.relative(process.cwd(), modelsDir);
    const [a, b] = await Promise.all([ensureBuiltinBackbone('mobilenet_v2', modelsDir), ensureBuiltinBackbone('mobilenet_v2', relative)]);
    expect(a).toBe(b);
    expect((await readBackboneManifest(a)).manifest.converter).toEqual(stale.converter);
    expect((await stat(path.join(dir, 'model.onnx'))).ino).not.toBe(before.ino);
    expect((await readdir(path.dirname(dir))).sort()).toEqual(['inception_v3', 'mobilenet_v2']); // no temporary directories left
  });
});
