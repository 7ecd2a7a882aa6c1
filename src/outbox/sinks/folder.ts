/**
 * Folder sink, for systems that only read files: `<inspection id>.json` per inspection (ids sort
 * by time), and `<inspection id>.overlay.png` before it when asked for, so a reader that sees the
 * JSON finds the picture; `drift-<delivery id>.json` per drift alert, `part-<delivery id>.json` per
 * part verdict. Both are written durably (flushed, then renamed into place).
 */
import path from 'node:path';
import { z } from 'zod';
import { makeDirectoryDurably, writeFileDurably } from '../../util/durable-file.js';
import type { OutboundMessage, Sink, SinkKind } from '../sink.js';

const FolderSettings = z.strictObject({
  path: z
    .string()
    .min(1)
    .max(1024)
    .refine((folder) => path.isAbsolute(folder), 'must be an absolute path')
    .describe("the folder on kensa's host (a mounted share) the files are written into; created when missing"),
});
type FolderSettings = z.infer<typeof FolderSettings>;

class FolderSink implements Sink {
  constructor(private readonly settings: FolderSettings) {}

  async deliver(message: OutboundMessage): Promise<void> {
    const folder = this.settings.path;
    await makeDirectoryDurably(folder);
    const name = message.kind === 'inspection' && message.inspectionId ? message.inspectionId : `${message.kind}-${message.deliveryId}`;
    const write = (file: string, bytes: Uint8Array) => writeFileDurably(path.join(folder, file), path.join(folder, `.${file}.tmp`), bytes);
    if (message.overlay) await write(`${name}.overlay.png`, message.overlay);
    await write(`${name}.json`, Buffer.from(JSON.stringify(message.document)));
  }

  async close(): Promise<void> {}
}

export const folderKind: SinkKind<FolderSettings> = {
  settings: FolderSettings,
  secrets: [],
  requiredSecrets: [],
  create: (settings) => new FolderSink(settings),
};
