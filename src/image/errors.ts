/**
 * The one error type of src/image: every way an input can fail to become pixels, as a `code` a
 * program can switch on and a message a person can act on. The server turns these into
 * application/problem+json responses (`title` is the short, fixed summary per code; `message`
 * says what was wrong with this particular input).
 */

export const IMAGE_ERROR_CODES = ['empty', 'truncated', 'unsupported-format', 'too-many-pixels', 'corrupt'] as const;
export type ImageErrorCode = (typeof IMAGE_ERROR_CODES)[number];

const TITLES: Record<ImageErrorCode, string> = {
  empty: 'The image is empty',
  truncated: 'The image is truncated',
  'unsupported-format': 'Unsupported image format',
  'too-many-pixels': 'The image has too many pixels',
  corrupt: 'The image is corrupt',
};

export class ImageError extends Error {
  /** The short, fixed summary of `code` (a problem+json title). */
  readonly title: string;

  constructor(
    readonly code: ImageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImageError';
    this.title = TITLES[code];
  }
}

export function isImageError(error: unknown): error is ImageError {
  return error instanceof ImageError;
}
