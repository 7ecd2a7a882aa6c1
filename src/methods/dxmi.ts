/**
 * DxMI (and its ablation `ae`): the spherical autoencoder energy, pretrained on reconstruction of
 * the training features and then, for DxMI, trained jointly with the diffusion sampler.
 */
import { DxmiConfigSchema, sphericalCounterpart, type DxmiConfig } from '../dxmi/config.js';
import { energyNet } from '../dxmi/networks.js';
import { trainDxmi, type DxmiProgress } from '../dxmi/trainer.js';
import { rowwise } from '../model/anomaly-head.js';
import ort from 'onnxruntime-node';
import { auroc } from '../metrics/roc.js';
import { ForwardStep } from '../onnx/forward-step.js';
import { Graph } from '../onnx/graph.js';
import type { ParameterStore } from '../onnx/parameters.js';
import { featureRows, type FeatureSet, type FitOptions, type FittedMethod } from './method.js';
import { fitResidualDxmi } from './residual-dxmi.js';

function describe(p: DxmiProgress): string {
  if (p.phase === 'pretrain') return `autoencoder ${p.iteration}/${p.iterations}  loss ${p.loss?.toFixed(4)}`;
  const sigma = p.sigma?.map((s) => s.toFixed(3)).join(' ');
  const validation = p.validation === undefined ? '' : `  validation AUROC ${p.validation.toFixed(4)}`;
  return `DxMI ${p.iteration}/${p.iterations}  E+ ${p.energyPositive?.toFixed(4)}  E- ${p.energyNegative?.toFixed(4)}  V ${p.valueLoss?.toExponential(2)}  sampler ${p.samplerLoss?.toFixed(3)}  sigma ${sigma}${validation}`;
}

/** Image AUROC (max energy over positions) of the current energy on labelled feature maps. */
async function validator(validation: NonNullable<FitOptions['validation']>, config: DxmiConfig, session: FitOptions['session']) {
  const { features, labels } = validation;
  const rows = featureRows(features, true);
  const graph = new Graph();
  const x = graph.input('x', ['N', features.channels]);
  let step: ForwardStep | null = null;
  return async (store: ParameterStore): Promise<number> => {
    step ??= await ForwardStep.compile(graph, { energy: energyNet(graph, features.channels, config.energy).energy(x) }, store, session);
    const energies = (await step.run({ x: new ort.Tensor('float32', rows, [rows.length / features.channels, features.channels]) })).energy.data as Float32Array;
    let offset = 0;
    const scores = features.maps.map((map) => {
      const positions = map.height * map.width;
      let max = -Infinity;
      for (let p = 0; p < positions; p++) max = Math.max(max, energies[offset + p]);
      offset += positions;
      return max;
    });
    return auroc(scores, labels);
  };
}

/**
 * DxMI with the configured energy: `dxmi` as configured (the residual energy by default), or the
 * paper's spherical autoencoder (`dxmi-spherical`), or that autoencoder alone (`ae`, DxMI with
 * zero DxMI epochs).
 */
export async function fitDxmi(features: FeatureSet, config: DxmiConfig, options: FitOptions = {}, variant: 'dxmi' | 'dxmi-spherical' | 'ae' = 'dxmi'): Promise<FittedMethod> {
  if (variant === 'dxmi' && config.energy.kind === 'residual') return fitResidualDxmi(features, config, options, describe);
  const spherical = sphericalCounterpart(config);
  const ablation = variant === 'ae';
  const resolved = DxmiConfigSchema.parse(ablation ? { ...spherical, epochs: 0, maxIterations: undefined } : spherical);
  const rows = featureRows(features, true);
  const count = rows.length / features.channels;
  const validation = options.validation && !ablation ? { every: options.validation.every, run: await validator(options.validation, resolved, options.session) } : undefined;
  const run = await trainDxmi({ data: rows, count, dim: features.channels }, { ...resolved, batch: Math.min(resolved.batch, count) }, {
    session: options.session,
    signal: options.signal,
    progressEvery: 20,
    validate: validation,
    onProgress: (p) => {
      const pretrainShare = resolved.epochs === 0 ? 1 : 0.5;
      const fraction = p.phase === 'pretrain' ? pretrainShare * (p.iteration / p.iterations) : pretrainShare + (1 - pretrainShare) * (p.iteration / p.iterations);
      options.onProgress?.(describe(p), fraction);
    },
  });
  return {
    method: variant,
    energy: (graph) => rowwise(energyNet(graph, features.channels, resolved.energy).energy),
    store: run.store,
    config: { ...resolved },
    trainSeconds: run.seconds,
    monitor: run.history.flatMap((p) => (p.validation === undefined ? [] : [{ iteration: p.iteration, auroc: p.validation }])),
  };
}
