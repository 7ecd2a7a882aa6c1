/**
 * Generate a whole synthetic dataset: plan every image, render it, write it with its mask.
 *
 * Each image draws from its own stream, forked from the seed by its split, folder and index, so
 * the same seed gives byte-identical files, and asking for more or fewer images of one folder
 * leaves every other image unchanged.
 */
import path from 'node:path';
import { z } from 'zod';
import { Random } from '../util/random.js';
import { PRODUCT_KINDS, PRODUCTS } from './products/index.js';
import type { Size } from './raster.js';
import { renderSample } from './render.js';
import { imagePath, maskPath, prepareRoot, stem, writeJson, writePng, type Split } from './writer.js';

const count = z.number().int().min(0).max(100_000);
/** Line cameras reach 8k pixels a line; 20 megapixels bounds the frame (and the ~1 GB it takes to render). */
const side = z.number().int().min(32).max(8192);
const MAX_PIXELS = 20_000_000;

export const SynthOptionsSchema = z
  .object({
    /** Dataset folder; created if missing. */
    out: z.string().min(1),
    kind: z.enum(PRODUCT_KINDS as [string, ...string[]]),
    seed: z.number().int().min(0).max(0x7fffffff),
    train: count.default(60),
    testGood: count.default(10),
    /** Test images per defect type. */
    testDefect: count.default(4),
    /** Default: the product's own size. */
    width: side.optional(),
    height: side.optional(),
    /** Replace a dataset already in `out`. Without it, a folder that is not empty is refused. */
    overwrite: z.boolean().default(false),
  })
  .refine(
    (o) => {
      const { width, height } = frameSize(o);
      return width * height <= MAX_PIXELS;
    },
    { message: `width x height must be at most ${MAX_PIXELS} pixels`, path: ['width'] },
  );

export type SynthOptions = z.input<typeof SynthOptionsSchema>;

/** The size asked for, each side defaulting to the product's own. */
function frameSize(o: { kind: string; width?: number; height?: number }): Size {
  const { defaultSize } = PRODUCTS[o.kind];
  return { width: o.width ?? defaultSize.width, height: o.height ?? defaultSize.height };
}

export interface GeneratedImage {
  split: Split;
  /** `good` or the defect type. */
  category: string;
  image: string;
  /** Null for good images. */
  mask: string | null;
}

export interface Dataset {
  root: string;
  kind: string;
  seed: number;
  width: number;
  height: number;
  channels: 1 | 3;
  defects: readonly string[];
  /** Images per folder, keyed `train/good`, `test/good`, `test/<defect>`. */
  counts: Record<string, number>;
  images: GeneratedImage[];
}

/** PNG encoding runs on sharp's threads while the next image renders; this bounds the backlog. */
const PENDING_WRITES = 4;

export async function generateDataset(options: SynthOptions, onProgress?: (done: number, total: number) => void): Promise<Dataset> {
  const parsed = SynthOptionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`synth: invalid options\n${z.prettifyError(parsed.error)}`);
  const o = parsed.data;
  const product = PRODUCTS[o.kind];
  const root = path.resolve(o.out);
  const size = frameSize(o);
  const folders: { split: Split; category: string; count: number }[] = [
    { split: 'train', category: 'good', count: o.train },
    { split: 'test', category: 'good', count: o.testGood },
    ...product.defects.map((defect) => ({ split: 'test' as const, category: defect, count: o.testDefect })),
  ];
  const total = folders.reduce((sum, folder) => sum + folder.count, 0);

  await prepareRoot(root, o.overwrite);
  onProgress?.(0, total);
  const seeds = new Random(o.seed).fork(product.kind);
  const images: GeneratedImage[] = [];
  const pending: Promise<void>[] = [];
  let done = 0;
  try {
    for (const { split, category, count } of folders) {
      const defect = category === 'good' ? null : category;
      for (let index = 0; index < count; index++) {
        const name = stem(index, count);
        const sample = renderSample(product, size, seeds.fork(`${split}/${category}/${index}`), defect);
        const entry: GeneratedImage = { split, category, image: imagePath(root, split, category, name), mask: null };
        const writes = [writePng(entry.image, sample.image, size, product.channels)];
        if (sample.mask) {
          entry.mask = maskPath(root, category, name);
          writes.push(writePng(entry.mask, sample.mask, size, 1));
        }
        images.push(entry);
        pending.push(Promise.all(writes).then(() => onProgress?.(++done, total)));
        if (pending.length >= PENDING_WRITES) await pending.shift();
      }
    }
    await Promise.all(pending);
  } catch (error) {
    // Let the writes in flight finish (or fail) before reporting, so none rejects unobserved.
    await Promise.allSettled(pending);
    throw error;
  }

  const counts = Object.fromEntries(folders.map((folder) => [`${folder.split}/${folder.category}`, folder.count]));
  const dataset: Dataset = { root, kind: product.kind, seed: o.seed, ...size, channels: product.channels, defects: product.defects, counts, images };
  await writeJson(path.join(root, 'dataset.json'), {
    format: 'mvtec-ad',
    generator: 'kensa synth',
    kind: product.kind,
    description: product.description,
    seed: o.seed,
    ...size,
    channels: product.channels,
    defects: product.defects,
    counts,
  });
  return dataset;
}
