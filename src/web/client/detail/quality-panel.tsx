/**
 * The frame's image quality beside the model's calibration images (5th percentile, median, 95th
 * percentile), a measure outside that range marked; and, when the review queue asked for this
 * inspection, why.
 */
import type { InspectionQuality } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { useSession } from '../session/session-context.js';

const MEASURES = [
  { measure: 'brightness', name: 'Brightness' },
  { measure: 'contrast', name: 'Contrast' },
  { measure: 'focus', name: 'Focus' },
  { measure: 'saturation', name: 'Clipped pixels' },
] as const;

const show = (value: number) => (value === 0 ? '0' : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3));

export function QualityPanel({ inspectionId }: { inspectionId: string }) {
  const { api } = useSession();
  const quality = useLoad(() => api.inspectionQuality(inspectionId), [api, inspectionId]);
  const data: InspectionQuality | null = quality.data;
  return (
    <section class="panel" aria-labelledby="quality-heading">
      <h2 id="quality-heading">Image quality</h2>
      {quality.error && (
        <p class="form-error" role="alert">
          {quality.error.message}
        </p>
      )}
      {data?.queue && (
        <p class="queue-note">
          In the review queue: <strong>{data.queue.why}</strong>
          {!data.queue.waiting && <span class="muted"> (reviewed)</span>}
        </p>
      )}
      {data && !data.quality && <p class="muted small">Not measured: the inspection was logged before kensa measured image quality.</p>}
      {data?.quality && (
        <table class="data-table quality-table">
          <thead>
            <tr>
              <th scope="col">Measure</th>
              <th scope="col">This frame</th>
              <th scope="col">Calibration (5th · median · 95th)</th>
            </tr>
          </thead>
          <tbody>
            {MEASURES.map(({ measure, name }) => {
              const value = data.quality![measure];
              const reference = data.reference?.[measure];
              const outside = reference !== undefined && (value < reference.low || value > reference.high);
              return (
                <tr key={measure} class={outside ? 'quality-outside' : undefined}>
                  <th scope="row">{name}</th>
                  <td class="num">
                    {show(value)}
                    {outside && <span class="warning-text small"> outside</span>}
                  </td>
                  <td class="num muted">{reference ? `${show(reference.low)} · ${show(reference.median)} · ${show(reference.high)}` : '–'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {data?.referenceUnavailable && <p class="muted small">{data.referenceUnavailable}</p>}
    </section>
  );
}
