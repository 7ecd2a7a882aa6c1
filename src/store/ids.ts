/**
 * Inspection ids: ULIDs (48-bit millisecond time + 80 random bits, Crockford base32, 26
 * characters). They sort by creation time, carry no client input, and are monotonic within a
 * process: ids made in the same millisecond increment the random part instead of redrawing it.
 */
import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

let lastMs = -1;
const random = new Uint8Array(10);

export function newId(now: number = Date.now()): string {
  if (now <= lastMs) {
    increment(random);
  } else {
    lastMs = now;
    randomFillSync(random);
  }
  return encodeTime(lastMs) + encodeRandom(random);
}

function increment(bytes: Uint8Array): void {
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = (bytes[i] + 1) & 0xff;
    if (bytes[i] !== 0) return;
  }
}

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** 80 bits as 16 base32 digits, most significant first. */
function encodeRandom(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}
