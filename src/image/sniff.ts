/**
 * Which image format a byte buffer holds, from its magic numbers only: never from a file name or a
 * Content-Type, which clients get wrong. Formats kensa decodes are `ImageFormat`; a few others are
 * recognized only to say clearly what was sent instead (a GIF, a PDF, text, ...).
 */

export const IMAGE_FORMATS = ['png', 'jpeg', 'tiff', 'webp', 'bmp'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export const FORMAT_NAMES: Record<ImageFormat, string> = {
  png: 'PNG',
  jpeg: 'JPEG',
  tiff: 'TIFF',
  webp: 'WebP',
  bmp: 'BMP',
};

export type SniffResult =
  /** A supported format; `complete` is false when the data ends inside the signature itself. */
  | { format: ImageFormat; complete: boolean }
  /** Not a supported image; `what` describes it for an error message ("a GIF image", "text"). */
  | { format: null; what: string };

interface Signature {
  format: ImageFormat;
  /** Byte values, or null for "any byte" (e.g. the RIFF size field). */
  bytes: (number | null)[];
}

const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));

const SIGNATURES: Signature[] = [
  { format: 'png', bytes: [0x89, ...ascii('PNG'), 0x0d, 0x0a, 0x1a, 0x0a] },
  { format: 'jpeg', bytes: [0xff, 0xd8, 0xff] },
  { format: 'tiff', bytes: [...ascii('II'), 0x2a, 0x00] },
  { format: 'tiff', bytes: [...ascii('MM'), 0x00, 0x2a] },
  // BigTIFF (libtiff reads it)
  { format: 'tiff', bytes: [...ascii('II'), 0x2b, 0x00] },
  { format: 'tiff', bytes: [...ascii('MM'), 0x00, 0x2b] },
  { format: 'webp', bytes: [...ascii('RIFF'), null, null, null, null, ...ascii('WEBP')] },
  { format: 'bmp', bytes: ascii('BM') },
];

/** DIB header sizes that exist in the wild (OS/2 core, BITMAPINFOHEADER, V2, V3, OS/2 v2, V4, V5). */
const BMP_DIB_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

function matches(bytes: Uint8Array, signature: (number | null)[], length: number): boolean {
  for (let i = 0; i < length; i++) {
    const expected = signature[i];
    if (expected !== null && bytes[i] !== expected) return false;
  }
  return true;
}

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  return bytes.length >= offset + signature.length && matches(bytes.subarray(offset), signature, signature.length);
}

export function sniff(bytes: Uint8Array): SniffResult {
  for (const { format, bytes: signature } of SIGNATURES) {
    if (bytes.length >= signature.length) {
      if (!matches(bytes, signature, signature.length)) continue;
      // "BM" is only two bytes: also require a plausible DIB header size before calling it a BMP.
      if (format === 'bmp' && bytes.length >= 18) {
        const dibSize = bytes[14] | (bytes[15] << 8) | (bytes[16] << 16) | (bytes[17] << 24);
        if (!BMP_DIB_SIZES.has(dibSize >>> 0)) continue;
      }
      return { format, complete: true };
    }
    if (bytes.length > 0 && matches(bytes, signature, bytes.length)) return { format, complete: false };
  }
  return { format: null, what: describeOther(bytes) };
}

/** The supported format of `bytes`, or null (also null when the data ends inside the signature). */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  const result = sniff(bytes);
  return result.format !== null && result.complete ? result.format : null;
}

function describeOther(bytes: Uint8Array): string {
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'a GIF image';
  if (startsWith(bytes, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    if (brand === 'avif' || brand === 'avis') return 'an AVIF image';
    if (['heic', 'heix', 'hevc', 'hevx', 'mif1', 'msf1'].includes(brand)) return 'a HEIF/HEIC image';
    return 'an ISO media file (e.g. MP4)';
  }
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(bytes, [0xff, 0x4f, 0xff, 0x51]))
    return 'a JPEG 2000 image';
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20]))
    return 'a JPEG XL image';
  if (startsWith(bytes, ascii('RIFF'))) return 'a RIFF file that is not WebP';
  if (startsWith(bytes, ascii('%PDF'))) return 'a PDF document';
  if (startsWith(bytes, ascii('8BPS'))) return 'a Photoshop document';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'an ICO icon';
  if (startsWith(bytes, ascii('PK'))) return 'a ZIP archive';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'a gzip archive';
  if (looksLikeText(bytes)) {
    const head = new TextDecoder().decode(bytes.subarray(0, 256)).trimStart().toLowerCase();
    if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'an SVG image';
    if (head.startsWith('<')) return 'HTML or XML text';
    if (head.startsWith('{') || head.startsWith('[')) return 'JSON text';
    return 'text';
  }
  const first = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `an unrecognized format (first bytes: ${first})`;
}

/** No NUL and almost only printable ASCII or UTF-8 bytes in the first 512 bytes. */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 512);
  if (head.length === 0) return false;
  let control = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  return control / head.length < 0.02;
}
