/**
 * Camera image bytes -> model input: one sharp pipeline per image (decode, EXIF orientation,
 * resize, colour conversion, raw samples out), then one pass to planar float. BMP, which sharp
 * cannot load, is unpacked by src/image/bmp.ts (on its own thread, bmp-thread.ts) and enters the
 * same pipeline as raw pixels.
 *
 * Guard rails, in order, all before any pixel is decoded: empty input, format sniffed from the
 * magic numbers, container structure cut off (truncation.ts), header dimensions against the pixel
 * limit (decompression bombs), the resized size against the same limit. Decoder failures become
 * ImageError('truncated' | 'corrupt'); nothing else escapes as an untyped error for bad input.
 *
 * Strictness (sharp's `failOn`): JPEG uses 'warning', because libjpeg reports damaged entropy-coded
 * data only as a warning and then fills the rest with grey, which would be a plausible-looking
 * garbage image; the other formats use 'error', because their decoders report damaged pixel data
 * as errors while their warnings are about metadata (unknown TIFF tags, PNG iCCP profiles, bad
 * CRCs of ancillary chunks), which must not reject good images.
 */
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import type { InputSpec } from '../model/manifest.js';
import { checkBmpData, readBmpHeader, type BmpHeader } from './bmp.js';
import { decodeBmp } from './bmp-thread.js';
import { ImageError } from './errors.js';
import { toPlanarRgb, type PlanarImage, type Rgb } from './planar.js';
import { targetSize, type Size } from './resize-policy.js';
import { FORMAT_NAMES, sniff, type ImageFormat } from './sniff.js';
import { findTruncation, type Truncation } from './truncation.js';

/** 40 megapixels: a 7000 x 5700 camera frame passes, a decompression bomb does not. */
export const DEFAULT_MAX_PIXELS = 40_000_000;
export const DEFAULT_TIMEOUT_SECONDS = 30;

export interface DecodeOptions {
  /** Largest width x height accepted, for the image as stored and for the resized input. */
  maxPixels?: number;
  /** RGB in [0, 1] that transparent pixels are flattened onto; default black. */
  background?: Rgb;
  /** Give up on one image after this long (a guard against pathological files); default 30 s. */
  timeoutSeconds?: number;
  /** Write the planar pixels here (3 * width * height floats, e.g. a slot of a batch buffer). */
  out?: Float32Array;
}

/** Interleaved 8-bit RGB, width x height x 3 bytes. */
export interface Rgb8Image {
  data: Buffer;
  width: number;
  height: number;
}

/** The image as it was sent, before resizing. */
export interface ImageInfo {
  format: ImageFormat;
  /** Size after the EXIF orientation is applied: the image as a person sees it. */
  width: number;
  height: number;
  /** Channels stored in the file, alpha included (CMYK counts 4). */
  channels: number;
  /** Bits per sample in the file: 8 or 16 (1, 2 or 4 for bilevel and small-palette images). */
  bitDepth: number;
  hasAlpha: boolean;
  /** EXIF orientation tag, 1 (none) to 8; already applied to the decoded pixels. */
  orientation: number;
}

/** Width x height of the model input (or of the size asked for). */
export interface DecodedImage extends PlanarImage {
  original: ImageInfo;
}

interface Opened {
  info: ImageInfo;
  /** The pipeline, not yet run: decode and orientation, ready for resizing. */
  pipeline: Sharp;
  /** Samples come out as 16-bit (the source has 16-bit precision). */
  sixteen: boolean;
}

/** Header-level facts about an image, with every guard rail checked but no pixel decoded. */
export async function probeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<ImageInfo> {
  const format = checkContainer(bytes);
  if (format === 'bmp') {
    const header = readBmpHeader(bytes);
    const info = bmpInfo(header, options); // the pixel limit first: a bomb's body is always short
    checkBmpData(bytes, header);
    return info;
  }
  return (await openWithSharp(bytes, format, options)).info;
}

/**
 * probeImage for a file too large to read for a check, from its first bytes (`head`) and its
 * path: the format from the signature, the dimensions from the header, which sharp reads from the
 * file by itself (a TIFF's header may lie at its end). The container checks that need every byte
 * are left to decoding.
 */
export async function probeImageHeader(head: Uint8Array, file: string, options: DecodeOptions = {}): Promise<ImageInfo> {
  const format = formatOf(head);
  if (format === 'bmp') return bmpInfo(readBmpHeader(head), options);
  return (await openWithSharp(file, format, options)).info;
}

/** Decode `bytes` and resize them as `spec` says, to planar RGB float32 in [0, 1]. */
export function decodeImage(bytes: Uint8Array, spec: InputSpec, options: DecodeOptions = {}): Promise<DecodedImage> {
  return decode(bytes, (original) => targetSize(original, spec), 'resized to the model input', options);
}

/**
 * Decode `bytes` to an explicit size, or at their own (oriented) size with 'original': for masks,
 * overlays and evaluation, where the model's resize policy is not what is wanted.
 */
