/**
 * Heatmap, overlay, mask and thumbnail pictures of an inspection, rendered from its stored map (and
 * image) the first time someone asks and kept as derived files of the map (a cache that retention
 * trims to its byte budget). What bounds the work of a render:
 * - its size: at most MAX_RENDER_SIDE pixels a side; the original image keeps its own route;
 * - its variety: overlays come in a few opacities, not one per percent;
 * - concurrency: every render goes through one RenderQueue (thumbnails and exports in their own lanes);
 * - the event loop: decoding, blending and encoding run in sharp (src/model/heatmap.ts).
 */
import type { Size } from '../image/resize-policy.js';
import { overlay, renderHeatmap, renderMask, type Colormap } from '../model/heatmap.js';
import type { BlobStore } from '../store/blob-store.js';
import { DerivedFiles } from '../store/derived-files.js';
import type { InspectionRecord } from '../store/inspections.js';
import { decodeMap } from '../store/map-file.js';
import { problems } from './problem.js';
import { RenderQueue, type RenderLane } from './render-queue.js';

/**
 * Longest side of a rendered heatmap, overlay or mask, in pixels (4.2 megapixels at most): a
 * review screen shows the picture in part of one screen, and the map it is made from has tens of
 * cells a side, so more pixels cost render time, memory and disk but show nothing more.
 */
export const MAX_RENDER_SIDE = 2048;
/** Overlay opacities, besides the server's default; the web UI blends the heatmap over the image itself, at any opacity. */
export const OVERLAY_OPACITIES: readonly number[] = [0, 0.25, 0.5, 0.75, 1];
/** Renders at once: the picture on screen and the next one being prefetched; the other core stays with inspections. */
export const RENDER_CONCURRENCY = 2;
/** Renders waiting their turn: a few reviewers' pictures and prefetches. */
export const RENDER_QUEUE_LENGTH = 16;
/** Thumbnails waiting their turn: a browser asks for six at a time, so this is some twenty lists being filled at once. */
export const THUMBNAIL_QUEUE_LENGTH = 128;

export type RenderKind = 'heatmap' | 'overlay' | 'mask';

export interface RenderOptions {
  colormap: Colormap;
  /** One of the RenderCache's `opacities` (overlays only). */
  opacity: number;
}

export class RenderCache {
  readonly queue = new RenderQueue(RENDER_CONCURRENCY, { interactive: RENDER_QUEUE_LENGTH, thumbnail: THUMBNAIL_QUEUE_LENGTH, background: Infinity });
  /** Every opacity an overlay is rendered at, ascending: OVERLAY_OPACITIES and the server's default. */
  readonly opacities: readonly number[];
  private readonly files: DerivedFiles;

  constructor(
    private readonly blobs: BlobStore,
    /** The pixel limit images were accepted under (overlays decode the original). */
    private readonly maxPixels: number,
    defaultOpacity: number,
  ) {
    this.files = new DerivedFiles(blobs);
    this.opacities = [...new Set([...OVERLAY_OPACITIES, defaultOpacity])].sort((a, b) => a - b);
  }

  /** The PNG, rendered in the queue (in `lane`) if this is the first request for it. */
  async png(inspection: InspectionRecord, kind: RenderKind, options: RenderOptions, lane: RenderLane = 'interactive'): Promise<Buffer> {
    const { mapBlob, imageBlob } = inspection;
    if (!mapBlob) throw problems.filesRemoved('anomaly map');
    const size = fitWithin(inspection.image, MAX_RENDER_SIDE);
    const cached = (name: string, render: () => Promise<Buffer>) => this.files.get(mapBlob, `${name}-${MAX_RENDER_SIDE}.png`, () => this.queue.run(render, lane));
    switch (kind) {
      case 'heatmap':
        return cached(`heatmap-${options.colormap}`, async () => renderHeatmap(await this.map(mapBlob), size, options.colormap));
      case 'mask':
        return cached('mask', async () => renderMask(await this.map(mapBlob), size));
      case 'overlay':
        if (!imageBlob) throw problems.filesRemoved('image');
        if (!this.opacities.includes(options.opacity)) throw problems.opacityNotOffered(options.opacity, this.opacities);
        return cached(`overlay-${imageBlob}-${options.colormap}-${percent(options.opacity)}`, async () => (await this.overlay(inspection, size, options)).png().toBuffer());
    }
  }

  /**
   * The overlay as a JPEG of at most `side` pixels a side, for lists. A list asks for dozens at
   * once, and a refused thumbnail would leave a hole in it: thumbnails wait in their own lane of
   * the queue, behind reviewers' pictures, rather than being refused at the interactive bound.
   */
  async thumbnail(inspection: InspectionRecord, side: number, options: RenderOptions): Promise<Buffer> {
    const { mapBlob, imageBlob } = inspection;
    if (!mapBlob) throw problems.filesRemoved('anomaly map');
    if (!imageBlob) throw problems.filesRemoved('image');
    const name = `thumbnail-${imageBlob}-${options.colormap}-${percent(options.opacity)}-${side}.jpg`;
    const render = async () => (await this.overlay(inspection, fitWithin(inspection.image, side), options)).jpeg({ quality: 80 }).toBuffer();
    return this.files.get(mapBlob, name, () => this.queue.run(render, 'thumbnail'));
  }

  private async overlay(inspection: InspectionRecord, size: Size, options: RenderOptions) {
    const [image, map] = await Promise.all([this.stored(inspection.imageBlob!, 'image'), this.map(inspection.mapBlob!)]);
    return overlay(image, map, options.colormap, options.opacity, size, { maxPixels: this.maxPixels });
  }

  private async map(sha256: string) {
    return decodeMap(await this.stored(sha256, 'anomaly map'));
  }

  private async stored(sha256: string, what: string): Promise<Buffer> {
    const bytes = await this.blobs.read(sha256);
    if (!bytes) throw problems.filesRemoved(what);
    return bytes;
  }
}

const percent = (opacity: number) => Math.round(opacity * 100);

/** `size` scaled down, aspect ratio kept, so that its longest side is at most `side`. */
export function fitWithin(size: Size, side: number): Size {
  const scale = Math.min(1, side / Math.max(size.width, size.height));
  return { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
}
