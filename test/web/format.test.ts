/** How the UI writes a model's input. */
import { describe, expect, it } from 'vitest';
import { formatInput } from '../../src/web/client/format.js';

describe('formatInput', () => {
  it('writes a square fill by its side, a frame-shaped fill by both sides, and an aspect-keeping input by its short side', () => {
    expect(formatInput({ policy: 'fill', size: 320 })).toBe('fill 320px');
    expect(formatInput({ policy: 'fill', size: 496, height: 1264 })).toBe('fill 496x1264px');
    expect(formatInput({ policy: 'fit-short-side', size: 500 })).toBe('fit-short-side 500px');
  });
});
