/**
 * Exports for audits and customer complaints: a lot's, a part's or a time range's inspections as
 * CSV or JSON, or as a zip with that CSV and JSON and each inspection's image and overlay. All of
 * it is streamed, oldest first, from one snapshot of the log (inspections logged meanwhile are
 * left out, so the zip's files and tables agree). A client that goes away ends the export.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import type { InspectionFilter, InspectionRecord } from '../../store/inspections.js';
import type { Access } from '../auth.js';
import type { ServerContext } from '../context.js';
import { csvChunks, jsonChunks, type ExportHeader } from '../export/inspection-export.js';
import { sendZip, type ZipEntry } from '../export/zip-stream.js';
import { HttpProblem } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ExportQuery } from '../traceability-schemas.js';

const EXTENSIONS: Record<string, string> = { png: 'png', jpeg: 'jpg', tiff: 'tif', webp: 'webp', bmp: 'bmp' };

interface Export {
  header: ExportHeader;
  /** File name without extension. */
  name: string;
  /** The records, page by page, as the log was when the export started. */
  pages(): Iterable<InspectionRecord[]>;
}

/** Ends quietly when the client went away (nothing is left to tell it); anything else is an error. */
async function sending(work: Promise<void>): Promise<undefined> {
  try {
    await work;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  }
  return undefined;
}

const slug = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);

export function exportRoutes(context: ServerContext): RouteSpec[] {
  const { inspections, blobs, renders, config } = context;

  const exportOf = (query: z.output<typeof ExportQuery>): Export => {
    const { lot, part, product, from, to } = query;
    if (lot === undefined && part === undefined && (from === undefined || to === undefined)) {
      throw new HttpProblem(400, 'no-selection', 'The export has no selection', 'Name a lot, a part, or a time range (both `from` and `to`) to export.');
    }
    const fromMs = from === undefined ? undefined : Date.parse(from);
    const toMs = to === undefined ? undefined : Date.parse(to);
    if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) throw new HttpProblem(400, 'invalid-range', 'The time range is empty', '`from` must be before `to`.');
    const selection = Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const filter: InspectionFilter = { lot, part, product, fromMs, toMs };
    const snapshot = inspections.snapshot();
    return {
      header: { exportedAt: new Date().toISOString(), selection },
      name: `kensa-${Object.entries(selection).map(([key, value]) => `${key}-${slug(value)}`).join('-')}`,
      pages: () => inspections.pagesOldestFirst(filter, snapshot),
    };
  };

  const readme = (selected: Export) =>
    [
      `kensa export of ${selected.header.exportedAt}`,
      `selection: ${Object.entries(selected.header.selection).map(([key, value]) => `${key}=${value}`).join(', ')}`,
      '',
      'inspections.csv    one row per inspection, oldest first',
      'inspections.json   the same inspections as the API shows them',
      'images/<id>.<ext>  the image each inspection was made of, as the camera sent it',
      `overlays/<id>.png  its heatmap over the image (colormap ${config.colormap}, opacity ${config.overlayOpacity})`,
      '',
      'An inspection whose files the retention policy removed has no image or overlay here;',
      'its image_stored and map_stored columns say so.',
      '',
    ].join('\r\n');

  async function* zipEntries(selected: Export): AsyncGenerator<ZipEntry> {
    yield { name: 'README.txt', data: Readable.from([readme(selected)]), compress: true };
    yield { name: 'inspections.csv', data: Readable.from(csvChunks(selected.pages())), compress: true };
    yield { name: 'inspections.json', data: Readable.from(jsonChunks(selected.pages(), selected.header)), compress: true };
    for (const page of selected.pages()) {
      for (const record of page) {
        const image = record.imageBlob === null ? null : await blobs.stream(record.imageBlob);
        if (image) yield { name: `images/${record.id}.${EXTENSIONS[record.image.format] ?? 'bin'}`, data: image, compress: false };
        const overlay = await overlayOf(record);
        if (overlay) yield { name: `overlays/${record.id}.png`, data: Readable.from([overlay]), compress: false };
      }
    }
  }

  /** The overlay PNG (rendered behind the reviewers' pictures if not rendered yet), or null when its files are gone. */
  async function overlayOf(record: InspectionRecord): Promise<Buffer | null> {
    if (record.imageBlob === null || record.mapBlob === null) return null;
    try {
      return await renders.png(record, 'overlay', { colormap: config.colormap, opacity: config.overlayOpacity }, 'background');
    } catch (error) {
      if (error instanceof HttpProblem && error.code === 'files-removed') return null;
      throw error;
    }
  }

  const access: Access = { roles: ['qa'] };
  const common = { tag: 'traceability', access, query: ExportQuery };
  const responses = (contentType: string, what: string) => ({
    200: { description: `${what}, streamed as an attachment`, contentType },
    400: { description: 'No lot, part or time range was named, or the range is empty' },
  });

  return [
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/exports/csv',
      operationId: 'exportCsv',
      summary: "A lot's, a part's or a time range's inspections as CSV, oldest first",
      responses: responses('text/csv', 'One row per inspection'),
      async handle({ query, res }) {
        const selected = exportOf(query);
        res.attachment(`${selected.name}.csv`).type('text/csv; charset=utf-8');
        return sending(pipeline(Readable.from(csvChunks(selected.pages())), res));
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/exports/json',
      operationId: 'exportJson',
      summary: "A lot's, a part's or a time range's inspections as JSON, oldest first",
      responses: responses('application/json', '{ exportedAt, selection, items: [inspection] }'),
      async handle({ query, res }) {
        const selected = exportOf(query);
        res.attachment(`${selected.name}.json`).type('application/json');
        return sending(pipeline(Readable.from(jsonChunks(selected.pages(), selected.header)), res));
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/exports/zip',
      operationId: 'exportZip',
      summary: "A lot's, a part's or a time range's inspections as a zip: the CSV, the JSON, and each inspection's image and overlay",
      responses: responses('application/zip', 'README.txt, inspections.csv, inspections.json, images/<id>.<ext>, overlays/<id>.png'),
      async handle({ query, res }) {
        const selected = exportOf(query);
        res.attachment(`${selected.name}.zip`).type('application/zip');
        return sending(sendZip(res, zipEntries(selected)));
      },
    }),
  ];
}
