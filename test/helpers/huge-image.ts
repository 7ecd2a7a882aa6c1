/** Image files far larger than their content, for checks that must read headers only. */
import { truncate, writeFile } from 'node:fs/promises';
import sharp from 'sharp';

/**
 * A PNG's signature and header (64x48), then an image-data chunk announcing 2 GiB, then a hole up
 * to `size` bytes: sparse, so even gigabytes cost no disk.
 */
export async function writeHugePng(file: string, size: number): Promise<void> {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } }).png().toBuffer();
  const imageData = Buffer.alloc(8);
  imageData.writeUInt32BE(0x7fffffff, 0);
  imageData.write('IDAT', 4, 'latin1');
  await writeFile(file, Buffer.concat([png.subarray(0, 33), imageData]));
  await truncate(file, size);
}
