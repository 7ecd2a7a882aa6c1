/**
 * A camera's image into the inspection service, whatever brought it (POST /api/v1/inspect, a hot
 * folder): refused while shutting down, routed to the model and part record its view belongs to,
 * then admitted, decoded, scored and logged by the one InspectionService.
 */
import type { ClientInfo, InspectionRecord, Traceability } from '../store/inspections.js';
import type { ServerContext } from './context.js';
import { problems } from './problem.js';
import { routeInspection } from './view-routing.js';

export interface Submission {
  product: string;
  line: string | null;
  camera: string | null;
  trace: Traceability;
  /** Reads the image; called only once the admission gate has room for it to arrive. */
  upload(): Promise<Uint8Array>;
  client: ClientInfo;
}

export type SubmitInspection = (submission: Submission) => Promise<InspectionRecord>;

export function submitInspection({ service, lifecycle, productViews }: Pick<ServerContext, 'service' | 'lifecycle' | 'productViews'>): SubmitInspection {
  return async (submission) => {
    if (lifecycle.draining) throw problems.shuttingDown();
    const target = routeInspection(submission.product, productViews.get(submission.product), submission.trace);
    return service.inspect({
      productId: target.modelProductId,
      partProductId: target.partProductId,
      trace: submission.trace,
      line: submission.line,
      camera: submission.camera,
      upload: submission.upload,
      client: submission.client,
    });
  };
}
