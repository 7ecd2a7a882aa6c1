/**
 * A compiled training step: forward pass, gradients and the Adam update in one ONNX graph, run
 * as one session.run. Parameters live in a ParameterStore; the optimizer state lives here. Both
 * are double-buffered and handed to ONNX Runtime as pre-allocated outputs, so a step allocates
 * nothing and copies nothing beyond what the update itself writes.
 */
import ort from 'onnxruntime-node';
import { grad } from './autodiff.js';
import { floatArray, type FloatArray } from './dtype.js';
import type { Graph } from './graph.js';
import { adam, learningRateInput, STEP_INPUT, type AdamConfig, type OptimizerGraph, type ParameterGroup } from './optimizer.js';
import type { ParameterStore } from './parameters.js';
import { requiredLeaves, serialize } from './serialize.js';
import { createSession, wrapFloat, type SessionConfig } from './session.js';
import type { Tensor } from './tensor.js';

export interface TrainingStepSpec {
  graph: Graph;
  /** The scalar this step minimizes. */
  loss: Tensor;
  /** What it trains, with a learning rate per group. Other parameters it reads stay fixed. */
  groups: readonly ParameterGroup[];
  adam?: AdamConfig;
  /** Extra values to fetch after each step (metrics), computed before the update. */
  outputs?: Record<string, Tensor>;
  session?: SessionConfig;
}

/** A run's fetched values: the loss, the gradient norm and the requested outputs. */
export type StepResult = Record<string, ort.Tensor>;

const NEXT = '.next';

export class TrainingStep {
  /** Number of completed steps (Adam's bias correction uses it). */
  steps = 0;
  /** Current learning rate per group; change it between runs for a schedule. */
  readonly learningRates: Record<string, number>;
  private readonly stateValues = new Map<string, FloatArray>();
  private readonly spares = new Map<string, FloatArray>();

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly store: ParameterStore,
    private readonly optimizer: OptimizerGraph,
    /** Parameters the model reads, trained or not. */
    private readonly fedParameters: readonly Tensor[],
    private readonly trained: readonly Tensor[],
    /** Data inputs the caller must feed. */
    readonly dataInputs: readonly Tensor[],
    groups: readonly ParameterGroup[],
  ) {
    this.learningRates = Object.fromEntries(groups.map((g) => [g.name, g.lr]));
    for (const slot of optimizer.state) {
      const size = slot.shape.reduce((a, b) => a * b, 1);
      this.stateValues.set(slot.name, floatArray(store.dtype, size));
      this.spares.set(slot.name, floatArray(store.dtype, size));
    }
    for (const p of trained) this.spares.set(p.name, floatArray(store.dtype, store.get(p.name).data.length));
  }

  static async compile(spec: TrainingStepSpec, store: ParameterStore): Promise<TrainingStep> {
    const { graph, loss } = spec;
    store.initialize(graph);
    const trained = spec.groups.flatMap((g) => g.parameters);
    const grads = grad(loss, trained);
    const optimizer = adam(graph, spec.groups, new Map(trained.map((p, i) => [p, grads[i]])), spec.adam);

    const outputs: Record<string, Tensor> = { loss, grad_norm: optimizer.gradNorm, ...spec.outputs };
    for (const [p, updated] of optimizer.updates) outputs[p.name + NEXT] = updated;
    for (const slot of optimizer.state) outputs[slot.name + NEXT] = slot.output;

    const leaves = requiredLeaves(graph, Object.values(outputs));
    const fedParameters = [...graph.parameters.values()].map((p) => p.tensor).filter((t) => leaves.has(t));
    const dataInputs = [...graph.inputs.values()].filter((t) => leaves.has(t) && !isOptimizerInput(t, optimizer));
    const stateInputs = optimizer.state.map((s) => s.input);
    const controlInputs = [optimizer.step, ...optimizer.learningRates.values()].filter((t) => leaves.has(t));
    const inputs = [...dataInputs, ...fedParameters, ...stateInputs, ...controlInputs];

    const session = await createSession(serialize(graph, { inputs, outputs }), spec.session);
    return new TrainingStep(session, store, optimizer, fedParameters, trained, dataInputs, spec.groups);
  }

  async run(feeds: Record<string, ort.Tensor>): Promise<StepResult> {
    const { store } = this;
    const missing = this.dataInputs.filter((t) => !(t.name in feeds)).map((t) => t.name);
    if (missing.length > 0) throw new Error(`training step: missing inputs ${missing.join(', ')}`);

    const stepNumber = this.steps + 1;
    const scalar = (v: number): ort.Tensor => wrapFloat(store.dtype === 'float64' ? new Float64Array([v]) : new Float32Array([v]), []);
    const allFeeds: Record<string, ort.Tensor> = {};
    for (const t of this.dataInputs) allFeeds[t.name] = feeds[t.name];
    for (const p of this.fedParameters) allFeeds[p.name] = wrapFloat(store.get(p.name).data, store.get(p.name).shape);
    for (const slot of this.optimizer.state) allFeeds[slot.name] = wrapFloat(this.stateValues.get(slot.name)!, slot.shape);
    allFeeds[STEP_INPUT] = scalar(stepNumber);
    for (const [group, lr] of Object.entries(this.learningRates)) allFeeds[learningRateInput(group)] = scalar(lr);

    const fetches: Record<string, ort.Tensor | null> = { loss: null, grad_norm: null };
    for (const name of this.session.outputNames) {
      if (!name.endsWith(NEXT)) fetches[name] = null;
    }
    for (const p of this.trained) fetches[p.name + NEXT] = wrapFloat(this.spares.get(p.name)!, store.get(p.name).shape);
    for (const slot of this.optimizer.state) fetches[slot.name + NEXT] = wrapFloat(this.spares.get(slot.name)!, slot.shape);

    const results = await this.session.run(allFeeds, fetches as ort.InferenceSession.FetchesType);

    // Swap: the new values become current, the old buffers become the next step's outputs.
    for (const p of this.trained) {
      const current = store.get(p.name);
      store.set(p.name, current.shape, this.spares.get(p.name)!);
      this.spares.set(p.name, current.data);
    }
    for (const slot of this.optimizer.state) {
      const current = this.stateValues.get(slot.name)!;
      this.stateValues.set(slot.name, this.spares.get(slot.name)!);
      this.spares.set(slot.name, current);
    }
    this.steps = stepNumber;

    const out: StepResult = {};
    for (const [name, value] of Object.entries(results)) if (!name.endsWith(NEXT)) out[name] = value;
    return out;
  }

  /** Optimizer state (Adam moments and step count) for checkpoints. */
  optimizerState(): Map<string, FloatArray> {
    const out = new Map<string, FloatArray>();
    for (const [name, data] of this.stateValues) out.set(name, data.slice());
    return out;
  }

  loadOptimizerState(state: ReadonlyMap<string, FloatArray>, steps: number): void {
    for (const [name, current] of this.stateValues) {
      const saved = state.get(name);
      if (!saved || saved.length !== current.length) throw new Error(`checkpoint lacks optimizer state ${name}`);
      current.set(saved);
    }
    this.steps = steps;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

function isOptimizerInput(t: Tensor, optimizer: OptimizerGraph): boolean {
  return t === optimizer.step || [...optimizer.learningRates.values()].includes(t) || optimizer.state.some((s) => s.input === t);
}
