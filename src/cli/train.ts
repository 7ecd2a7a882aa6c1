/** `kensa train`: a calibrated model package from a folder of good parts. */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { METHODS, type Method } from '../model/manifest.js';
import { trainProduct } from '../training/train-product.js';
import { stageProgress } from './progress.js';
import { addTrainingOptions, trainingSettings } from './training-options.js';

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description('train, export and calibrate a model on good parts (an MVTec category root or a folder of images)')
    .requiredOption('--data <dir>', 'good images: <dir>/train/good of an MVTec category, or every image under <dir>')
    .option('--product <name>', 'product name (default: the data folder name)')
    .option('--model-version <name>', 'model version (default: a timestamp)')
    .option('--out <dir>', 'package folder (default: <models>/<product>/<version>)')
    .option('--models <dir>', 'models folder (packages and converted backbones)', 'models')
    .addOption(new Option('--method <method>', 'anomaly method').choices(METHODS).default('dxmi'));
  addTrainingOptions(command).action(async (raw: Record<string, unknown>) => {
    const s = trainingSettings(raw);
    const progress = stageProgress();
    const product = (raw.product as string | undefined) ?? path.basename(path.resolve(raw.data as string));
    try {
      const pkg = await trainProduct({
        data: raw.data as string,
        product,
        version: raw.modelVersion as string | undefined,
        out: raw.out as string | undefined,
        modelsDir: raw.models as string,
        method: raw.method as Method,
        ...s,
        onProgress: progress.update,
        onWarning: (message) => console.warn(`warning: ${message}`),
      });
      progress.stop();
      const c = pkg.manifest.calibration;
      console.log(`kensa train: ${pkg.manifest.method} model for ${product} in ${pkg.dir}`);
      console.log(`  ${pkg.manifest.training.images} training images, ${c.images} held out; ${pkg.manifest.training.seconds.toFixed(0)} s`);
      console.log(`  image threshold ${c.image.threshold.toPrecision(4)} (${c.rule})`);
    } catch (error) {
      progress.stop();
      console.error(`kensa train: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  });
}
