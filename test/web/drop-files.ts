/**
 * Drag and drop of files onto an element, as the browser delivers it: dragenter, dragover and
 * drop events carrying a DataTransfer with the files. Playwright cannot drag files from the
 * desktop, so the files are built in the page from their bytes.
 */
import type { Locator } from 'playwright-core';

export interface DroppedFile {
  name: string;
  bytes: Uint8Array;
  type: string;
}

export async function dropFiles(target: Locator, files: readonly DroppedFile[]): Promise<void> {
  const payload = files.map((file) => ({ name: file.name, type: file.type, base64: Buffer.from(file.bytes).toString('base64') }));
  await target.evaluate((element, sent) => {
    const transfer = new DataTransfer();
    for (const file of sent) {
      const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], file.name, { type: file.type }));
    }
    for (const type of ['dragenter', 'dragover', 'drop']) element.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
  }, payload);
}
