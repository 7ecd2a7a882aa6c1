/**
 * A picture of one 2-D sanity run: on the left the sampler's final states (red) over the data
 * (blue), on the right the energy landscape (dark: low energy). Both panels span the same square.
 */
import sharp from 'sharp';

export interface EnergyLandscape {
  /** Energies on a `size` x `size` grid over [-extent, extent]^2, row-major from the top-left (x right, y up). */
  values: Float32Array;
  size: number;
  extent: number;
}

type Rgb = readonly [number, number, number];

const PANEL = 400;
const DATA: Rgb = [40, 90, 220];
const SAMPLES: Rgb = [220, 40, 40];
/** Points drawn per cloud: more would fill the modes solid and hide the spread between them. */
const PLOTTED = 2048;

/** Grid points of the landscape, in the order of its values. */
export function landscapeGrid(size: number, extent: number): Float32Array {
  const points = new Float32Array(size * size * 2);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const i = row * size + col;
      points[2 * i] = -extent + ((col + 0.5) * 2 * extent) / size;
      points[2 * i + 1] = extent - ((row + 0.5) * 2 * extent) / size;
    }
  }
  return points;
}

function drawPoints(image: Uint8Array, points: Float32Array, extent: number, color: Rgb): void {
  const width = 2 * PANEL;
  for (let i = 0; i < points.length / 2; i++) {
    const col = Math.floor(((points[2 * i] + extent) / (2 * extent)) * PANEL);
    const row = Math.floor(((extent - points[2 * i + 1]) / (2 * extent)) * PANEL);
    for (let dy = 0; dy < 2; dy++) {
      for (let dx = 0; dx < 2; dx++) {
        const r = row + dy;
        const c = col + dx;
        if (r < 0 || r >= PANEL || c < 0 || c >= PANEL) continue;
        image.set(color, (r * width + c) * 3);
      }
    }
  }
}

function drawLandscape(image: Uint8Array, landscape: EnergyLandscape): void {
  const { values, size } = landscape;
  let low = Infinity;
  let high = -Infinity;
  for (const v of values) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  const width = 2 * PANEL;
  for (let row = 0; row < PANEL; row++) {
    for (let col = 0; col < PANEL; col++) {
      const v = values[Math.floor((row * size) / PANEL) * size + Math.floor((col * size) / PANEL)];
      const shade = Math.round((255 * (v - low)) / (high - low || 1));
      image.set([shade, shade, shade], (row * width + PANEL + col) * 3);
    }
  }
}

/** Writes the two panels to `path` as a PNG; the scatter uses the landscape's extent. */
export async function writeSanityPng(path: string, samples: Float32Array, data: Float32Array, landscape: EnergyLandscape): Promise<void> {
  const image = new Uint8Array(2 * PANEL * PANEL * 3).fill(255);
  drawPoints(image, data.subarray(0, 2 * PLOTTED), landscape.extent, DATA);
  drawPoints(image, samples.subarray(0, 2 * PLOTTED), landscape.extent, SAMPLES);
  drawLandscape(image, landscape);
  await sharp(image, { raw: { width: 2 * PANEL, height: PANEL, channels: 3 } }).png().toFile(path);
}
