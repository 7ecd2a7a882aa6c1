/**
 * User-supplied ONNX backbones: the manifest, merging an ONNX graph into ours, and the plumbing
 * test, our converted MobileNetV2 loaded as a user backbone giving the same features as the
 * direct conversion.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxBackbone } from '../../src/backbones/backbone.js';
import { builtinKerasBackbone, ensureBuiltinBackbone } from '../../src/backbones/builtin.js';
import { BackboneManifestError, parseBackboneManifest, type BackboneManifestInput } from '../../src/backbones/manifest.js';
import { FeatureExtractor, type FeatureBatch } from '../../src/features/index.js';
import { Graph } from '../../src/onnx/graph.js';
import { importOnnx, OnnxImportError } from '../../src/onnx/import.js';
import * as op from '../../src/onnx/ops.js';
import { decodeModel, encodeModel, OnnxAttributeType, OnnxDataType, type ModelProto, type NodeProto } from '../../src/onnx/proto.js';
import { serialize } from '../../src/onnx/serialize.js';
import { createSession } from '../../src/onnx/session.js';
import { Random } from '../../src/util/random.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'kensa-manifest-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));
const builtinManifestFile = await ensureBuiltinBackbone('mobilenet_v2', path.join(tmp, 'models'));

async function userBackbone(dir: string, manifest: Partial<BackboneManifestInput> & Pick<BackboneManifestInput, 'outputs'>): Promise<string> {
  const full = path.join(tmp, dir);
  await rm(full, { recursive: true, force: true });
  await mkdir(full, { recursive: true });
  await copyFile(path.join(path.dirname(builtinManifestFile), 'model.onnx'), path.join(full, 'mobilenet.onnx'));
  const file = path.join(full, 'backbone.json');
  await writeFile(
    file,
    JSON.stringify({
      format: 'kensa-backbone/1',
      name: 'my-mobilenet',
      model: 'mobilenet.onnx',
      input: { size: [224, 224], normalization: { mean: [0, 0, 0], std: [1, 1, 1] } },
      ...manifest,
    }),
  );
  return file;
}

const OUTPUTS = [
  { name: 'block_2_add', stride: 4, channels: 24 },
  { name: 'block_5_add', stride: 8, channels: 32 },
  { name: 'block_9_add', stride: 16, channels: 64 },
  { name: 'block_10_project_BN', stride: 16, channels: 96 },
];

describe('user-supplied ONNX backbones', () => {
  it('our converted MobileNetV2, loaded as a user backbone, gives the same features as the direct conversion', async () => {
    const file = await userBackbone('user', { outputs: [...OUTPUTS].reverse() });
    const user = await OnnxBackbone.load(path.dirname(file)); // a directory works as well as the file
    const direct = await builtinKerasBackbone('mobilenet_v2');
    const layers = OUTPUTS.map((o) => o.name);
    const data = new Random(2).fillUniform(new Float32Array(2 * 3 * 100 * 180));
    const results: FeatureBatch[] = [];
    for (const backbone of [user, direct]) {
      const fx = await FeatureExtractor.create({ backbone, layers, threads: 2 });
      results.push(await fx.run(data, [2, 3, 100, 180]));
      await fx.release();
    }
    expect(results[0].dims).toEqual([2, 216, 6, 11]);
    expect(results[0].dims).toEqual(results[1].dims);
    let maxDiff = 0;
    results[0].data.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - results[1].data[i]))));
    expect(maxDiff).toBe(0); // the same nodes and weights, only names differ
  });

  it('rejects a manifest naming an output tensor the model does not compute, saying which ones it has', async () => {
    const file = await userBackbone('missing', { outputs: [...OUTPUTS, { name: 'block_12_add', stride: 16, channels: 96 }] });
    const error = (await OnnxBackbone.load(file).then(
      () => null,
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(BackboneManifestError);
    expect(error.message).toContain(file);
    expect(error.message).toContain('computes no tensor named "block_12_add"');
    expect(error.message).toContain('its graph outputs are: block_2_add, block_5_add, block_9_add, block_10_project_BN');
  });

  it('validates the manifest with messages that point at the field', async () => {
    const base = {
      format: 'kensa-backbone/1',
      name: 'b',
      model: 'm.onnx',
      input: { size: [224, 224], normalization: { scale: 2, offset: -1 } },
      outputs: OUTPUTS,
    };
    expect(parseBackboneManifest(base).input).toMatchObject({ dynamic: true, channels: 'rgb' });
    expect(() => parseBackboneManifest({ ...base, defaultLayers: ['nope'] })).toThrow(/defaultLayers.0: "nope" is not one of the outputs/);
    expect(() => parseBackboneManifest({ ...base, input: { size: [224, 224], normalization: { mean: [0.5, 0.5, 0.5], std: [0, 1, 1] } } })).toThrow(
      /input.normalization/,
    );
    expect(() => parseBackboneManifest({ ...base, outputs: [{ name: 'x', stride: 0, channels: 3 }] })).toThrow(/outputs.0.stride/);
    expect(() => parseBackboneManifest({ ...base, format: 'kensa-backbone/2' })).toThrow(/format/);
    const noModel = await userBackbone('nomodel', { outputs: OUTPUTS, model: 'absent.onnx' });
    await expect(OnnxBackbone.load(noModel)).rejects.toThrow(/names model absent.onnx, which cannot be read/);
  });

  it('applies BGR order and mean/std normalization before the backbone', async () => {
    // A "backbone" that shows its input: 2x2 average pooling (stride 2), opset 18.
    const g = new Graph('float32');
    const x = g.input('pixels', ['N', 3, 'H', 'W']);
    const pooled = op.averagePool(x, { kernel: [2, 2] });
    const dir = path.join(tmp, 'probe');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'probe.onnx'), serialize(g, { inputs: [x], outputs: { pooled } }));
    const mean = [0.485, 0.456, 0.406] as const;
    const std = [0.229, 0.224, 0.225] as const;
    await writeFile(
      path.join(dir, 'backbone.json'),
      JSON.stringify({
        format: 'kensa-backbone/1',
        name: 'probe',
        model: 'probe.onnx',
        input: { size: [4, 4], channels: 'bgr', normalization: { mean, std } },
        outputs: [{ name: 'pooled', stride: 2, channels: 3 }],
      }),
    );
    const backbone = await OnnxBackbone.load(dir);
    const fx = await FeatureExtractor.create({ backbone, stride: 2, normalize: false, threads: 1 });
    const image = new Float32Array(3 * 2 * 2);
    [0.1, 0.5, 0.9].forEach((v, c) => image.fill(v, c * 4, c * 4 + 4)); // R, G, B planes
    const f = await fx.run(image, [1, 3, 2, 2]);
    expect(f.dims).toEqual([1, 3, 1, 1]);
    expect(f.data[0]).toBeCloseTo((0.9 - mean[0]) / std[0], 5); // B first, normalized with channel 0's statistics
    expect(f.data[1]).toBeCloseTo((0.5 - mean[1]) / std[1], 5);
    expect(f.data[2]).toBeCloseTo((0.1 - mean[2]) / std[2], 5);
    await fx.release();
  });
});

// ---- merging hand-written ONNX models ----

function int64Tensor(name: string, values: number[]) {
  return { name, dims: [values.length], dataType: OnnxDataType.INT64, rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) };
}

function model(opset: number, nodes: NodeProto[], extra: Partial<ModelProto['graph']> = {}): ModelProto {
  const info = (name: string) => ({ name, type: { tensorType: { elemType: OnnxDataType.FLOAT } } });
  return {
    irVersion: 7,
    opsetImport: [{ domain: '', version: opset }],
    graph: { name: 'm', node: nodes, input: [info('x')], output: [info('y')], initializer: [], ...extra },
  };
}

const ints = (name: string, values: number[]) => ({ name, type: OnnxAttributeType.INTS, ints: values });
const float = (name: string, value: number) => ({ name, type: OnnxAttributeType.FLOAT, f: value });

async function runMerged(m: ModelProto, data: number[], dims: number[]): Promise<{ data: number[]; dims: number[] }> {
  const g = new Graph('float32');
  const x = g.input('x', ['N', 'C']);
  const { y } = importOnnx(g, decodeModel(encodeModel(m)), { prefix: 'user', inputs: { x }, outputs: { y: { shape: ['N', 1] } } });
  const out = op.mul(y, 2); // our own op on top of the merged graph
  const session = await createSession(serialize(g, { inputs: [x], outputs: { out } }), { threads: 1 });
  const result = (await session.run({ x: new ort.Tensor('float32', Float32Array.from(data), dims) })).out;
  await session.release();
  return { data: Array.from(result.data as Float32Array), dims: result.dims.map(Number) };
}

describe('ONNX import', () => {
  it('rewrites opset-12 attribute forms (axes, split, Dropout) into opset 18', async () => {
    const m = model(12, [
      { opType: 'Unsqueeze', input: ['x'], output: ['u'], attribute: [ints('axes', [0])] }, // [1, N, C]
      { opType: 'Split', input: ['u'], output: ['a', 'b'], attribute: [{ name: 'axis', type: OnnxAttributeType.INT, i: 2 }, ints('split', [1, 2])] },
      { opType: 'ReduceMean', input: ['b'], output: ['m'], attribute: [ints('axes', [2])] }, // keepdims default 1: [1, N, 1]
      { opType: 'Add', input: ['m', 'a'], output: ['s'] },
      { opType: 'Dropout', input: ['s'], output: ['d', 'mask'], attribute: [float('ratio', 0.5)] },
      { opType: 'Squeeze', input: ['d'], output: ['y'], attribute: [ints('axes', [0])] },
      { opType: 'Relu', input: ['x'], output: ['unused'] }, // not needed for y: left out
    ]);
    const result = await runMerged(m, [1, 2, 4, -3, 0, 6], [2, 3]);
    expect(result.dims).toEqual([2, 1]);
    expect(result.data).toEqual([2 * (1 + 3), 2 * (-3 + 3)]);
  });

  it('copies initializers (raw and typed fields) as constants', async () => {
    const m = model(
      17,
      [
        { opType: 'Mul', input: ['x', 'w'], output: ['p'] },
        { opType: 'ReduceSum', input: ['p', 'axes'], output: ['y'] },
      ],
      {
        initializer: [
          { name: 'w', dims: [3], dataType: OnnxDataType.FLOAT, floatData: [1, 10, 100] },
          int64Tensor('axes', [1]),
        ],
      },
    );
    expect((await runMerged(m, [1, 2, 3], [1, 3])).data).toEqual([2 * 321]);
  });

  it('rejects clearly what it cannot merge', () => {
    const relu = [{ opType: 'Relu', input: ['x'], output: ['y'] }];
    const g = new Graph('float32');
    const x = g.input('x', ['N', 'C']);
    const merge = (m: ModelProto, outputs: string[] = ['y']) =>
      () => importOnnx(g, m, { prefix: `p${Math.random()}`, inputs: { x }, outputs: Object.fromEntries(outputs.map((o) => [o, { shape: ['N', 1] }])) });
    expect(merge(model(9, relu))).toThrow(/opset 9; kensa merges models at opsets 11 to 18/);
    expect(merge(model(19, relu))).toThrow(/opset 19/);
    expect(merge(model(18, [{ opType: 'FusedConv', domain: 'com.microsoft', input: ['x'], output: ['y'] }]))).toThrow(/domain "com.microsoft"/);
    expect(merge(model(12, [{ opType: 'Softmax', input: ['x'], output: ['y'] }]))).toThrow(/re-export the model at opset 13/);
    expect(merge(model(18, relu), ['z'])).toThrow(/computes no tensor named "z"; its graph outputs are: y/);
    expect(
      merge(model(18, [{ opType: 'Add', input: ['x', 'h'], output: ['y'] }], { initializer: [{ name: 'h', dims: [1], dataType: OnnxDataType.FLOAT16, rawData: new Uint8Array(2) }] })),
    ).toThrow(OnnxImportError);
    expect(
      merge(model(18, [{ opType: 'Add', input: ['x', 'h'], output: ['y'] }], { initializer: [{ name: 'h', dims: [1], dataType: OnnxDataType.FLOAT16, rawData: new Uint8Array(2) }] })),
    ).toThrow(/element type float16/);
  });
});
