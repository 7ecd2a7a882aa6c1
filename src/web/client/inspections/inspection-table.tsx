/** A page of inspections as rows; each row links to the inspection with the list's filter as its queue. */
import type { Ref } from 'preact';
import type { Inspection } from '../api/types.js';
import { AuthorizedImage } from '../components/authorized-image.js';
import { DecisionBadge, ReviewBadge } from '../components/badges.js';
import { ScoreBar } from '../components/score-bar.js';
import { formatTime } from '../format.js';
import { partPath } from '../parts/part-path.js';
import { Link, navigate } from '../routing/router.js';

interface InspectionTableProps {
  items: Inspection[];
  /** The list's filter as a query string: the detail page's queue. */
  queue: string;
  tableRef: Ref<HTMLTableElement>;
}

/** A click anywhere on a row but on its link (which navigates by itself). */
function openRow(event: MouseEvent, to: string) {
  if (!(event.target instanceof Element && event.target.closest('a'))) navigate(to);
}

export function InspectionTable({ items, queue, tableRef }: InspectionTableProps) {
  const detail = (id: string) => `/inspections/${id}${queue ? `?${queue}` : ''}`;
  return (
    <table class="inspection-table" ref={tableRef}>
      <caption class="visually-hidden">Inspections, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Overlay</th>
          <th scope="col">Time</th>
          <th scope="col">Product</th>
          <th scope="col">Line</th>
          <th scope="col">Camera</th>
          <th scope="col">Part · lot</th>
          <th scope="col">Decision</th>
          <th scope="col">Score</th>
          <th scope="col">Review</th>
          <th scope="col">Model</th>
        </tr>
      </thead>
      <tbody>
        {items.map((inspection) => (
          // the whole row opens the inspection on click; the time is the link for keyboards and new tabs
          <tr key={inspection.id} class="inspection-row" data-id={inspection.id} onClick={(event) => openRow(event, detail(inspection.id))}>
            <td class="cell-thumb">
              <AuthorizedImage class="thumb" path={`/api/v1/inspection-thumbnails/${inspection.id}`} alt={`Heatmap overlay of inspection ${inspection.id}`} />
            </td>
            <td class="cell-time">
              <Link class="row-link" to={detail(inspection.id)}>
                {formatTime(inspection.createdAt)}
              </Link>
            </td>
            <td>{inspection.product}</td>
            <td>{inspection.line ?? <span class="muted">–</span>}</td>
            <td>{inspection.camera ?? <span class="muted">–</span>}</td>
            <td class="cell-part">
              <PartCell inspection={inspection} />
            </td>
            <td>
              <DecisionBadge decision={inspection.decision} />
            </td>
            <td>
              <ScoreBar score={inspection.score} />
            </td>
            <td>
              <ReviewBadge state={inspection.reviewState} />
            </td>
            <td class="cell-model mono">{inspection.modelVersion}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The serial (a link to the part when it is one view of a multi-view part), its view and its lot. */
function PartCell({ inspection }: { inspection: Inspection }) {
  const { part, partRecord, view, lot } = inspection;
  if (part === null && lot === null) return <span class="muted">–</span>;
  return (
    <>
      {part !== null &&
        (partRecord ? (
          <Link class="part-link mono" to={partPath(partRecord.product, part, partRecord.pass)}>
            {part}
          </Link>
        ) : (
          <span class="mono">{part}</span>
        ))}
      {view && <span class="view-chip">{view}</span>}
      {lot !== null && <span class="lot muted small">lot {lot}</span>}
    </>
  );
}
