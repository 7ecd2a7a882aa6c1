/** The benchmarks' default image: a 900x900 part-like PNG, a lit disc with a bore on a darker background, with sensor noise. */
import sharp from 'sharp';

export async function syntheticPartPng(): Promise<Buffer> {
  const size = 900;
  const pixels = Buffer.alloc(size * size * 3);
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 17) - 8;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x - 450, y - 450);
      const base = r < 90 ? 40 : r < 380 ? 170 - r / 8 : 60 + y / 30;
      const v = Math.max(0, Math.min(255, Math.round(base + noise())));
      pixels.fill(v, (y * size + x) * 3, (y * size + x) * 3 + 3);
    }
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}
