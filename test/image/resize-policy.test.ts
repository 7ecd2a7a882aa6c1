import { describe, expect, it } from 'vitest';
import { describeInput, targetSize } from '../../src/image/resize-policy.js';

describe('targetSize', () => {
  it('fill squashes any aspect ratio to size x size', () => {
    expect(targetSize({ width: 630, height: 101 }, { policy: 'fill', size: 224, multiple: 32 })).toEqual({ width: 224, height: 224 });
    expect(targetSize({ width: 1, height: 5000 }, { policy: 'fill', size: 256, multiple: 8 })).toEqual({ width: 256, height: 256 });
  });

  it('fill with a height squashes to size x height, and says so', () => {
    const strip = { policy: 'fill', size: 496, height: 1264, multiple: 16 } as const;
    expect(targetSize({ width: 500, height: 1240 }, strip)).toEqual({ width: 496, height: 1264 });
    expect(describeInput(strip)).toBe('fill 496x1264');
    expect(describeInput({ policy: 'fit-short-side', size: 500, multiple: 16 })).toBe('fit-short-side 500');
  });

  it('fit-short-side puts the short side at size and keeps the aspect ratio up to rounding', () => {
    // 630 x 101: scale 224 / 101 = 2.2178 -> 1397.2 x 224 -> multiples of 32: 1408 x 224
    expect(targetSize({ width: 630, height: 101 }, { policy: 'fit-short-side', size: 224, multiple: 32 })).toEqual({ width: 1408, height: 224 });
    expect(targetSize({ width: 101, height: 630 }, { policy: 'fit-short-side', size: 224, multiple: 32 })).toEqual({ width: 224, height: 1408 });
    // 494 x 361 (an MTD tile): 224 / 361 -> 306.5 x 224 -> multiples of 16: 304 x 224
    expect(targetSize({ width: 494, height: 361 }, { policy: 'fit-short-side', size: 224, multiple: 16 })).toEqual({ width: 304, height: 224 });
    // upscaling works the same way
    expect(targetSize({ width: 50, height: 100 }, { policy: 'fit-short-side', size: 200, multiple: 1 })).toEqual({ width: 200, height: 400 });
  });

  it('fit-short-side caps the long side at maxSize, then the short side shrinks with it', () => {
    // 630 x 101 with maxSize 1024: scale 1024 / 630 -> 1024 x 164.2 -> 1024 x 160
    expect(targetSize({ width: 630, height: 101 }, { policy: 'fit-short-side', size: 224, maxSize: 1024, multiple: 32 })).toEqual({
      width: 1024,
      height: 160,
    });
    // maxSize not a multiple: the long side rounds down to the largest multiple below it (480, not 512)
    expect(targetSize({ width: 630, height: 101 }, { policy: 'fit-short-side', size: 224, maxSize: 500, multiple: 32 })).toEqual({
      width: 480,
      height: 96,
    });
    // a cap that does not bind changes nothing
    expect(targetSize({ width: 300, height: 200 }, { policy: 'fit-short-side', size: 224, maxSize: 4096, multiple: 32 })).toEqual({
      width: 352,
      height: 224,
    });
  });

  it('never rounds a side down to zero', () => {
    expect(targetSize({ width: 4000, height: 10 }, { policy: 'fit-short-side', size: 224, maxSize: 512, multiple: 32 })).toEqual({
      width: 512,
      height: 32,
    });
  });

  it('rejects impossible inputs', () => {
    expect(() => targetSize({ width: 0, height: 10 }, { policy: 'fill', size: 224, multiple: 32 })).toThrow(RangeError);
    expect(() => targetSize({ width: 10, height: 10 }, { policy: 'fit-short-side', size: 224, maxSize: 16, multiple: 32 })).toThrow(RangeError);
  });
});
