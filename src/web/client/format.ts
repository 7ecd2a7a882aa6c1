/** How numbers and times read in the UI: local time, 24-hour clock, fixed decimals in tables. */
import { describeInput } from '../../image/resize-policy.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** A model input: "fill 320px", "fill 496x1264px" (a frame-shaped fill), "fit-short-side 500px". */
export function formatInput(input: { policy: string; size: number; height?: number }): string {
  return `${describeInput(input)}px`;
}

/** "2025-03-14 08:05:09" in the PC's time zone. */
export function formatTime(iso: string): string {
  const t = new Date(iso);
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}

/** The value of an <input type="datetime-local"> for an ISO time. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const t = new Date(iso);
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

/** An <input type="datetime-local"> value (local time) as ISO, or undefined when empty. */
export function fromLocalInput(value: string): string | undefined {
  return value ? new Date(value).toISOString() : undefined;
}

export function formatScore(score: number): string {
  return score.toFixed(3);
}

export function formatPercent(ratio: number, digits = 1): string {
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} B`;
}

/** "45 s", "3 min 05 s", "1 h 02 min": how long a job took or has been running. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${pad(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min`;
}

/** "key 1a2b3c4d": who did something, by the public part of their API key. */
export function formatKey(prefix: string | null): string {
  return prefix ? `key ${prefix}` : 'the server';
}
