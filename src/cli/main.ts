#!/usr/bin/env node
/** The `kensa` command line: one sub-command per file in this folder. */
import { Command } from 'commander';
import { registerBackup } from './backup.js';
import { registerJobs } from './jobs.js';
import { registerKeys } from './keys.js';
import { registerServe } from './serve.js';
import { registerEval } from './eval.js';
import { registerInspect } from './inspect.js';
import { registerSynth } from './synth.js';
import { registerTrain } from './train.js';

const program = new Command()
  .name('kensa')
  .description('Industrial visual inspection: DxMI energy-based anomaly detection on ONNX Runtime')
  .version('0.1.0')
  .showHelpAfterError();

registerServe(program);
registerKeys(program);
registerSynth(program);
registerEval(program);
registerTrain(program);
registerJobs(program);
registerInspect(program);
registerBackup(program);

await program.parseAsync();
