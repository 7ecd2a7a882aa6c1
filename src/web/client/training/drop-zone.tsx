/**
 * Where the training images go: dropped (files, folders, zips) or chosen with the file picker,
 * which is also the keyboard's way in. The chosen files are listed with their sizes; the server
 * checks them, and its answer names any file it cannot use.
 */
import type { RefObject } from 'preact';
import { useState } from 'preact/hooks';
import { formatBytes } from '../format.js';
import { droppedFiles } from './dropped-files.js';

interface DropZoneProps {
  files: readonly File[];
  onAdd(files: File[]): void;
  onClear(): void;
  disabled: boolean;
  pickerRef: RefObject<HTMLInputElement | null>;
}

const ACCEPT = 'image/png,image/jpeg,image/tiff,image/webp,image/bmp,.png,.jpg,.jpeg,.tif,.tiff,.webp,.bmp,.zip,application/zip';
const isZip = (file: File) => /\.zip$/i.test(file.name) || file.type === 'application/zip';

export function DropZone({ files, onAdd, onClear, disabled, pickerRef }: DropZoneProps) {
  const [over, setOver] = useState(false);
  const accepting = (event: DragEvent) => !disabled && [...(event.dataTransfer?.types ?? [])].includes('Files');
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (!accepting(event) || !event.dataTransfer) return;
    void droppedFiles(event.dataTransfer).then(onAdd);
  };
  const zips = files.filter(isZip).length;
  const bytes = files.reduce((sum, file) => sum + file.size, 0);

  return (
    <div class="drop-area">
      <div
        class={`drop-zone${over ? ' drop-zone-over' : ''}${disabled ? ' drop-zone-disabled' : ''}`}
        onDragEnter={(event) => accepting(event) && setOver(true)}
        onDragOver={(event) => {
          if (!accepting(event)) return;
          event.preventDefault();
          if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
        }}
        onDragLeave={(event) => {
          if (!(event.currentTarget as HTMLElement).contains(event.relatedTarget as Node | null)) setOver(false);
        }}
        onDrop={drop}
        role="group"
        aria-label="Drop zone for training images"
      >
        <svg class="drop-icon" viewBox="0 0 24 24" aria-hidden="true">
          <path d="M12 15V4m0 0-4 4m4-4 4 4M5 14v4a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-4" />
        </svg>
        <p class="drop-title">Drop images of good parts here: files, folders or zip archives</p>
        <p class="muted small">PNG, JPEG, TIFF, WebP or BMP, at least 10 readable images, all of the same product</p>
        <button type="button" class="button" disabled={disabled} onClick={() => pickerRef.current?.click()} aria-keyshortcuts="f">
          Choose files… <kbd>f</kbd>
        </button>
        <input
          ref={pickerRef}
          type="file"
          class="visually-hidden"
          tabIndex={-1}
          multiple
          accept={ACCEPT}
          aria-label="Images or zip archives"
          disabled={disabled}
          onChange={(event) => {
            onAdd([...(event.currentTarget.files ?? [])]);
            event.currentTarget.value = '';
          }}
        />
      </div>
      {files.length > 0 && (
        <div class="file-summary">
          <div class="file-summary-head">
            <strong aria-live="polite">
              {files.length} file{files.length === 1 ? '' : 's'} chosen, {formatBytes(bytes)}
            </strong>
            <span class="muted small">
              {files.length - zips} image{files.length - zips === 1 ? '' : 's'}
              {zips > 0 && `, ${zips} zip archive${zips === 1 ? '' : 's'}`}
            </span>
            <button type="button" class="button button-quiet" onClick={onClear} disabled={disabled}>
              Clear
            </button>
          </div>
          <ul class="file-list" aria-label="Chosen files">
            {files.map((file) => (
              <li key={`${file.name}:${file.size}:${file.lastModified}`}>
                <span class="file-name">{file.name}</span>
                <span class="muted num">{formatBytes(file.size)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
