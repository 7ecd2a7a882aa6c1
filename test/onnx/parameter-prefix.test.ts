/** Two trained models of one kind in one graph: parameter names kept apart by a prefix, their values baked from two stores. */
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportModel } from '../../src/onnx/export.js';
import { Graph } from '../../src/onnx/graph.js';
import { init } from '../../src/onnx/initializers.js';
import * as op from '../../src/onnx/ops.js';
import { ParameterStore } from '../../src/onnx/parameters.js';
import { createSession } from '../../src/onnx/session.js';

/** y = x * w, with the parameter named "w" wherever the graph's prefix puts it. */
const scaled = (graph: Graph, x: ReturnType<Graph['input']>) => op.mul(x, graph.parameter('w', [1], init.zeros()));

describe('parameter prefixes', () => {
  it('keeps two models apart and bakes each one\'s values', async () => {
    const graph = new Graph();
    const x = graph.input('x', [2]);
    const first = scaled(graph, x);
    const second = graph.withParameterPrefix('scale1/', () => scaled(graph, x));
    expect([...graph.parameters.keys()]).toEqual(['w', 'scale1/w']);

    const store = new ParameterStore('float32', 0);
    const a = new ParameterStore('float32', 0);
    a.set('w', [1], Float32Array.of(2));
    const b = new ParameterStore('float32', 0);
    b.set('w', [1], Float32Array.of(-3));
    store.adopt(a, '');
    store.adopt(b, 'scale1/');
    const session = await createSession(exportModel(graph, { inputs: [x], outputs: { first, second }, store }), { threads: 1 });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 5), [2]) });
    await session.release();
    expect(Array.from(out.first.data as Float32Array)).toEqual([2, 10]);
    expect(Array.from(out.second.data as Float32Array)).toEqual([-3, -15]);
  });

  it('restores the outer prefix after the block, even when it throws', () => {
    const graph = new Graph();
    expect(() => graph.withParameterPrefix('p/', () => {
      throw new Error('inside');
    })).toThrow('inside');
    graph.parameter('v', [1], init.zeros());
    expect([...graph.parameters.keys()]).toEqual(['v']);
  });
});
