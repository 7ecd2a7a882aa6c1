/**
 * DxMI's 2-D sanity check beside the paper's Table 1.
 *   npm run sanity:2d -- [--iterations N] [--seed N] [--json]
 */
import { Command } from 'commander';
import { PAPER_TABLE_1, runSanity2d } from '../src/dxmi/sanity-2d.js';

const options = new Command()
  .option('--iterations <n>', 'DxMI iterations per tau', (v) => parseInt(v, 10), 3000)
  .option('--seed <n>', 'seed', (v) => parseInt(v, 10), 0)
  .option('--json', 'print only the JSON line')
  .parse()
  .opts<{ iterations: number; seed: number; json?: boolean }>();

const rows = [];
for (const paper of PAPER_TABLE_1) {
  const result = await runSanity2d(paper.tau, {
    iterations: options.iterations,
    seed: options.seed,
    onProgress: options.json
      ? undefined
      : (p) => process.stdout.write(`\rtau ${paper.tau}: iteration ${p.iteration}/${p.iterations}  E+ ${p.energyPositive?.toFixed(3)}  E- ${p.energyNegative?.toFixed(3)}  sigma ${p.sigma?.map((s) => s.toFixed(3)).join(' ')}   `),
  });
  rows.push({ tau: paper.tau, sw: result.slicedWasserstein, auc: result.auc, paperSw: paper.slicedWasserstein, paperAuc: paper.auc, seconds: result.seconds });
  if (!options.json) process.stdout.write('\n');
}
if (!options.json) {
  const fmt = (v: number | null): string => (v === null ? '   -  ' : v.toFixed(3).padStart(6));
  console.log('\n  tau |  SW (ours) SW (paper) | AUC (ours) AUC (paper) | seconds');
  for (const r of rows) console.log(`${r.tau.toFixed(1).padStart(5)} |  ${fmt(r.sw)}     ${fmt(r.paperSw)} |   ${fmt(r.auc)}      ${fmt(r.paperAuc)} | ${r.seconds.toFixed(0)}`);
}
console.log(JSON.stringify(rows.map(({ tau, sw, auc }) => ({ tau, slicedWasserstein: +sw.toFixed(4), auc: +auc.toFixed(4) }))));
