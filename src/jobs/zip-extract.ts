/**
 * Extracting an uploaded zip of training images, defensively. The central directory is read
 * whole before anything is written, so an archive is refused before it costs disk space when:
 * - an entry's path escapes the destination (zip-slip: "../", absolute paths, drive letters,
 *   backslashes) or is a symbolic link;
 * - it has more entries, declares more uncompressed bytes, or holds a larger file than what is
 *   left of the upload's budget (zip bombs, one or many);
 * - it holds no file at all.
 * While inflating, yauzl checks each entry against its declared size, and the bytes written are
 * drawn from the budget again, so a lying header cannot get past the cap either. Hidden
 * entries and macOS resource forks (__MACOSX/) are skipped: they are never training images.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { JobRequestError } from './job-request-error.js';
import type { UploadBudget } from './upload-budget.js';

/** yauzl's messages for entry names that would leave the destination. */
const UNSAFE_NAME = /^(invalid relative path|absolute path|invalid characters in fileName): /;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Extracts the files of `zipFile` under `dest`, drawing their count and bytes from `budget`;
 * returns how many were written. `label` names the zip in errors.
 */
export async function extractZip(zipFile: string, dest: string, label: string, budget: UploadBudget): Promise<number> {
  const zip = await yauzl.openPromise(zipFile, { autoClose: false, decodeStrings: true, validateEntrySizes: true }).catch((error: unknown) => {
    throw new JobRequestError(422, 'invalid-zip', 'The zip archive is invalid', `${label} is not a readable zip archive (${messageOf(error)}).`);
  });
  try {
    const { maxFiles } = budget.limits;
    if (zip.entryCount > maxFiles) throw tooLarge(label, `${zip.entryCount} entries, more than the limit of ${maxFiles}`);
    const files = await listFiles(zip, label, budget);
    if (files.length === 0) throw new JobRequestError(422, 'empty-zip', 'The zip archive is empty', `${label} contains no files; zip the folder of good-part images itself.`);
    if (!budget.takeFiles(files.length)) throw tooLarge(label, `${files.length} files, more than the ${budget.filesLeft} the upload has left`);
    const root = path.resolve(dest);
    for (const entry of files) {
      const target = path.resolve(root, entry.fileName);
      // yauzl already refused such names; this keeps the rule true whatever the library does.
      if (!target.startsWith(root + path.sep)) throw unsafe(label, entry.fileName);
      await mkdir(path.dirname(target), { recursive: true });
      const source = await zip.openReadStreamPromise(entry).catch((error: unknown) => {
        throw new JobRequestError(422, 'invalid-zip', 'The zip archive is invalid', `${label}: ${entry.fileName} cannot be extracted (${messageOf(error)}).`);
      });
      await pipeline(source, drawBytes(budget, label), createWriteStream(target)).catch((error: unknown) => {
        if (error instanceof JobRequestError) throw error;
        throw new JobRequestError(422, 'invalid-zip', 'The zip archive is invalid', `${label}: ${entry.fileName} is damaged (${messageOf(error)}).`);
      });
    }
    return files.length;
  } finally {
    zip.close();
  }
}

/** Every file entry, checked, before anything is extracted. */
async function listFiles(zip: ZipFile, label: string, budget: UploadBudget): Promise<Entry[]> {
  const files: Entry[] = [];
  let declared = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if ((entry.externalFileAttributes >>> 16 & S_IFMT) === S_IFLNK) throw unsafe(label, name, 'is a symbolic link');
      if (name.endsWith('/') || name.split('/').some((part) => part.startsWith('.') || part === '__MACOSX')) continue;
      if (entry.uncompressedSize > budget.limits.maxFileBytes) throw tooLarge(label, `an entry "${name}" of ${entry.uncompressedSize} bytes, more than the ${budget.limits.maxFileBytes} an image may have`);
      declared += entry.uncompressedSize;
      if (declared > budget.bytesLeft) throw tooLarge(label, `more than ${budget.bytesLeft} bytes once extracted (what the upload has left)`);
      files.push(entry);
    }
  } catch (error) {
    if (error instanceof JobRequestError) throw error;
    const message = messageOf(error);
    const unsafeName = UNSAFE_NAME.exec(message);
    if (unsafeName) throw unsafe(label, message.slice(unsafeName[0].length));
    throw new JobRequestError(422, 'invalid-zip', 'The zip archive is invalid', `${label} cannot be read (${message}).`);
  }
  return files;
}

/** Passes bytes through, drawing them from the upload's budget, refusing past it. */
function drawBytes(budget: UploadBudget, label: string): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (budget.takeBytes(chunk.length)) callback(null, chunk);
      else callback(tooLarge(label, `more than the upload's ${budget.limits.maxBytes} bytes once extracted`));
    },
  });
}

function unsafe(label: string, name: string, why = 'would be written outside the folder it is extracted to'): JobRequestError {
  return new JobRequestError(422, 'unsafe-zip', 'The zip archive has unsafe entries', `${label}: the entry "${name}" ${why}; such archives are refused.`);
}

function tooLarge(label: string, what: string): JobRequestError {
  return new JobRequestError(413, 'zip-too-large', 'The zip archive is too large once extracted', `${label} has ${what}.`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
