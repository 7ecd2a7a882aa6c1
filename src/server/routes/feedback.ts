/**
 * The QA feedback loop: an inspection QA reviewed as good (OK, or a false alarm) is added to its
 * product's good set by a trainer, so the product's next training job learns it; a trainer can
 * take it out again (added by mistake, or reviewed again as a defect); and the good set can be
 * listed. Only a person's review makes a part good: an unreviewed NG call may be a real defect,
 * and training on it as good would teach the model to pass it. Reviewed defects need no action:
 * every training job is evaluated on them.
 */
import { addToGoodSet, removeFromGoodSet } from '../../jobs/good-set.js';
import type { GoodSetImage } from '../../store/good-set.js';
import type { ServerContext } from '../context.js';
import { GoodSetBody, GoodSetEntrySchema, GoodSetListSchema } from '../lifecycle-schemas.js';
import { HttpProblem, problems } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { InspectionParams, ProductParams } from '../schemas.js';

export function feedbackRoutes(context: ServerContext): RouteSpec[] {
  const { db, inspections, registry, goodSet, blobs, trainingJobs, audit } = context;
  const entryJson = (image: GoodSetImage) => ({
    inspectionId: image.inspectionId,
    product: image.productId,
    file: image.file,
    addedAt: new Date(image.createdMs).toISOString(),
    reviewState: inspections.get(image.inspectionId)?.reviewState ?? 'unreviewed',
  });

  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/inspections/:id/good-set',
      operationId: 'addToGoodSet',
      summary: "Add the image of an inspection reviewed as good (OK, or a false alarm) to the product's good set for the next training",
      tag: 'qa',
      access: { roles: ['trainer'] },
      params: InspectionParams,
      body: GoodSetBody,
      responses: {
        201: { description: 'In the good set', schema: GoodSetEntrySchema },
        404: { description: 'No such inspection' },
        409: { description: 'The inspection is not reviewed, or was reviewed as a defect' },
        410: { description: 'The image was removed by the retention policy' },
      },
      async handle({ params, body, apiKey }) {
        const inspection = inspections.get(params.id);
        if (!inspection) throw problems.notFound(`There is no inspection ${params.id}.`);
        if (inspection.reviewState === 'unreviewed') {
          throw new HttpProblem(409, 'not-reviewed', 'The inspection is not reviewed', `Inspection ${params.id} is not reviewed; review it as OK or a false alarm first if the part is good.`);
        }
        if (inspection.reviewState === 'true_defect' || inspection.reviewState === 'missed_defect') {
          throw new HttpProblem(409, 'reviewed-as-defect', 'The inspection was reviewed as a defect', `Inspection ${params.id} is reviewed as ${inspection.reviewState}; review it as a false alarm first if the part is good.`);
        }
        if (!inspection.imageBlob) throw problems.filesRemoved('image');
        const actor = apiKey?.id ?? null;
        const { image, added } = await addToGoodSet(inspection, inspection.imageBlob, { blobs, files: trainingJobs.files, store: goodSet }, actor).catch((error: unknown) => {
          throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? problems.filesRemoved('image') : error;
        });
        if (added) {
          audit.record({ actorKeyId: actor, action: 'good-set.add', target: `${inspection.productId}/${inspection.id}`, detail: { product: inspection.productId, inspection: inspection.id, file: image.file, note: body.note ?? null } });
        }
        return entryJson(image);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/inspections/:id/good-set',
      operationId: 'removeFromGoodSet',
      summary: "Take the image of an inspection out of the product's good set: later training jobs no longer train on it (jobs queued already keep it)",
      tag: 'qa',
      access: { roles: ['trainer'] },
      params: InspectionParams,
      body: GoodSetBody,
      responses: {
        204: { description: 'Out of the good set, its file removed' },
        404: { description: 'No such inspection' },
        409: { description: 'The inspection is not in the good set' },
      },
      async handle({ params, body, apiKey, res }) {
        const inspection = inspections.get(params.id);
        if (!inspection) throw problems.notFound(`There is no inspection ${params.id}.`);
        const removed = await removeFromGoodSet(inspection.id, { db, files: trainingJobs.files, store: goodSet }, (image) =>
          audit.record({
            actorKeyId: apiKey?.id ?? null,
            action: 'good-set.remove',
            target: `${image.productId}/${image.inspectionId}`,
            detail: { product: image.productId, inspection: image.inspectionId, file: image.file, note: body.note ?? null },
          }),
        );
        if (!removed) {
          throw new HttpProblem(
            409,
            'not-in-good-set',
            'The inspection is not in the good set',
            `Inspection ${params.id} is not in the good set of product "${inspection.productId}": it was not added, or was taken out already.`,
          );
        }
        res.status(204).end();
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/products/:product/good-set',
      operationId: 'listGoodSet',
      summary: "The product's good set: inspection images QA added, which its next training jobs train on",
      tag: 'qa',
      access: { roles: ['qa'] },
      params: ProductParams,
      responses: { 200: { description: 'The good set, oldest first', schema: GoodSetListSchema }, 404: { description: 'Unknown product' } },
      handle({ params }) {
        if (!registry.product(params.product)) throw problems.unknownProduct(params.product, registry.products().map((p) => p.id));
        return { product: params.product, items: goodSet.list(params.product).map(entryJson) };
      },
    }),
  ];
}
