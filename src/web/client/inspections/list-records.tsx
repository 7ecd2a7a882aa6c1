/**
 * Exports and legal holds for the list's Serial, Lot and Time filters: the export takes the part,
 * the lot and the time range (and the product), as the export API does; a list narrowed further
 * says so. Nothing is offered until a part, a lot or a whole time range is chosen.
 */
import { RecordsPanel } from '../traceability/records-panel.js';
import type { HoldTarget } from '../traceability/legal-hold-control.js';
import { describeFilter, type InspectionFilter } from './filters.js';

/** The filters an export does not apply. */
const NOT_EXPORTED = ['line', 'camera', 'decision', 'review', 'minScore', 'maxScore'] as const;

export function ListRecords({ filter }: { filter: InspectionFilter }) {
  const { part, lot, product, from, to } = filter;
  const range = from !== undefined && to !== undefined;
  if (part === undefined && lot === undefined && !range) return null;
  const selection = { part, lot, product, ...(range ? { from, to } : {}) };
  const holds: HoldTarget[] = [...(part ? [{ kind: 'part' as const, value: part }] : []), ...(lot ? [{ kind: 'lot' as const, value: lot }] : [])];
  const narrowed = NOT_EXPORTED.some((key) => filter[key] !== undefined);
  return (
    <RecordsPanel
      exports={[{ subject: describeFilter(selection), selection }]}
      holds={holds}
      note={narrowed ? 'The export takes the serial, lot, product and time filters only: it holds every inspection of them, whatever the other filters show.' : undefined}
    />
  );
}
