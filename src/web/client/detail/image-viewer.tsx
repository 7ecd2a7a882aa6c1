/**
 * The inspected image with its heatmap laid over it and the defect regions outlined. The heatmap
 * is a second picture stretched over the image whose CSS opacity blends it, which is the same
 * blend the server's overlay uses, so the opacity slider answers at once without new requests
 * (the server renders overlays at a few fixed opacities only).
 */
import type { Inspection } from '../api/types.js';
import { pictureProblem, useObjectUrl } from '../components/authorized-image.js';

interface ImageViewerProps {
  inspection: Inspection;
  showHeatmap: boolean;
  /** 0..1 */
  opacity: number;
  showRegions: boolean;
}

export function ImageViewer({ inspection, showHeatmap, opacity, showRegions }: ImageViewerProps) {
  const image = useObjectUrl(inspection.stored.image ? inspection.links.image : null);
  const heatmap = useObjectUrl(inspection.stored.map ? inspection.links.heatmap : null);
  const { width, height } = inspection.image;
  const missing = !inspection.stored.image ? 'The image was removed by the retention policy.' : image.error ? `The image is not available: ${pictureProblem(image.error)}.` : null;

  return (
    <div class="viewer">
      <div class="viewer-stage" style={{ '--aspect': String(width / height) }}>
        {image.url ? (
          <img class="viewer-image" src={image.url} alt={`${inspection.product} part from ${inspection.camera ?? 'an unnamed camera'}, ${width}×${height} pixels`} />
        ) : (
          <div class="viewer-missing" role={missing ? 'alert' : 'status'}>
            {missing ?? 'Loading the image…'}
          </div>
        )}
        {heatmap.url && <img class="viewer-heatmap" src={heatmap.url} alt="" hidden={!showHeatmap} style={{ opacity }} />}
        {showRegions && inspection.regions.length > 0 && (
          <svg class="viewer-regions" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`${inspection.regions.length} defect region outlines`}>
            {inspection.regions.map((region, i) => (
              <rect key={i} x={region.x} y={region.y} width={region.width} height={region.height} class="region-outline">
                <title>{`Region ${i + 1}: peak ${region.peak.toFixed(2)}, ${region.area} px`}</title>
              </rect>
            ))}
          </svg>
        )}
      </div>
    </div>
  );
}
