/**
 * Receiving the images of a training job: a multipart/form-data upload of image files and/or zip
 * archives of them (field "images", or "image"). Parts stream to disk, never into memory, under
 * one byte budget for the whole upload; zips (recognized by their bytes, not their names) are
 * extracted safely next to the plain images, their contents drawn from the same budget. What
 * comes out is a folder of candidate images, still to be checked (see training-images.ts).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import multer, { MulterError, type StorageEngine } from 'multer';
import { run } from '../server/upload.js';
import { JobRequestError } from './job-request-error.js';
import { UploadBudget, type UploadLimits } from './upload-budget.js';
import { extractZip } from './zip-extract.js';

/** The form fields that carry images: "images", and "image" as the inspect endpoint (and the generic upload schema) name it. */
const IMAGE_FIELDS = ['images', 'image'];

const MULTIPART_OVERHEAD = 1024 * 1024;

/** Receives the upload of `req` into `imagesDir` (zips extracted); `scratchDir` holds parts meanwhile. Returns the parts received. */
export async function receiveTrainingUpload(req: Request, res: Response, imagesDir: string, scratchDir: string, limits: UploadLimits): Promise<number> {
  const type = req.get('content-type')?.split(';')[0].trim().toLowerCase();
  if (type !== 'multipart/form-data') {
    throw new JobRequestError(415, 'unsupported-media-type', 'Unsupported content type', `Send the good-part images, or zips of them, as multipart/form-data in the field "images" (got ${type ?? 'no Content-Type'}).`);
  }
  // A declared length far past the budget is refused before a byte is read (multipart framing adds a little).
  if (Number(req.get('content-length') ?? 0) > limits.maxBytes + MULTIPART_OVERHEAD) throw tooLarge(limits.maxBytes);
  await mkdir(scratchDir, { recursive: true });
  await mkdir(imagesDir, { recursive: true });
  const parts = multer({
    storage: diskParts(scratchDir, limits.maxBytes),
    limits: { files: limits.maxFiles, fields: 20, fieldSize: 64 * 1024, parts: limits.maxFiles + 20 },
  }).any();
  await run(parts, req, res).catch((error: unknown) => {
    if (error instanceof MulterError && error.code === 'LIMIT_FILE_COUNT') throw tooManyFiles(limits.maxFiles);
    throw error;
  });
  const received = (req.files ?? []) as Express.Multer.File[];
  if (received.length === 0) throw new JobRequestError(400, 'no-images', 'No images were sent', 'Send the good-part images, or zips of them, as multipart/form-data in the field "images".');

  const budget = new UploadBudget(limits);
  const zips: { part: Express.Multer.File; stem: string }[] = [];
  for (const [index, part] of received.entries()) {
    const stem = `${index}-${safeName(part.originalname)}`;
    if (await isZip(part.path)) {
      zips.push({ part, stem });
      continue;
    }
    if (part.size > limits.maxFileBytes) {
      throw new JobRequestError(413, 'file-too-large', 'A file is too large', `"${part.originalname}" has ${part.size} bytes; an image may have at most ${limits.maxFileBytes}.`);
    }
    if (!budget.takeBytes(part.size)) throw tooLarge(limits.maxBytes);
    if (!budget.takeFiles(1)) throw tooManyFiles(limits.maxFiles);
    await rename(part.path, path.join(imagesDir, stem));
  }
  // Zips last: their contents get what the plain files left.
  for (const { part, stem } of zips) {
    await extractZip(part.path, path.join(imagesDir, stem.replace(/\.zip$/i, '')), `"${part.originalname}"`, budget);
    await rm(part.path, { force: true });
  }
  return received.length;
}

/** A multer storage engine: each part to its own file in `dir`, all parts within one byte budget. */
function diskParts(dir: string, maxBytes: number): StorageEngine {
  let total = 0;
  let count = 0;
  return {
    _handleFile(_req, file, callback) {
      if (!IMAGE_FIELDS.includes(file.fieldname)) {
        callback(new JobRequestError(400, 'unexpected-field', 'Unexpected file field', `The form has a file in field "${file.fieldname}"; send images and zips in the field "images".`));
        return;
      }
      const target = path.join(dir, `${count++}.part`);
      let size = 0;
      const budget = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          size += chunk.length;
          total += chunk.length;
          if (total > maxBytes) next(tooLarge(maxBytes));
          else next(null, chunk);
        },
      });
      pipeline(file.stream, budget, createWriteStream(target)).then(
        () => callback(null, { path: target, size }),
        (error: unknown) => rm(target, { force: true }).finally(() => callback(error)),
      );
    },
    _removeFile(_req, file, callback) {
      rm(file.path, { force: true }).then(() => callback(null), callback);
    },
  };
}

function tooManyFiles(maxFiles: number): JobRequestError {
  return new JobRequestError(413, 'too-many-files', 'Too many files', `A training upload takes at most ${maxFiles} files, zip entries included.`);
}

function tooLarge(maxBytes: number): JobRequestError {
  return new JobRequestError(413, 'too-large', 'The upload is too large', `A training upload takes at most ${maxBytes} bytes.`);
}

/** Zip archives start with a local file header, or (empty ones) with the end of central directory. */
async function isZip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && buffer[0] === 0x50 && buffer[1] === 0x4b && ((buffer[2] === 3 && buffer[3] === 4) || (buffer[2] === 5 && buffer[3] === 6));
  } finally {
    await handle.close();
  }
}

/** A client's file name reduced to a harmless single path segment. */
function safeName(name: string): string {
  const base = path.basename(name.replaceAll('\\', '/')).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return base.slice(-100) || 'image';
}
