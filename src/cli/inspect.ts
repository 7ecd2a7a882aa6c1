/** `kensa inspect`: one image through a model package, offline; prints the verdict, writes the overlay. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { packBatch } from '../image/batch.js';
import { COLORMAPS, renderOverlay, type Colormap } from '../model/heatmap.js';
import { LoadedModel } from '../model/loaded-model.js';
import { DEVICES, type Device } from '../onnx/session.js';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('score one image with a model package and write its heatmap overlay')
    .argument('<image>', 'image file (PNG, JPEG, TIFF, WebP, BMP)')
    .requiredOption('--model <dir>', 'model package folder (model.onnx + manifest.json)')
    .option('--out <file>', 'overlay PNG (default: <image>.overlay.png)')
    .addOption(new Option('--colormap <name>', 'heatmap colormap').choices(COLORMAPS).default('turbo'))
    .option('--opacity <f>', 'heatmap opacity over the image', Number, 0.45)
    .option('--min-region-area <px>', 'smallest region reported, in image pixels', Number, 25)
    .addOption(new Option('--device <device>', 'ONNX Runtime execution provider').choices(DEVICES).default('cpu'))
    .action(async (image: string, raw: { model: string; out?: string; colormap: Colormap; opacity: number; minRegionArea: number; device: Device }) => {
      try {
        const model = await LoadedModel.load(raw.model, { device: raw.device });
        const bytes = await readFile(image);
        const decoded = await model.decode(bytes);
        const started = performance.now();
        const outputs = await model.run(packBatch([decoded]));
        const inferenceMs = performance.now() - started;
        const verdict = model.interpret(outputs, 0, decoded.original, { minRegionArea: raw.minRegionArea });
        const out = raw.out ?? `${image}.overlay.png`;
        await writeFile(out, await renderOverlay(bytes, verdict.map, raw.colormap, raw.opacity));
        await model.release();
        const { map: _map, ...answer } = verdict;
        console.log(JSON.stringify({ image: path.resolve(image), model: `${model.manifest.product}/${model.manifest.version}`, ...answer, inferenceMs: +inferenceMs.toFixed(1), overlay: path.resolve(out) }, null, 2));
      } catch (error) {
        console.error(`kensa inspect: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      }
    });
}
