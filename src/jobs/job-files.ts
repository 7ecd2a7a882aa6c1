/**
 * Where a training job's files live, and their cleanup:
 * - <dataDir>/jobs/<id>/: the staged training images, the reviewed inspection images it is
 *   evaluated on, upload scratch; removed when the job ends;
 * - <modelsDir>/<product>/.job-<id>/<version>/: the package the runner writes. The server moves
 *   it to <modelsDir>/<product>/<version>/ with one rename (same file system) once the job
 *   succeeded, so a package under a version name is always complete. Hidden, it is never taken
 *   for a package by model discovery meanwhile.
 * A crash can leave either behind, or a writeModelPackage staging folder (".partial-<pid>-"):
 * `sweep` removes what belongs to no live job or process, at startup.
 */
import { copyFile, link, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

export class JobFiles {
  constructor(
    readonly dataDir: string,
    readonly modelsDir: string,
  ) {}

  jobDir(jobId: string): string {
    return path.join(this.dataDir, 'jobs', jobId);
  }

  imagesDir(jobId: string): string {
    return path.join(this.jobDir(jobId), 'images');
  }

  uploadDir(jobId: string): string {
    return path.join(this.jobDir(jobId), 'upload');
  }

  validationDir(jobId: string): string {
    return path.join(this.jobDir(jobId), 'validation');
  }

  packageStaging(productId: string, jobId: string): string {
    return path.join(this.modelsDir, productId, `.job-${jobId}`);
  }

  packageDir(productId: string, version: string): string {
    return path.join(this.modelsDir, productId, version);
  }

  /** The product's good set: inspection images QA marked good, trained on by its next jobs. */
  goodSetDir(productId: string): string {
    return path.join(this.dataDir, 'good-sets', productId);
  }

  async remove(jobId: string, productId: string): Promise<void> {
    await rm(this.jobDir(jobId), { recursive: true, force: true });
    await rm(this.packageStaging(productId, jobId), { recursive: true, force: true });
  }

  /**
   * Remove job folders and package staging of jobs not in `keep`, and package staging folders of
   * processes that are gone. Returns what was removed.
   */
  async sweep(keep: ReadonlySet<string>): Promise<string[]> {
    const removed: string[] = [];
    const drop = async (dir: string) => {
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    };
    for (const id of await list(path.join(this.dataDir, 'jobs'))) if (!keep.has(id)) await drop(this.jobDir(id));
    for (const product of await list(this.modelsDir)) {
      for (const name of await list(path.join(this.modelsDir, product))) {
        const job = /^\.job-(.+)$/.exec(name);
        const partial = /\.partial-(\d+)-\d+$/.exec(name);
        if ((job && !keep.has(job[1])) || (partial && !isAlive(Number(partial[1])))) await drop(path.join(this.modelsDir, product, name));
      }
    }
    return removed;
  }
}

/**
 * A hard link to `source` at `target` (no copy, and the data outlives a deletion of the source,
 * e.g. a blob removed by retention while a job trains), or a copy across file systems.
 */
export async function linkOrCopy(source: string, target: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  try {
    await link(source, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
    await copyFile(source, target);
  }
}

/** Whether a process with this id exists (EPERM: it does, under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}
