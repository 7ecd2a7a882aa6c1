/** The UI path of a part's page (a pass of a multi-view part). */
export function partPath(product: string, part: string, pass?: number): string {
  return `/parts/${encodeURIComponent(product)}/${encodeURIComponent(part)}${pass === undefined ? '' : `?pass=${pass}`}`;
}
