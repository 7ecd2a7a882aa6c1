/** Reading /metrics in tests: the value of one series, exactly as Prometheus' text format writes it. */

/** The value of `series` (a name with its labels, `name{a="x",b="y"}`), or 0 when /metrics has no such line yet. */
export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
