/** The radix sort against V8's native typed-array sort, which orders -0 before +0 as ours does. */
import { describe, expect, it } from 'vitest';
import { sortFloat32 } from '../../src/metrics/sort.js';
import { Random } from '../../src/util/random.js';

function bits(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

describe('sortFloat32', () => {
  it('sorts every kind of float32 exactly as the native sort does', () => {
    const random = new Random(1);
    const special = [0, -0, Infinity, -Infinity, 1e-45, -1e-45, 1.17e-38, -3.4e38, 3.4e38, 1, -1];
    const values = new Float32Array(20_000);
    for (let i = 0; i < values.length; i++) {
      const r = random.uniform();
      values[i] = r < 0.1 ? special[random.int(special.length)] : r < 0.3 ? random.int(20) - 10 : random.normal() * 10 ** random.int(8);
    }
    const expected = values.slice().sort();
    // Compared bit for bit, so -0 versus +0 placement counts too.
    expect(bits(sortFloat32(values))).toEqual(bits(expected));
  });

  it('carries the payload along, stably', () => {
    const random = new Random(2);
    const original = new Float32Array(5000);
    for (let i = 0; i < original.length; i++) original[i] = random.int(50) / 7 - 3;
    const values = original.slice();
    const payload = Uint32Array.from({ length: values.length }, (_, i) => i);
    sortFloat32(values, payload);
    expect(new Set(payload).size).toBe(values.length);
    for (let k = 0; k < values.length; k++) {
      expect(values[k]).toBe(original[payload[k]]);
      if (k > 0) {
        expect(values[k - 1]).toBeLessThanOrEqual(values[k]);
        // Equal values keep their input order (LSD radix passes are stable).
        if (values[k - 1] === values[k]) expect(payload[k - 1]).toBeLessThan(payload[k]);
      }
    }
  });

  it('handles skipped passes, equal values, subarrays and a shared scratch buffer', () => {
    const random = new Random(3);
    // All in [1, 2): the top digit is common to every key, so its pass is skipped and the
    // result ends in the scratch buffer, to be copied back.
    const sameExponent = random.fillUniform(new Float32Array(3000), 1, 2);
    const allEqual = new Float32Array(1000).fill(0.25);
    const backing = random.fillUniform(new Float32Array(4000), -5, 5);
    const middle = backing.subarray(1000, 3000);
    const before = backing.slice();
    const scratch = { keys: new Uint32Array(10_000) };
    for (const values of [sameExponent, allEqual, middle]) {
      const expected = values.slice().sort();
      expect(bits(sortFloat32(values, undefined, scratch))).toEqual(bits(expected));
    }
    // Only the subarray moved.
    expect(backing.subarray(0, 1000)).toEqual(before.subarray(0, 1000));
    expect(backing.subarray(3000)).toEqual(before.subarray(3000));
  });

  it('accepts tiny inputs and rejects a mismatched payload or small scratch', () => {
    expect(sortFloat32(new Float32Array(0))).toEqual(new Float32Array(0));
    expect(sortFloat32(new Float32Array([2]))).toEqual(new Float32Array([2]));
    expect(sortFloat32(new Float32Array([2, -1]))).toEqual(new Float32Array([-1, 2]));
    expect(() => sortFloat32(new Float32Array(3), new Uint32Array(2))).toThrow(RangeError);
    expect(() => sortFloat32(new Float32Array([3, 1, 2]), undefined, { keys: new Uint32Array(2) })).toThrow(RangeError);
  });
});