export function decodeToSize(bytes: Uint8Array, size: Size | 'original', options: DecodeOptions = {}): Promise<DecodedImage> {
  return decode(bytes, sizeOrOriginal(size), 'at the requested size', options);
}

/**
 * Decode `bytes` like decodeToSize, but to interleaved 8-bit sRGB (transparency flattened onto
 * black) and with every step inside sharp, on the libuv pool: for pictures a server makes from
 * large images (overlays), where a per-pixel pass in JavaScript would hold up its event loop.
 */
export async function decodeToRgb8(bytes: Uint8Array, size: Size | 'original', options: Omit<DecodeOptions, 'background' | 'out'> = {}): Promise<Rgb8Image> {
  const { format, opened, target } = await openAtSize(bytes, sizeOrOriginal(size), 'at the requested size', options);
  try {
    const data = await opened.pipeline
      .resize(target.width, target.height, { fit: 'fill' })
      .flatten({ background: '#000000' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .timeout({ seconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS })
      .toBuffer();
    return { data, ...target };
  } catch (error) {
    throw decoderError(error, format, bytes);
  }
}

function sizeOrOriginal(size: Size | 'original'): (original: ImageInfo) => Size {
  return (original) => (size === 'original' ? { width: original.width, height: original.height } : size);
}

async function decode(bytes: Uint8Array, sizeFor: (original: ImageInfo) => Size, what: string, options: DecodeOptions): Promise<DecodedImage> {
  const { format, opened, target } = await openAtSize(bytes, sizeFor, what, options);
  if (options.out && options.out.length !== 3 * target.width * target.height) {
    throw new RangeError(`output holds ${options.out.length} floats, ${3 * target.width * target.height} needed for ${target.width}x${target.height}`);
  }

  let output: { data: Buffer; info: OutputInfo };
  try {
    let pipeline = opened.pipeline.resize(target.width, target.height, { fit: 'fill' });
    if (opened.sixteen) pipeline = pipeline.toColourspace('rgb16');
    output = await pipeline
      .raw({ depth: opened.sixteen ? 'ushort' : 'uchar' })
      .timeout({ seconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw decoderError(error, format, bytes);
  }
  const { data, info } = output;
  if (info.width !== target.width || info.height !== target.height) {
    throw new Error(`sharp returned ${info.width}x${info.height}, ${target.width}x${target.height} was asked for`);
  }
  const samples = opened.sixteen ? uint16View(data) : data;
  const planar = toPlanarRgb(samples, info.width, info.height, info.channels, options.background, options.out);
  return { data: planar, width: target.width, height: target.height, original: opened.info };
}

/** The image opened for decoding and the size it is to be decoded to, every guard rail checked. */
async function openAtSize(bytes: Uint8Array, sizeFor: (original: ImageInfo) => Size, what: string, options: DecodeOptions): Promise<{ format: ImageFormat; opened: Opened; target: Size }> {
  const format = checkContainer(bytes);
  const opened = format === 'bmp' ? await openBmp(bytes, options) : await openWithSharp(bytes, format, options);
  const target = sizeFor(opened.info);
  if (!(Number.isInteger(target.width) && Number.isInteger(target.height) && target.width > 0 && target.height > 0)) {
    throw new RangeError(`invalid target size ${target.width}x${target.height}`);
  }
  checkPixels(target, options, what);
  return { format, opened, target };
}

/** Empty, unsupported, cut-off signature or provably cut-off container: the sniffed format otherwise. */
function checkContainer(bytes: Uint8Array): ImageFormat {
  const format = formatOf(bytes);
  const truncation = findTruncation(format, bytes);
  if (truncation?.certain) throw truncatedError(FORMAT_NAMES[format], truncation);
  return format;
}

/** Empty, unsupported or cut-off signature: the sniffed format otherwise. */
function formatOf(bytes: Uint8Array): ImageFormat {
  if (bytes.length === 0) throw new ImageError('empty', 'The image data is empty (0 bytes).');
  const sniffed = sniff(bytes);
  if (sniffed.format === null) {
    throw new ImageError(
      'unsupported-format',
      `The data is ${sniffed.what}, not a supported image; send PNG, JPEG, TIFF, WebP or BMP.`,
    );
  }
  const name = FORMAT_NAMES[sniffed.format];
  if (!sniffed.complete) {
    throw new ImageError('truncated', `The data ends after ${bytes.length} bytes, inside the ${name} signature.`);
  }
  return sniffed.format;
}

function truncatedError(name: string, truncation: Truncation, cause?: unknown): ImageError {
  return new ImageError('truncated', `The ${name} image is truncated: ${truncation.detail}.`, { cause });
}

function checkPixels(size: Size, options: DecodeOptions, what: string): void {
  const limit = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (size.width * size.height > limit) {
    throw new ImageError(
      'too-many-pixels',
      `The image would be ${size.width}x${size.height} (${megapixels(size.width * size.height)} megapixels) ${what}; the limit is ${megapixels(limit)} megapixels.`,
    );
  }
}

const megapixels = (pixels: number) => String(Math.round(pixels / 1e5) / 10);

/** `input`: the image's bytes, or the path of its file (sharp then reads what it needs). */
async function openWithSharp(input: Uint8Array | string, format: Exclude<ImageFormat, 'bmp'>, options: DecodeOptions): Promise<Opened> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const pipeline = sharp(input, {
    failOn: format === 'jpeg' ? 'warning' : 'error',
    limitInputPixels: maxPixels,
    autoOrient: true,
    sequentialRead: true,
  });
  let meta: Metadata;
  try {
    meta = await pipeline.metadata();
  } catch (error) {
    throw await headerError(error, format, input);
  }
  const sixteen = meta.depth === 'ushort' || meta.depth === 'short';
  if (!sixteen && meta.depth !== 'uchar' && meta.depth !== 'char') {
    throw new ImageError('unsupported-format', `${FORMAT_NAMES[format]} images with ${meta.depth} samples are not supported (8- and 16-bit integers are).`);
  }
  const info: ImageInfo = {
    format,
    width: meta.autoOrient.width,
    height: meta.autoOrient.height,
    channels: meta.channels,
    bitDepth: meta.bitsPerSample ?? (sixteen ? 16 : 8),
    hasAlpha: meta.hasAlpha,
    orientation: meta.orientation ?? 1,
  };
  checkPixels(info, options, 'as stored');
  return { info, pipeline, sixteen };
}

function bmpInfo(header: BmpHeader, options: DecodeOptions): ImageInfo {
  const info: ImageInfo = {
    format: 'bmp',
    width: header.width,
    height: header.height,
    channels: header.channels,
    bitDepth: header.bitsPerPixel === 1 ? 1 : 8,
    hasAlpha: header.hasAlpha,
    orientation: 1,
  };
  checkPixels(info, options, 'as stored');
  return info;
}

async function openBmp(bytes: Uint8Array, options: DecodeOptions): Promise<Opened> {
  const header = readBmpHeader(bytes);
  const info = bmpInfo(header, options);
  const pixels = await decodeBmp(bytes, header);
  const pipeline = sharp(pixels.data, {
    raw: { width: pixels.width, height: pixels.height, channels: pixels.channels },
    limitInputPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
  });
  return { info, pipeline, sixteen: false };
}

/** sharp could not read the header: too many pixels, truncated or corrupt. */
async function headerError(error: unknown, format: Exclude<ImageFormat, 'bmp'>, input: Uint8Array | string): Promise<ImageError> {
  const message = firstLine(error);
  if (/exceeds pixel limit/i.test(message)) {
    let size = '';
    try {
      const meta = await sharp(input, { limitInputPixels: false }).metadata();
      size = ` ${meta.width}x${meta.height} (${megapixels(meta.width * meta.height)} megapixels)`;
    } catch {
      // the size is only for the message
    }
    return new ImageError('too-many-pixels', `The ${FORMAT_NAMES[format]} image is${size} larger than the pixel limit allows.`, { cause: error });
  }
  // A file's bytes were not read: the decoder's message alone tells truncation from damage.
  return decoderError(error, format, typeof input === 'string' ? null : input);
}

function decoderError(error: unknown, format: ImageFormat, bytes: Uint8Array | null): ImageError {
  if (error instanceof ImageError) return error;
  const name = FORMAT_NAMES[format];
  const message = firstLine(error);
  if (/exceeds pixel limit/i.test(message)) {
    return new ImageError('too-many-pixels', `The ${name} image is larger than the pixel limit allows.`, { cause: error });
  }
  // libjpeg's "Corrupt JPEG data: premature end of data segment" is damage, not a short file
  if (/corrupt/i.test(message)) return new ImageError('corrupt', `The ${name} image is corrupt (${message}).`, { cause: error });
  const truncation = bytes && findTruncation(format, bytes);
  if (truncation) return truncatedError(name, truncation, error);
  if (/premature end|truncated|unexpected end|end of file|not enough data/i.test(message)) {
    return new ImageError('truncated', `The ${name} image is truncated (${message}).`, { cause: error });
  }
  if (/timeout/i.test(message)) {
    return new ImageError('corrupt', `Decoding the ${name} image did not finish in time; the file is likely malformed (${message}).`, { cause: error });
  }
  return new ImageError('corrupt', `The ${name} image is corrupt (${message}).`, { cause: error });
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].replace(/^Input (buffer|file) (has corrupt header|contains unsupported image format):?\s*/i, '').trim() || text.trim();
}

function uint16View(data: Buffer): Uint16Array {
  if (data.byteOffset % 2 === 0) return new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
  return new Uint16Array(Uint8Array.from(data).buffer);
}
