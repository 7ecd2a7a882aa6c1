/** `kensa synth`: generate a synthetic inspection dataset in the MVTec AD layout. */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { z } from 'zod';
import { generateDataset } from '../synth/generate.js';
import { PRODUCT_KINDS, PRODUCTS } from '../synth/products/index.js';

const integer = (flag: string) => z.string().regex(/^\d+$/, `${flag} must be a whole number`).transform(Number);

const DEFAULT_SIZES = Object.values(PRODUCTS)
  .map(({ kind, defaultSize }) => `${kind} ${defaultSize.width}x${defaultSize.height}`)
  .join(', ');

const CliOptions = z.object({
  out: z.string().min(1),
  kind: z.enum(PRODUCT_KINDS as [string, ...string[]], { message: `--kind must be one of: ${PRODUCT_KINDS.join(', ')}` }),
  seed: integer('--seed'),
  train: integer('--train'),
  testGood: integer('--test-good'),
  testDefect: integer('--test-defect'),
  size: z
    .string()
    .regex(/^\d+(x\d+)?$/, '--size must be WxH (or one number for a square), e.g. 256x256')
    .transform((value) => {
      const [width, height = width] = value.split('x').map(Number);
      return { width, height };
    })
    .optional(),
  force: z.boolean().default(false),
});

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('generate a synthetic inspection dataset (MVTec AD layout) of good and defective parts')
    .requiredOption('--out <dir>', 'dataset folder (created; must be empty unless --force)')
    .requiredOption('--kind <kind>', `product kind: ${PRODUCT_KINDS.join(', ')}`)
    .requiredOption('--seed <n>', 'random seed: the same seed and options give identical files')
    .option('--train <n>', 'good training images', '60')
    .option('--test-good <n>', 'good test images', '10')
    .option('--test-defect <n>', 'test images per defect type', '4')
    .option('--size <WxH>', `image size in pixels (default per kind: ${DEFAULT_SIZES})`)
    .option('--force', 'replace the dataset already in --out')
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const parsed = CliOptions.safeParse(raw);
      if (!parsed.success) command.error(`kensa synth: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
      const { out, kind, seed, train, testGood, testDefect, size, force } = parsed.data;

      // A bar only for a person watching; logs and pipes get the summary line alone.
      const bar = process.stdout.isTTY ? new SingleBar({ format: 'synth {bar} {value}/{total} images | {eta_formatted}', stream: process.stdout }) : null;
      const started = performance.now();
      try {
        const dataset = await generateDataset(
          { out, kind, seed, train, testGood, testDefect, ...size, overwrite: force },
          (done, total) => {
            if (done === 0) bar?.start(total, 0);
            else bar?.update(done);
          },
        );
        bar?.stop();
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        console.log(`kensa synth: ${dataset.images.length} ${kind} images (${dataset.width}x${dataset.height}, seed ${seed}) in ${dataset.root}, ${seconds} s`);
      } catch (error) {
        // Not a usage error (a folder in the way, a full disk): the message alone, no help text.
        bar?.stop();
        console.error(`kensa ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      }
    });
}
