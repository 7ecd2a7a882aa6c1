/** `kensa eval`: every method on an MVTec category, side by side. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { evaluate } from '../evaluation/evaluate.js';
import { summary, table, writeReport } from '../evaluation/report.js';
import { METHODS, type Method } from '../model/manifest.js';
import { stageProgress } from './progress.js';
import { addTrainingOptions, trainingSettings } from './training-options.js';

export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .description('train each method on <data>/train/good and evaluate it on <data>/test (MVTec AD layout)')
    .requiredOption('--data <dir>', 'an MVTec AD category root')
    .option('--methods <list>', `comma-separated: ${METHODS.join(', ')}`, METHODS.join(','))
    .option('--json <file>', 'write the summary JSON here')
    .option('--report <dir>', 'write a report folder: summary.json, roc.png, scores.csv, heatmaps of the best and worst cases, and the evaluated model packages')
    .option('--models <dir>', 'where converted backbones are cached', 'models')
    .option('--monitor-every <n>', 'print DxMI\'s test image AUROC every n iterations while it trains (monitoring only)', Number);
  addTrainingOptions(command).action(async (raw: Record<string, unknown>) => {
    const methods = String(raw.methods).split(',') as Method[];
    const unknown = methods.filter((m) => !METHODS.includes(m));
    if (unknown.length > 0) command.error(`kensa eval: unknown method ${unknown.join(', ')}; use ${METHODS.join(', ')}`);
    const progress = stageProgress();
    const report = raw.report as string | undefined;
    try {
      const evaluation = await evaluate({
        ...trainingSettings(raw),
        data: raw.data as string,
        modelsDir: raw.models as string,
        methods,
        monitorEvery: raw.monitorEvery as number | undefined,
        workDir: report ? path.join(report, 'models') : await mkdtemp(path.join(os.tmpdir(), 'kensa-eval-')),
        onProgress: progress.update,
        onWarning: (message) => console.warn(`warning: ${message}`),
      });
      progress.stop();
      console.log(table(evaluation));
      const json = JSON.stringify(summary(evaluation));
      if (raw.json) await writeFile(raw.json as string, `${json}\n`);
      if (report) await writeReport(report, evaluation);
      console.log(json);
    } catch (error) {
      progress.stop();
      console.error(`kensa eval: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  });
}
