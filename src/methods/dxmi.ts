/**
 * DxMI (and its ablation `ae`): the spherical autoencoder energy, pretrained on reconstruction of
 * the training features and then, for DxMI, trained jointly with the diffusion sampler.
 */
import { DxmiConfigSchema, type DxmiConfig } from '../dxmi/config.js';
import { energyNet } from '../dxmi/networks.js';
import { trainDxmi, type DxmiProgress } from '../dxmi/trainer.js';
import { rowwise } from '../model/anomaly-head.js';
import { featureRows, type FeatureSet, type FitOptions, type FittedMethod } from './method.js';

function describe(p: DxmiProgress): string {
  if (p.phase === 'pretrain') return `autoencoder ${p.iteration}/${p.iterations}  loss ${p.loss?.toFixed(4)}`;
  const sigma = p.sigma?.map((s) => s.toFixed(3)).join(' ');
  return `DxMI ${p.iteration}/${p.iterations}  E+ ${p.energyPositive?.toFixed(4)}  E- ${p.energyNegative?.toFixed(4)}  V ${p.valueLoss?.toExponential(2)}  sampler ${p.samplerLoss?.toFixed(3)}  sigma ${sigma}`;
}

/** `ae` is DxMI with zero DxMI epochs: the pretrained autoencoder alone. */
export async function fitDxmi(features: FeatureSet, config: DxmiConfig, options: FitOptions = {}, ablation = false): Promise<FittedMethod> {
  const resolved = DxmiConfigSchema.parse(ablation ? { ...config, epochs: 0, maxIterations: undefined } : config);
  const rows = featureRows(features, true);
  const count = rows.length / features.channels;
  const run = await trainDxmi({ data: rows, count, dim: features.channels }, { ...resolved, batch: Math.min(resolved.batch, count) }, {
    session: options.session,
    signal: options.signal,
    progressEvery: 20,
    onProgress: (p) => {
      const pretrainShare = resolved.epochs === 0 ? 1 : 0.5;
      const fraction = p.phase === 'pretrain' ? pretrainShare * (p.iteration / p.iterations) : pretrainShare + (1 - pretrainShare) * (p.iteration / p.iterations);
      options.onProgress?.(describe(p), fraction);
    },
  });
  return {
    method: ablation ? 'ae' : 'dxmi',
    energy: (graph) => rowwise(energyNet(graph, features.channels, resolved.energy).energy),
    store: run.store,
    config: { ...resolved },
    trainSeconds: run.seconds,
  };
}
