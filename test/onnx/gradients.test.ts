/**
 * Every op's gradient, computed by the engine's autodiff in ONNX Runtime, against central finite
 * differences of the same session's forward pass, in float64.
 */
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/onnx/autodiff.js';
import { Graph } from '../../src/onnx/graph.js';
import { init } from '../../src/onnx/initializers.js';
import * as op from '../../src/onnx/ops.js';
import type { Dim, Tensor } from '../../src/onnx/tensor.js';
import { Random } from '../../src/util/random.js';
import { compile, type Feed } from '../helpers/run.js';

interface InputSpec {
  /** Declared shape; may contain the symbol "N". */
  shape: Dim[];
  /** Shape fed at run time. */
  feed: number[];
  /** Values are drawn uniformly from this range (kept away from kinks and poles). */
  range?: [number, number];
}

interface GradCase {
  name: string;
  inputs: Record<string, InputSpec>;
  build: (x: Record<string, Tensor>) => Tensor;
}

const pos: [number, number] = [0.5, 2];

const CASES: GradCase[] = [
  { name: 'add with broadcast', inputs: { a: { shape: ['N', 3], feed: [2, 3] }, b: { shape: [3], feed: [3] } }, build: ({ a, b }) => op.add(a, b) },
  { name: 'add, both broadcast', inputs: { a: { shape: [2, 1], feed: [2, 1] }, b: { shape: [1, 3], feed: [1, 3] } }, build: ({ a, b }) => op.add(a, b) },
  { name: 'sub with broadcast', inputs: { a: { shape: [3], feed: [3] }, b: { shape: [2, 3], feed: [2, 3] } }, build: ({ a, b }) => op.sub(a, b) },
  { name: 'mul with broadcast', inputs: { a: { shape: [2, 3], feed: [2, 3] }, b: { shape: [2, 1], feed: [2, 1] } }, build: ({ a, b }) => op.mul(a, b) },
  { name: 'div with broadcast', inputs: { a: { shape: [2, 3], feed: [2, 3] }, b: { shape: [3], feed: [3], range: pos } }, build: ({ a, b }) => op.div(a, b) },
  { name: 'pow, base and exponent', inputs: { a: { shape: [2, 3], feed: [2, 3], range: pos }, b: { shape: [3], feed: [3] } }, build: ({ a, b }) => op.pow(a, b) },
  { name: 'maximum', inputs: { a: { shape: [2, 3], feed: [2, 3] }, b: { shape: [3], feed: [3] } }, build: ({ a, b }) => op.maximum(a, b) },
  { name: 'minimum', inputs: { a: { shape: [2, 3], feed: [2, 3] }, b: { shape: [2, 3], feed: [2, 3] } }, build: ({ a, b }) => op.minimum(a, b) },
  { name: 'neg', inputs: { x: { shape: [4], feed: [4] } }, build: ({ x }) => op.neg(x) },
  { name: 'exp', inputs: { x: { shape: [4], feed: [4] } }, build: ({ x }) => op.exp(x) },
  { name: 'log', inputs: { x: { shape: [4], feed: [4], range: pos } }, build: ({ x }) => op.log(x) },
  { name: 'sqrt', inputs: { x: { shape: [4], feed: [4], range: pos } }, build: ({ x }) => op.sqrt(x) },
  { name: 'abs', inputs: { x: { shape: [4], feed: [4] } }, build: ({ x }) => op.abs(x) },
  { name: 'relu', inputs: { x: { shape: [2, 4], feed: [2, 4] } }, build: ({ x }) => op.relu(x) },
  { name: 'leaky relu', inputs: { x: { shape: [2, 4], feed: [2, 4] } }, build: ({ x }) => op.leakyRelu(x, 0.2) },
  { name: 'silu', inputs: { x: { shape: [2, 4], feed: [2, 4] } }, build: ({ x }) => op.silu(x) },
  { name: 'sigmoid', inputs: { x: { shape: [2, 4], feed: [2, 4] } }, build: ({ x }) => op.sigmoid(x) },
  { name: 'tanh', inputs: { x: { shape: [2, 4], feed: [2, 4] } }, build: ({ x }) => op.tanh(x) },
  { name: 'softplus', inputs: { x: { shape: [2, 4], feed: [2, 4], range: [-30, 30] } }, build: ({ x }) => op.softplus(x) },
  { name: 'clip', inputs: { x: { shape: [2, 4], feed: [2, 4] } }, build: ({ x }) => op.clip(x, -0.25, 0.3) },
  { name: 'square', inputs: { x: { shape: [3], feed: [3] } }, build: ({ x }) => op.square(x) },
  { name: 'reduce sum over an axis', inputs: { x: { shape: ['N', 3, 2], feed: [2, 3, 2] } }, build: ({ x }) => op.reduceSum(x, [1]) },
  { name: 'reduce sum keepdims', inputs: { x: { shape: [2, 3], feed: [2, 3] } }, build: ({ x }) => op.reduceSum(x, [0], true) },
  { name: 'reduce mean over a symbolic axis', inputs: { x: { shape: ['N', 3], feed: [4, 3] } }, build: ({ x }) => op.reduceMean(x, [0]) },
  { name: 'reduce mean of all', inputs: { x: { shape: [2, 3], feed: [2, 3] } }, build: ({ x }) => op.reduceMean(x) },
  { name: 'reduce max', inputs: { x: { shape: [3, 4], feed: [3, 4] } }, build: ({ x }) => op.reduceMax(x, [1]) },
  { name: 'matmul 2-D', inputs: { a: { shape: ['N', 3], feed: [2, 3] }, b: { shape: [3, 4], feed: [3, 4] } }, build: ({ a, b }) => op.matmul(a, b) },
  { name: 'matmul batched, broadcast', inputs: { a: { shape: [2, 3, 4], feed: [2, 3, 4] }, b: { shape: [4, 2], feed: [4, 2] } }, build: ({ a, b }) => op.matmul(a, b) },
  ...[false, true].flatMap((ta) =>
    [false, true].map((tb): GradCase => ({
      name: `gemm transA=${ta} transB=${tb}`,
      inputs: { a: { shape: ta ? [3, 2] : [2, 3], feed: ta ? [3, 2] : [2, 3] }, b: { shape: tb ? [4, 3] : [3, 4], feed: tb ? [4, 3] : [3, 4] } },
      build: ({ a, b }) => op.gemm(a, b, ta, tb),
    })),
  ),
  { name: 'concat, static axis', inputs: { a: { shape: ['N', 2], feed: [2, 2] }, b: { shape: ['N', 3], feed: [2, 3] } }, build: ({ a, b }) => op.mul(op.concat([a, b], 1), op.concat([b, a], 1)) },
  { name: 'concat, symbolic axis', inputs: { a: { shape: ['N', 2], feed: [2, 2] }, b: { shape: ['M', 2], feed: [3, 2] } }, build: ({ a, b }) => op.concat([a, b], 0) },
  { name: 'slice', inputs: { x: { shape: ['N', 5], feed: [2, 5] } }, build: ({ x }) => op.slice(x, { axes: [1], starts: [1], ends: [-1] }) },
  { name: 'reshape', inputs: { x: { shape: ['N', 2, 3], feed: [2, 2, 3] } }, build: ({ x }) => op.mul(op.reshape(x, [0, -1]), op.reshape(x, [0, 6])) },
  { name: 'transpose', inputs: { x: { shape: [2, 3, 4], feed: [2, 3, 4] }, w: { shape: [2, 4, 3], feed: [2, 4, 3] } }, build: ({ x, w }) => op.mul(op.transpose(x, [0, 2, 1]), w) },
  { name: 'squeeze and unsqueeze', inputs: { x: { shape: [3, 1], feed: [3, 1] } }, build: ({ x }) => op.mul(op.squeeze(x, [1]), op.unsqueeze(op.squeeze(x, [1]), [0])) },
  { name: 'expand', inputs: { x: { shape: [1, 3], feed: [1, 3] }, y: { shape: ['N', 3], feed: [2, 3] } }, build: ({ x, y }) => op.mul(op.expand(x, op.shapeOf(y), y.shape), y) },
  { name: 'where', inputs: { x: { shape: [2, 3], feed: [2, 3] }, y: { shape: [3], feed: [3] } }, build: ({ x, y }) => op.where(op.greater(x, 0), op.mul(x, 2), y) },
  { name: 'l2 normalize', inputs: { x: { shape: ['N', 4], feed: [3, 4] } }, build: ({ x }) => op.l2Normalize(x, 1) },
  { name: 'identity', inputs: { x: { shape: [3], feed: [3] } }, build: ({ x }) => op.mul(op.identity(x), x) },
];

