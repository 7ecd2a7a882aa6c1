#!/usr/bin/env node
/** The `kensa` command line: one sub-command per file in this folder. */
import { Command } from 'commander';
import { registerServe } from './serve.js';
import { registerSynth } from './synth.js';

const program = new Command()
  .name('kensa')
  .description('Industrial visual inspection: DxMI energy-based anomaly detection on ONNX Runtime')
  .version('0.1.0')
  .showHelpAfterError();

registerServe(program);
registerSynth(program);

await program.parseAsync();
