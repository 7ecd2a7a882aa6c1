/**
 * Heatmap, overlay and mask PNGs, rendered from the stored map the first time someone asks and
 * kept next to it (BlobStore's derived directory of the map, deleted with the map). Concurrent
 * first requests for the same picture share one rendering.
 */
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderHeatmap, renderMask, renderOverlay, type Colormap } from '../model/heatmap.js';
import type { BlobStore } from '../store/blob-store.js';
import type { InspectionRecord } from '../store/inspections.js';
import { decodeMap } from '../store/map-file.js';
import { problems } from './problem.js';

export type RenderKind = 'heatmap' | 'overlay' | 'mask';

export interface RenderOptions {
  colormap: Colormap;
  /** 0..1, rounded to whole percent (the cache holds one file per percent). */
  opacity: number;
}

export class RenderCache {
  private readonly inFlight = new Map<string, Promise<string>>();
  private counter = 0;

  constructor(
    private readonly blobs: BlobStore,
    /** The pixel limit images were accepted under (overlays decode the original). */
    private readonly maxPixels: number,
  ) {}

  /** The path of the rendered PNG; renders it if this is the first request. */
  async file(inspection: InspectionRecord, kind: RenderKind, options: RenderOptions): Promise<string> {
    const { mapBlob, imageBlob } = inspection;
    if (!mapBlob) throw problems.filesRemoved('anomaly map');
    if (kind === 'overlay' && !imageBlob) throw problems.filesRemoved('image');
    const percent = Math.round(options.opacity * 100);
    const name = kind === 'heatmap' ? `heatmap-${options.colormap}.png` : kind === 'mask' ? 'mask.png' : `overlay-${imageBlob}-${options.colormap}-${percent}.png`;
    const file = path.join(this.blobs.derivedDir(mapBlob), name);
    if (await exists(file)) return file;

    let rendering = this.inFlight.get(file);
    if (!rendering) {
      rendering = this.render(inspection, kind, { colormap: options.colormap, opacity: percent / 100 }, file).finally(() => this.inFlight.delete(file));
      this.inFlight.set(file, rendering);
    }
    return rendering;
  }

  private async render(inspection: InspectionRecord, kind: RenderKind, options: RenderOptions, file: string): Promise<string> {
    const mapBytes = await this.blobs.read(inspection.mapBlob!);
    if (!mapBytes) throw problems.filesRemoved('anomaly map');
    const map = decodeMap(mapBytes);
    const size = { width: inspection.image.width, height: inspection.image.height };
    let png: Buffer;
    if (kind === 'heatmap') png = await renderHeatmap(map, size, options.colormap);
    else if (kind === 'mask') png = await renderMask(map, size);
    else {
      const image = await this.blobs.read(inspection.imageBlob!);
      if (!image) throw problems.filesRemoved('image');
      png = await renderOverlay(image, map, options.colormap, options.opacity, { maxPixels: this.maxPixels });
    }
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.tmp-${process.pid}-${this.counter++}`;
    await writeFile(temp, png);
    await rename(temp, file);
    return file;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