function draw(random: Random, spec: InputSpec): number[] {
  const [lo, hi] = spec.range ?? [-1.5, 1.5];
  const n = spec.feed.reduce((a, b) => a * b, 1);
  // Keep values away from 0 and from each other, where relu/abs/max have kinks.
  return Array.from({ length: n }, () => {
    for (;;) {
      const v = lo + (hi - lo) * random.uniform();
      if (Math.abs(v) > 0.05 && Math.abs(v - 0.3) > 0.05 && Math.abs(v + 0.25) > 0.05) return v;
    }
  });
}

/** A loss whose gradient differs element by element: sum(y^2)/2 + 0.3 sum(y). */
function testLoss(y: Tensor): Tensor {
  return op.add(op.mul(op.reduceSum(op.square(y)), 0.5), op.mul(op.reduceSum(y), 0.3));
}

describe('gradients match central finite differences (float64)', () => {
  it.each(CASES)('$name', async (c) => {
    const graph = new Graph('float64');
    const inputs = Object.fromEntries(Object.entries(c.inputs).map(([name, spec]) => [name, graph.input(name, spec.shape)]));
    const loss = testLoss(c.build(inputs));
    const names = Object.keys(inputs);
    const grads = grad(loss, names.map((n) => inputs[n]));
    const run = await compile(graph, Object.values(inputs), { loss, ...Object.fromEntries(names.map((n, i) => [`d_${n}`, grads[i]])) });

    const random = new Random(42);
    const feeds: Record<string, Feed> = Object.fromEntries(names.map((n) => [n, { data: draw(random, c.inputs[n]), shape: c.inputs[n].feed }]));
    const analytic = await run(feeds);

    const h = 1e-6;
    for (const name of names) {
      const data = feeds[name].data as number[];
      expect(analytic[`d_${name}`]).toHaveLength(data.length);
      for (let i = 0; i < data.length; i++) {
        const original = data[i];
        data[i] = original + h;
        const up = (await run(feeds)).loss[0];
        data[i] = original - h;
        const down = (await run(feeds)).loss[0];
        data[i] = original;
        const numeric = (up - down) / (2 * h);
        expect(Math.abs(analytic[`d_${name}`][i] - numeric), `d loss / d ${name}[${i}]`).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
      }
    }
  });

  it('flows into parameters and through intermediate tensors', async () => {
    const graph = new Graph('float64');
    const x = graph.input('x', ['N', 3]);
    const w = graph.parameter('w', [3, 2], init.normal(1));
    const hidden = op.matmul(x, w);
    const loss = testLoss(op.tanh(hidden));
    const [dw, dHidden, dx] = grad(loss, [w, hidden, x]);
    const run = await compile(graph, [x, w], { loss, dw, dHidden, dx });
    const feeds = { x: { data: [0.1, -0.2, 0.3, 0.4, 0.5, -0.6], shape: [2, 3] }, w: { data: [0.5, -0.3, 0.2, 0.8, -0.1, 0.4], shape: [3, 2] } };
    const out = await run(feeds);
    // dx = dHidden W^T: the chain rule through the intermediate tensor.
    for (let r = 0; r < 2; r++) {
      for (let k = 0; k < 3; k++) {
        const expected = out.dHidden[r * 2] * feeds.w.data[k * 2] + out.dHidden[r * 2 + 1] * feeds.w.data[k * 2 + 1];
        expect(out.dx[r * 3 + k]).toBeCloseTo(expected, 12);
      }
    }
    expect(out.dw.some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });

  it('stops at stopGradient and gives zeros for unrelated tensors', async () => {
    const graph = new Graph('float64');
    const x = graph.input('x', [3]);
    const unrelated = graph.input('u', [2]);
    const loss = op.reduceSum(op.mul(op.stopGradient(op.square(x)), x));
    const [dx, du] = grad(loss, [x, unrelated]);
    const run = await compile(graph, [x, unrelated], { dx, du });
    const out = await run({ x: { data: [1, 2, -3], shape: [3] }, u: { data: [5, 6], shape: [2] } });
    // d/dx of sg(x^2) * x is x^2, not 3x^2.
    expect(out.dx).toEqual([1, 4, 9]);
    expect(out.du).toEqual([0, 0]);
  });

  it('explains a missing rule instead of building a wrong graph', () => {
    const graph = new Graph('float64');
    const x = graph.input('x', [2]);
    const [y] = graph.node('Erf', [x], [{ dtype: 'float64', shape: [2] }]);
    expect(() => grad(op.reduceSum(y), [x])).toThrow(/no gradient rule for Erf/);
  });
});
