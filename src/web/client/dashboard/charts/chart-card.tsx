/** A chart in a panel: its title and one-line explanation above, its legend below. */
import type { ComponentChildren } from 'preact';

export interface LegendEntry {
  label: string;
  /** CSS class giving the swatch its colour (see styles.css, .series-*). */
  swatch: string;
}

interface ChartCardProps {
  title: string;
  subtitle: string;
  legend?: LegendEntry[];
  /** Shown over the chart instead of marks when there is nothing to draw. */
  empty?: string | null;
  children: ComponentChildren;
}

export function ChartCard({ title, subtitle, legend, empty, children }: ChartCardProps) {
  return (
    <figure class="panel chart-card">
      <figcaption>
        <h2>{title}</h2>
        <p class="muted small">{subtitle}</p>
      </figcaption>
      <div class="chart-body">
        {children}
        {empty && <p class="chart-empty">{empty}</p>}
      </div>
      {legend && legend.length > 0 && (
        <ul class="chart-legend">
          {legend.map((entry) => (
            <li key={entry.label}>
              <span class={`legend-swatch ${entry.swatch}`} aria-hidden="true" />
              {entry.label}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
