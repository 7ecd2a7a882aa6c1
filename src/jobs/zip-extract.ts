/**
 * Extracting an uploaded zip of training images, defensively. The central directory is read
 * whole before anything is written, so an archive is refused before it costs disk space when:
 * - an entry's path escapes the destination (zip-slip: "../", absolute paths, drive letters,
 *   backslashes) or is a symbolic link;
 * - it has more entries, or declares more uncompressed bytes, than the limits (zip bombs);
 * - it holds no file at all.
 * While inflating, yauzl checks each entry against its declared size, and the bytes written are
 * counted against the limit again, so a lying header cannot get past the cap either. Hidden
 * entries and macOS resource forks (__MACOSX/) are skipped: they are never training images.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { JobRequestError } from './job-request-error.js';

export interface ZipLimits {
  /** Most entries (files and folders). */
  maxEntries: number;
  /** Most uncompressed bytes, all entries together. */
  maxTotalBytes: number;
}

/** yauzl's messages for entry names that would leave the destination. */
const UNSAFE_NAME = /^(invalid relative path|absolute path|invalid characters in fileName): /;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Extracts the files of `zipFile` under `dest`; returns how many were written. `label` names the zip in errors. */
export async function extractZip(zipFile: string, dest: string, label: string, limits: ZipLimits): Promise<number> {
  const zip = await yauzl.openPromise(zipFile, { autoClose: false, decodeStrings: true, validateEntrySizes: true }).catch((error: unknown) => {
    throw new JobRequestError(422, 'invalid-zip', 'The zip archive is invalid', `${label} is not a readable zip archive (${messageOf(error)}).`);
  });
  try {
    if (zip.entryCount > limits.maxEntries) throw tooLarge(label, `${zip.entryCount} entries, more than the limit of ${limits.maxEntries}`);
    const files = await listFiles(zip, label, limits);
    if (files.length === 0) throw new JobRequestError(422, 'empty-zip', 'The zip archive is empty', `${label} contains no files; zip the folder of good-part images itself.`);
    const root = path.resolve(dest);
    const written = { bytes: 0 };
    for (const entry of files) {
      const target = path.resolve(root, entry.fileName);
      // yauzl already refused such names; this keeps the rule true whatever the library does.
      if (!target.startsWith(root + path.sep)) throw unsafe(label, entry.fileName);
      await mkdir(path.dirname(target), { recursive: true });
      const source = await zip.openReadStreamPromise(entry).catch((error: unknown) => {
        throw new JobRequestError(422, 'invalid-zip', 'The zip archive is invalid', `${label}: ${entry.fileName} cannot be extracted (${messageOf(error)}).`);
      });
      await pipeline(source, countBytes(written, label, limits), createWriteStream(target)).catch((error: unknown) => {
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
async function listFiles(zip: ZipFile, label: string, limits: ZipLimits): Promise<Entry[]> {
  const files: Entry[] = [];
  let declared = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if ((entry.externalFileAttributes >>> 16 & S_IFMT) === S_IFLNK) throw unsafe(label, name, 'is a symbolic link');
      if (name.endsWith('/') || name.split('/').some((part) => part.startsWith('.') || part === '__MACOSX')) continue;
      declared += entry.uncompressedSize;
      if (declared > limits.maxTotalBytes) throw tooLarge(label, `more than ${limits.maxTotalBytes} bytes once extracted`);
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

/** Passes bytes through, adding them to the archive's running total, refusing past the limit. */
function countBytes(written: { bytes: number }, label: string, limits: ZipLimits): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      written.bytes += chunk.length;
      if (written.bytes > limits.maxTotalBytes) callback(tooLarge(label, `more than ${limits.maxTotalBytes} bytes once extracted`));
      else callback(null, chunk);
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
