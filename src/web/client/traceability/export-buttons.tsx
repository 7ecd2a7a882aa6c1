/** CSV, JSON and zip downloads of the inspections an export selection names (qa, trainer and admin keys). */
import { useState } from 'preact/hooks';
import type { ExportFormat, ExportSelection } from '../api/kensa-api.js';
import { useSession } from '../session/session-context.js';
import { saveFile } from './save-file.js';

const FORMATS: { format: ExportFormat; label: string; what: string }[] = [
  { format: 'csv', label: 'CSV', what: 'one row per inspection' },
  { format: 'json', label: 'JSON', what: 'the inspections as the API shows them' },
  { format: 'zip', label: 'Zip', what: 'CSV, JSON, images and overlays' },
];

export function ExportButtons({ selection, subject }: { selection: ExportSelection; /** What is exported, e.g. "lot L-0314". */ subject: string }) {
  const { api } = useSession();
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const [error, setError] = useState<string | null>(null);
  const download = async (format: ExportFormat) => {
    setBusy(format);
    setError(null);
    try {
      const { blob, fileName } = await api.exportFile(format, selection);
      saveFile(blob, fileName);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="export-buttons" role="group" aria-label={`Export ${subject}`}>
      {FORMATS.map(({ format, label, what }) => (
        <button key={format} type="button" class="button" disabled={busy !== null} title={`Download ${subject}: ${what}`} onClick={() => download(format)}>
          {busy === format ? 'Exporting…' : label}
          <span class="visually-hidden"> export of {subject}</span>
        </button>
      ))}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
