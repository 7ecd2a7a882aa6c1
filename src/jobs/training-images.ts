/**
 * The check of a job's staged images before it is queued, so a bad training set is refused at
 * once with a reason instead of failing minutes later in the runner: every file's size, format
 * and header are checked, reading the header only (the pixel limit guards against decompression
 * bombs, the size limit against files no camera image has), there must be at least
 * the pipeline's minimum of readable images, and images of mixed sizes are flagged (a camera's
 * images of one product usually share one size; another size often means another product).
 *
 * Strict (uploads): a file that is not a readable image refuses the upload, since every file was
 * chosen by the sender. Lenient (server folders): such files are skipped with a warning.
 */
import { checkFiles, listEntries } from '../datasets/scan.js';
import { MIN_TRAINING_IMAGES } from '../training/train-product.js';
import { JobRequestError } from './job-request-error.js';

export interface ImageCheckOptions {
  strict: boolean;
  maxImages: number;
  maxPixels: number;
  /** Largest image file, as for an upload's files and zip entries (server folders and the good set are not capped before). */
  maxImageBytes: number;
}

export interface ImageCheck {
  /** Readable images. */
  images: number;
  warnings: string[];
}

/** Files listed by name in an error, at most. */
const LISTED = 8;

export async function checkTrainingImages(dir: string, options: ImageCheckOptions): Promise<ImageCheck> {
  const { files } = await listEntries(dir, dir, true);
  if (files.length > options.maxImages) {
    throw new JobRequestError(413, 'too-many-images', 'Too many images', `The training set has ${files.length} files; a job takes at most ${options.maxImages}.`);
  }
  const checked = await checkFiles(dir, files, 'header', { maxPixels: options.maxPixels, maxBytes: options.maxImageBytes });
  const unreadable = checked.filter((file) => file.problem);
  const warnings: string[] = [];
  if (unreadable.length > 0) {
    const list = unreadable.slice(0, LISTED).map((file) => `${file.name} (${file.problem})`);
    if (unreadable.length > LISTED) list.push(`and ${unreadable.length - LISTED} more`);
    if (options.strict) {
      throw new JobRequestError(422, 'not-images', 'Some files are not readable images', `${unreadable.length} of ${files.length} files are not images kensa can read: ${list.join('; ')}. Remove them and upload again.`);
    }
    warnings.push(`${unreadable.length} files are skipped, they are not readable images: ${list.join('; ')}`);
  }
  const images = checked.length - unreadable.length;
  if (images < MIN_TRAINING_IMAGES) {
    throw new JobRequestError(422, 'too-few-images', 'Too few images', `The training set has ${images} readable images; training needs at least ${MIN_TRAINING_IMAGES} images of good parts.`);
  }
  const sizes = new Map<string, number>();
  for (const { info } of checked) {
    if (!info) continue;
    const size = `${info.width}x${info.height}`;
    sizes.set(size, (sizes.get(size) ?? 0) + 1);
  }
  if (sizes.size > 1) {
    const common = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([size, count]) => `${size} (${count})`);
    warnings.push(`the images come in ${sizes.size} sizes: ${common.join(', ')}${sizes.size > 4 ? ', ...' : ''}; check that they all show this product from the same camera`);
  }
  return { images, warnings };
}
