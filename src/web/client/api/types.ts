/**
 * The API's response types, taken from the server's own zod schemas (type-only imports, erased
 * from the bundle), so the UI cannot drift from what the server sends.
 */
import type { z } from 'zod';
import type { Facets, Neighbors, WhoAmI } from '../../../server/routes/ui-support.js';
import type { InspectionJson, InspectionListSchema, ModelListSchema, ProductListSchema, ReviewSchema, StatsSchema } from '../../../server/schemas.js';
import type { ReviewState, ReviewVerdict } from '../../../store/inspections.js';

export type Inspection = InspectionJson;
export type InspectionList = z.infer<typeof InspectionListSchema>;
export type Review = z.infer<typeof ReviewSchema>;
export type Region = Inspection['regions'][number];
export type ModelSummary = z.infer<typeof ModelListSchema>['items'][number];
export type Product = z.infer<typeof ProductListSchema>['items'][number];
export type Stats = z.infer<typeof StatsSchema>;
export type StatsBucket = Stats['buckets'][number];
export type { Facets, Neighbors, ReviewState, ReviewVerdict, WhoAmI };
