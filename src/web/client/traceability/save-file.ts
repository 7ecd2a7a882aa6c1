/**
 * Hands a downloaded file to the browser's own download, under the name the server gave it: an
 * export needs the key's header, so a plain link cannot fetch it.
 */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // the download has taken the blob by the next task
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
