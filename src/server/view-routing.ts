/**
 * Which model scores an image, and which part it joins: a view of a multi-view product is scored
 * by the active model of its view's product and joins the part's record; any other image is
 * scored by its own product's model. Misrouted views are refused before the image is read.
 */
import type { Traceability } from '../store/inspections.js';
import type { ProductViews } from '../store/product-views.js';
import { problems } from './problem.js';

export interface InspectionTarget {
  /** The product whose active model scores the image; the inspection is logged under it. */
  modelProductId: string;
  /** The multi-view product whose part record the inspection joins, or null. */
  partProductId: string | null;
}

export function routeInspection(productId: string, declared: ProductViews | null, trace: Pick<Traceability, 'partId' | 'view'>): InspectionTarget {
  const names = () => declared?.views.map((view) => view.name) ?? [];
  if (trace.view === null) {
    // a part of a multi-view product without its view could never complete its record
    if (declared && trace.partId !== null) throw problems.viewMissing(productId, names());
    return { modelProductId: productId, partProductId: null };
  }
  if (!declared) throw problems.noViews(productId);
  const view = declared.views.find((candidate) => candidate.name === trace.view);
  if (!view) throw problems.unknownView(productId, trace.view, names());
  if (trace.partId === null) throw problems.viewWithoutPart();
  return { modelProductId: view.product, partProductId: productId };
}
