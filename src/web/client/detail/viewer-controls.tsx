/** The overlay switches and the opacity slider above the image. */
interface ViewerControlsProps {
  showHeatmap: boolean;
  onShowHeatmap(show: boolean): void;
  opacity: number;
  onOpacity(opacity: number): void;
  showRegions: boolean;
  onShowRegions(show: boolean): void;
  regionCount: number;
}

export function ViewerControls(props: ViewerControlsProps) {
  const percent = Math.round(props.opacity * 100);
  return (
    <div class="viewer-controls" role="group" aria-label="Overlay">
      <label class="switch">
        <input type="checkbox" role="switch" name="heatmap" checked={props.showHeatmap} onChange={(e) => props.onShowHeatmap(e.currentTarget.checked)} aria-keyshortcuts="h" />
        Heatmap <kbd>h</kbd>
      </label>
      <label class="slider">
        <span>Opacity</span>
        <input
          type="range"
          name="opacity"
          min="0"
          max="100"
          step="5"
          value={percent}
          disabled={!props.showHeatmap}
          onInput={(e) => props.onOpacity(Number(e.currentTarget.value) / 100)}
          aria-valuetext={`${percent} percent`}
          aria-keyshortcuts="[ ]"
        />
        <output class="slider-value">{percent}%</output>
      </label>
      <label class="switch">
        <input type="checkbox" role="switch" name="regions" checked={props.showRegions} onChange={(e) => props.onShowRegions(e.currentTarget.checked)} aria-keyshortcuts="o" />
        Region outlines ({props.regionCount}) <kbd>o</kbd>
      </label>
    </div>
  );
}
