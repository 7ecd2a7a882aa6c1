/**
 * Convert the built-in backbones ahead of time (they are otherwise converted on first use), or
 * check a user backbone manifest. Offline: the weights come from node_modules/nsfwjs.
 *
 *   npx tsx scripts/convert-backbones.ts [--models-dir models] [--force] [mobilenet_v2 inception_v3 | path/to/backbone.json ...]
 */
import { rm } from 'node:fs/promises';
import { Command } from 'commander';
import { BUILTIN_BACKBONES, builtinDir, DEFAULT_BACKBONE, isBuiltinBackbone, loadBackbone } from '../src/backbones/index.js';
import { FeatureExtractor } from '../src/features/index.js';

const program = new Command()
  .argument('[backbones...]', `built-in names (${BUILTIN_BACKBONES.join(', ')}) or backbone.json paths`, [DEFAULT_BACKBONE])
  .option('--models-dir <dir>', 'where models/backbones/<name>/ lives', 'models')
  .option('--force', 'reconvert even if a valid cache exists', false)
  .parse();

const options = program.opts<{ modelsDir: string; force: boolean }>();
for (const ref of program.processedArgs[0] as string[]) {
  if (options.force && isBuiltinBackbone(ref)) await rm(builtinDir(options.modelsDir, ref), { recursive: true, force: true });
  const start = performance.now();
  const backbone = await loadBackbone(ref, options.modelsDir);
  const m = backbone.manifest;
  const fx = await FeatureExtractor.create({ backbone, threads: 1 });
  const [h, w] = m.input.size;
  const out = await fx.run(new Float32Array(3 * h * w).fill(0.5), [1, 3, h, w]);
  await fx.release();
  console.log(
    `${m.name}: ${backbone.source} (${((performance.now() - start) / 1000).toFixed(1)} s); ` +
      `default features [${out.dims.join(', ')}] from ${fx.layers.map((l) => `${l.name} (s${l.stride}, ${l.channels})`).join(', ')}`,
  );
}
