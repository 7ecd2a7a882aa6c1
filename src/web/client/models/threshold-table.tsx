/** The candidate thresholds as a table, each one selectable: the chart's numbers, for reading and for the keyboard. */
import type { ThresholdRate, ThresholdRates } from '../api/types.js';
import { formatPercent } from '../format.js';

interface ThresholdTableProps {
  data: ThresholdRates;
  selected: number | null;
  onSelect(threshold: number): void;
}

function outOf(count: number, total: number, rate: number | null) {
  return rate === null ? <span class="muted">–</span> : `${count} of ${total} (${formatPercent(rate)})`;
}

export function ThresholdTable({ data, selected, onSelect }: ThresholdTableProps) {
  const tooLow = (rate: ThresholdRate) => !(rate.threshold > data.center);
  return (
    <div class="threshold-table-wrap">
      <table class="data-table threshold-table">
        <caption class="visually-hidden">Expected rates at each candidate threshold, lowest threshold first</caption>
        <thead>
          <tr>
            <th scope="col">Threshold</th>
            <th scope="col">False calls</th>
            <th scope="col">Escapes</th>
            <th scope="col">
              <span class="visually-hidden">Marks</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {data.rates.map((rate) => (
            <tr key={rate.threshold} class={rate.threshold === selected ? 'row-selected' : undefined}>
              <th scope="row">
                <button type="button" class="link-button num" aria-pressed={rate.threshold === selected} onClick={() => onSelect(rate.threshold)}>
                  {rate.threshold.toPrecision(4)}
                </button>
              </th>
              <td class="num">{outOf(rate.falseCalls, data.reviewed.good, rate.falseCallRate)}</td>
              <td class="num">{outOf(rate.escapes, data.reviewed.defect, rate.escapeRate)}</td>
              <td class="marks">
                {rate.current && <span class="mark mark-current">in force</span>}
                {rate.calibrated && <span class="mark mark-calibrated">calibrated</span>}
                {tooLow(rate) && <span class="mark mark-low">below good median</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
