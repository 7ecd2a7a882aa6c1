/**
 * DxMI's 2-D sanity check beside the paper's Table 1: per tau, the median over seeds.
 *   npm run sanity:2d -- [--iterations N] [--seed N] [--seeds N] [--energy mlp|residual] [--png DIR] [--json]
 * Without --json it also prints, per run, what decides the result at the end of training: per
 * step sigma_t, the AVR scale s_t, the velocity cost, the entropy bonus and the value loss.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { writeSanityPng } from '../src/dxmi/sanity-2d-plot.js';
import { PAPER_TABLE_1, runSanity2d, SANITY_ENERGIES, sanityEnergy, type SanityEnergy, type SanityResult } from '../src/dxmi/sanity-2d.js';

const options = new Command()
  .option('--iterations <n>', 'DxMI iterations per run', (v) => parseInt(v, 10), 15000)
  .option('--seed <n>', 'first seed', (v) => parseInt(v, 10), 0)
  .option('--seeds <n>', 'seeds per tau', (v) => parseInt(v, 10), 3)
  .addOption(new Option('--energy <kind>', "the paper's MLP energy or kensa's residual energy").choices(SANITY_ENERGIES).default('mlp'))
  .option('--png <dir>', 'write samples over data and the energy landscape per run as PNG')
  .option('--json', 'print only the JSON line')
  .parse()
  .opts<{ iterations: number; seed: number; seeds: number; energy: SanityEnergy; png?: string; json?: boolean }>();

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fixed = (values: readonly number[] | undefined): string => (values ?? []).map((v) => v.toFixed(3).padStart(7)).join(' ');

function diagnostics(r: SanityResult, seed: number): string {
  const f = r.final;
  return [
    `tau ${r.tau} seed ${seed}: SW ${r.slicedWasserstein.toFixed(3)} (data vs data ${r.slicedWassersteinFloor.toFixed(3)})  AUC ${r.auc.toFixed(3)}  E(data) ${f?.energyPositive?.toFixed(3)}  E(samples) ${f?.energyNegative?.toFixed(3)}  ${r.seconds.toFixed(0)} s`,
    `  sigma_t        ${fixed(f?.sigma)}`,
    `  s_t            ${fixed(f?.s)}`,
    `  velocity cost  ${fixed(f?.velocityCost)}`,
    `  entropy bonus  ${fixed(f?.entropyBonus)}`,
    `  value loss     ${fixed(f?.valueLossPerStep)}`,
  ].join('\n');
}

if (options.png) mkdirSync(options.png, { recursive: true });
const rows = [];
for (const paper of PAPER_TABLE_1) {
  const seeds = [];
  for (let seed = options.seed; seed < options.seed + options.seeds; seed++) {
    const result = await runSanity2d(paper.tau, {
      iterations: options.iterations,
      seed,
      overrides: { energy: sanityEnergy(options.energy) },
      onProgress: options.json
        ? undefined
        : (p) => process.stdout.write(`\rtau ${paper.tau} seed ${seed}: iteration ${p.iteration}/${p.iterations}  E+ ${p.energyPositive?.toFixed(3)}  E- ${p.energyNegative?.toFixed(3)}  sigma ${fixed(p.sigma)}   `),
    });
    if (!options.json) process.stdout.write(`\n${diagnostics(result, seed)}\n`);
    if (options.png) await writeSanityPng(join(options.png, `tau-${paper.tau}-seed-${seed}.png`), result.samples, result.reference, result.landscape);
    seeds.push({ seed, slicedWasserstein: +result.slicedWasserstein.toFixed(4), slicedWassersteinFloor: +result.slicedWassersteinFloor.toFixed(4), auc: +result.auc.toFixed(4), seconds: +result.seconds.toFixed(1) });
  }
  rows.push({
    tau: paper.tau,
    slicedWasserstein: median(seeds.map((s) => s.slicedWasserstein)),
    auc: median(seeds.map((s) => s.auc)),
    paperSw: paper.slicedWasserstein,
    paperAuc: paper.auc,
    seeds,
  });
}
if (!options.json) {
  const fmt = (v: number | null): string => (v === null ? '   -  ' : v.toFixed(3).padStart(6));
  console.log(`\nmedian over ${options.seeds} seeds`);
  console.log('  tau |  SW (ours) SW (paper) | AUC (ours) AUC (paper)');
  for (const r of rows) console.log(`${r.tau.toFixed(1).padStart(5)} |  ${fmt(r.slicedWasserstein)}     ${fmt(r.paperSw)} |   ${fmt(r.auc)}      ${fmt(r.paperAuc)}`);
}
console.log(JSON.stringify(rows.map(({ tau, slicedWasserstein, auc, seeds }) => ({ tau, slicedWasserstein, auc, seeds }))));
