/**
 * One allowance for a whole training upload: its plain files and the contents of every zip in it
 * draw from the same bytes and file count, and no single file may be larger than an image the
 * server would inspect. Limits per archive would let one upload of many small zip bombs write
 * many times the allowance.
 */
export interface UploadLimits {
  /** Most bytes of all parts together, and most bytes of all files once zips are extracted. */
  maxBytes: number;
  /** Most files, counting zip entries. */
  maxFiles: number;
  /** Most bytes of any one file (a plain part or a zip entry). */
  maxFileBytes: number;
}

export class UploadBudget {
  private bytes = 0;
  private files = 0;

  constructor(readonly limits: UploadLimits) {}

  get bytesLeft(): number {
    return this.limits.maxBytes - this.bytes;
  }

  get filesLeft(): number {
    return this.limits.maxFiles - this.files;
  }

  /** Draws `bytes` from the allowance; false, with nothing drawn, when they do not fit. */
  takeBytes(bytes: number): boolean {
    if (bytes > this.bytesLeft) return false;
    this.bytes += bytes;
    return true;
  }

  /** Draws `files` from the allowance; false, with nothing drawn, when they do not fit. */
  takeFiles(files: number): boolean {
    if (files > this.filesLeft) return false;
    this.files += files;
    return true;
  }
}
