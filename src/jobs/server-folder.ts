/**
 * Training from a folder on the server (admins only): the folder must lie inside one of the
 * configured roots, after resolving symbolic links, so an API key cannot read arbitrary files.
 * Its good images (train/good of an MVTec category, or every image under it) are linked into the
 * job's staging folder rather than copied; links that point outside the roots are skipped.
 */
import { mkdir, realpath, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { loadGoodImages } from '../training/train-product.js';
import { JobRequestError } from './job-request-error.js';

/** The real path of `requested` if it is a folder inside one of `roots`. */
export async function resolveTrainingFolder(requested: string, roots: readonly string[]): Promise<string> {
  if (roots.length === 0) {
    throw new JobRequestError(403, 'folders-disabled', 'Training from server folders is disabled', 'No folder is allowed: set trainingRoots (KENSA_TRAINING_ROOTS) to the folders admins may train from, or upload the images.');
  }
  if (!path.isAbsolute(requested)) throw new JobRequestError(400, 'relative-folder', 'The folder must be an absolute path', `"${requested}" is relative; give the absolute path of a folder inside ${roots.join(', ')}.`);
  const real = await realpath(requested).catch(() => {
    throw new JobRequestError(422, 'folder-not-found', 'The folder does not exist', `${requested} does not exist or cannot be read by the server.`);
  });
  if (!(await insideRoots(real, roots))) {
    throw new JobRequestError(403, 'folder-not-allowed', 'The folder is outside the allowed roots', `${requested} is not inside an allowed training root (${roots.join(', ')}).`);
  }
  if (!(await stat(real)).isDirectory()) throw new JobRequestError(422, 'not-a-folder', 'The path is not a folder', `${requested} is a file; give the folder of good-part images.`);
  return real;
}

/** Links the folder's good images under `dest`; returns warnings (unreadable files, links leaving the roots). */
export async function linkFolderImages(folder: string, dest: string, roots: readonly string[]): Promise<string[]> {
  const { items, warnings } = await loadGoodImages(folder);
  const messages = warnings.map((w) => `${w.name}: ${w.message}`);
  for (const item of items) {
    const real = await realpath(item.path);
    if (!(await insideRoots(real, roots))) {
      messages.push(`${item.name}: skipped, it links outside the allowed training roots`);
      continue;
    }
    const target = path.join(dest, ...item.name.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await symlink(real, target);
  }
  return messages;
}

async function insideRoots(real: string, roots: readonly string[]): Promise<boolean> {
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => null);
    if (realRoot && (real === realRoot || real.startsWith(realRoot + path.sep))) return true;
  }
  return false;
}
