/**
 * The image of an inspect request, from a multipart form (field "image", multer with memory
 * storage) or from a raw body (image/* or application/octet-stream). Both stop reading at the size
 * limit. The Content-Type only chooses the parser: the image format is sniffed from the bytes.
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { problems } from './problem.js';
import { hasBody } from './request-body.js';

export type UploadReader = (req: Request, res: Response) => Promise<Buffer>;

export function createUploadReader(maxBytes: number): UploadReader {
  const multipart = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 21 },
  }).single('image');
  const raw = express.raw({ type: () => true, limit: maxBytes });

  return async (req, res) => {
    const header = req.get('content-type');
    const type = header?.split(';')[0].trim().toLowerCase();
    if (type === 'multipart/form-data') {
      await run(multipart, req, res);
      if (!req.file) throw problems.noImage();
      return req.file.buffer;
    }
    if (type === undefined || type === '') {
      if (hasBody(req)) throw problems.unsupportedMediaType('(none)');
      throw problems.noImage();
    }
    if (type.startsWith('image/') || type === 'application/octet-stream') {
      await run(raw, req, res);
      // No body at all leaves req.body unset: an empty image, reported as such by the decoder.
      return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    }
    throw problems.unsupportedMediaType(header ?? '');
  };
}

/** An Express middleware as a promise (the upload parsers are run by handlers, after admission). */
export function run(middleware: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
  });
}

