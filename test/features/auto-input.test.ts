/** `--tile auto`'s choice of resolution: the frames' own when the recipe would shrink them, and a stable choice on retraining. */
import { describe, expect, it } from 'vitest';
import { chooseInput } from '../../src/features/auto-input.js';
import type { InputSpec } from '../../src/model/manifest.js';

const FILL_320: InputSpec = { policy: 'fill', size: 320, multiple: 16 };
const frames = (width: number, height: number, count = 5) => Array.from({ length: count }, () => ({ width, height }));

describe('chooseInput', () => {
  it('takes tall strips at their own size, with the coarse pass at the resolution of the recipe\'s', () => {
    const choice = chooseInput(frames(500, 1260), FILL_320, 0.7);
    expect(choice.input).toEqual({ policy: 'fill', size: 496, height: 1264, multiple: 16 });
    // The recipe's coarse pass saw 0.7 x 320 = 224 px.
    expect(choice.coarseScale).toBeCloseTo(224 / 496, 4);
    expect(choice.reason).toMatch(/own resolution, 496x1264, not shrunk to the recipe's 320 px short side; the coarse pass at 224 px/);
  });

  it('gives strips of slightly different lengths one input size, so they share one feature grid', () => {
    const strips = [1240, 1252, 1260, 1266, 1270].map((height) => ({ width: 500, height }));
    expect(chooseInput(strips, FILL_320, 0.7).input).toEqual({ policy: 'fill', size: 496, height: 1264, multiple: 16 });
  });

  it('decides the same again on the package\'s own recipe, so a retrain keeps the model\'s resolution', () => {
    const first = chooseInput(frames(500, 1260), FILL_320, 0.7);
    const again = chooseInput(frames(500, 1260), first.input, first.coarseScale);
    expect(again.input).toEqual(first.input);
    expect(again.coarseScale).toBe(first.coarseScale);
  });

  it('caps the resolution of large frames, so training holds every image\'s features in memory', () => {
    const choice = chooseInput(frames(2592, 1944), FILL_320, 0.7);
    expect(choice.input).toEqual({ policy: 'fill', size: 1632, height: 1232, multiple: 16 });
    expect(choice.reason).toMatch(/taken at 1632x1232, their own resolution capped at 2 MP/);
  });

  it('keeps the recipe input for frames of several aspects (one per-position model needs one grid)', () => {
    const choice = chooseInput([...frames(599, 244), ...frames(219, 264)], FILL_320, 0.7);
    expect(choice).toEqual({ input: FILL_320, coarseScale: 0.7, reason: 'the training frames have several aspect ratios, so the recipe input is kept' });
  });

  it('keeps the recipe input when it is near the frames\' own resolution, and adds no coarse pass where the recipe has none', () => {
    expect(chooseInput(frames(380, 400), FILL_320, undefined)).toEqual({ input: FILL_320, reason: '' });
    const native = chooseInput(frames(1024, 1024), FILL_320, undefined);
    expect(native.input).toEqual({ policy: 'fill', size: 1024, height: 1024, multiple: 16 });
    expect(native.coarseScale).toBeUndefined();
  });
});
