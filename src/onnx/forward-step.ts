/**
 * A compiled forward pass whose parameters are fed from a ParameterStore at every run, so it
 * always sees the values the training steps have just written (a rollout, a validation pass).
 */
import type ort from 'onnxruntime-node';
import type { Graph } from './graph.js';
import type { ParameterStore } from './parameters.js';
import { requiredLeaves, serialize } from './serialize.js';
import { createSession, wrapFloat, type SessionConfig } from './session.js';
import type { Tensor } from './tensor.js';

export class ForwardStep {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly store: ParameterStore,
    private readonly parameters: readonly Tensor[],
    readonly dataInputs: readonly Tensor[],
  ) {}

  static async compile(graph: Graph, outputs: Record<string, Tensor>, store: ParameterStore, session?: SessionConfig): Promise<ForwardStep> {
    store.initialize(graph);
    const leaves = requiredLeaves(graph, Object.values(outputs));
    const parameters = [...graph.parameters.values()].map((p) => p.tensor).filter((t) => leaves.has(t));
    const dataInputs = [...graph.inputs.values()].filter((t) => leaves.has(t));
    const model = serialize(graph, { inputs: [...dataInputs, ...parameters], outputs });
    return new ForwardStep(await createSession(model, session), store, parameters, dataInputs);
  }

  async run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    const missing = this.dataInputs.filter((t) => !(t.name in feeds)).map((t) => t.name);
    if (missing.length > 0) throw new Error(`forward step: missing inputs ${missing.join(', ')}`);
    const all: Record<string, ort.Tensor> = {};
    for (const t of this.dataInputs) all[t.name] = feeds[t.name];
    for (const p of this.parameters) {
      const value = this.store.get(p.name);
      all[p.name] = wrapFloat(value.data, value.shape);
    }
    return this.session.run(all);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
