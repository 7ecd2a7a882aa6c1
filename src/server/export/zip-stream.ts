/**
 * A zip written while it is sent (yazl): entries are added one at a time, each once the previous
 * one has been read into the archive, and yazl reads an entry only when its turn comes, so only
 * the entry being written is in memory and a slow client slows the export instead of filling
 * memory. Large archives switch to ZIP64 by themselves.
 */
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

export interface ZipEntry {
  /** Path inside the archive. */
  name: string;
  data: Readable;
  /** Deflate it (text); images are compressed already. */
  compress: boolean;
}

/** Writes the entries into a zip sent to `destination`; resolves once all of it is sent. */
export async function sendZip(destination: Writable, entries: AsyncIterable<ZipEntry>): Promise<void> {
  const zip = new ZipFile();
  const sent = pipeline(zip.outputStream, destination);
  // the archive failing, or the client going away, stops adding entries
  const failed = new Promise<never>((_, reject) => {
    zip.on('error', reject);
    sent.catch(reject);
  });
  failed.catch(() => undefined);
  let current: ZipEntry | null = null;
  try {
    for await (const entry of entries) {
      current = entry;
      await Promise.race([added(zip, entry), failed]);
    }
    zip.end();
  } catch (error) {
    current?.data.destroy();
    // destroying the source destroys the response: a client never mistakes a cut archive for a whole one
    (zip.outputStream as Readable).destroy(error as Error);
    throw error;
  }
  await sent;
}

/** Resolves when the entry's data has been read into the archive. */
function added(zip: ZipFile, entry: ZipEntry): Promise<void> {
  return new Promise((resolve, reject) => {
    entry.data.once('error', reject);
    zip.addReadStreamLazy(entry.name, { compress: entry.compress }, (give) => {
      entry.data.once('end', resolve);
      give(null, entry.data);
    });
  });
}
