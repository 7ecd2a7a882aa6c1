/** Reading generated PNGs back, with the channel count stored in the file (tests only). */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

export interface Png {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

export async function readPng(file: string): Promise<Png> {
  const { channels = 0 } = await sharp(file).metadata();
  // sharp decodes grayscale to RGB unless told to keep it grayscale.
  const image = sharp(file).toColourspace(channels === 1 ? 'b-w' : 'srgb');
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels };
}

/** Every file under `root`, as sorted paths relative to it. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}
