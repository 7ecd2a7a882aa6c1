/**
 * The sink form's state: every field as typed (text, so a half-typed number is not lost), made
 * from a stored sink for editing, and turned into the API's body. The server checks the values
 * and its refusals name fields (`body.settings.url`), which `fieldOf` maps back onto the form.
 * Settings the form does not show (an MQTT broker's CA, set through the API) are kept on edit.
 */
import type { Sink } from '../api/types.js';

export const SINK_KIND_NAMES = ['webhook', 'mqtt', 'folder'] as const;
export type SinkKindName = (typeof SINK_KIND_NAMES)[number];

export interface SinkForm {
  name: string;
  product: string;
  line: string;
  camera: string;
  kind: SinkKindName;
  filter: Sink['filter'];
  /** With filter "sample": percent of OK results sent. */
  okShare: string;
  withOverlay: boolean;
  /** Minutes. */
  deadLetterAfterMs: string;
  url: string;
  /** Webhook signing key or MQTT password; empty keeps the stored one when editing. */
  secret: string;
  password: string;
  timeoutMs: string;
  /** Webhook headers, one "Name: value" a line. */
  headers: string;
  topic: string;
  retain: boolean;
  username: string;
  path: string;
  /** The edited sink's kind and settings as stored (secrets aside): what the form leaves alone is sent back unchanged. */
  stored: { kind: string; settings: Record<string, unknown> } | null;
}

export type SinkField = keyof SinkForm;

const MINUTE_MS = 60_000;

export const EMPTY_SINK_FORM: SinkForm = {
  name: '',
  product: '',
  line: '',
  camera: '',
  kind: 'webhook',
  filter: 'ng',
  okShare: '10',
  withOverlay: false,
  deadLetterAfterMs: String(24 * 60),
  url: '',
  secret: '',
  password: '',
  timeoutMs: '5000',
  headers: '',
  topic: 'kensa/{product}/{line}/{camera}/result',
  retain: false,
  username: '',
  path: '',
  stored: null,
};

const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** The form for editing `sink`: its settings as shown by the API (secrets never are, so they stay empty). */
export function formOf(sink: Sink): SinkForm {
  const settings = sink.settings;
  const headers = (settings.headers ?? {}) as Record<string, string>;
  return {
    ...EMPTY_SINK_FORM,
    name: sink.name,
    product: sink.product,
    line: sink.line ?? '',
    camera: sink.camera ?? '',
    kind: SINK_KIND_NAMES.find((kind) => kind === sink.kind) ?? 'webhook',
    filter: sink.filter,
    okShare: String(Math.round(sink.okShare * 1000) / 10),
    withOverlay: sink.withOverlay,
    deadLetterAfterMs: String(sink.deadLetterAfterMs / MINUTE_MS),
    url: text(settings.url),
    timeoutMs: text(settings.timeoutMs) || EMPTY_SINK_FORM.timeoutMs,
    headers: Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n'),
    topic: text(settings.topic) || EMPTY_SINK_FORM.topic,
    retain: settings.retain === true,
    username: text(settings.username),
    path: text(settings.path),
    stored: { kind: sink.kind, settings },
  };
}

/** A number typed into a field; anything else is sent as typed, for the server to name the field. */
const numeric = (typed: string, scale = 1): number | string => (typed.trim() !== '' && Number.isFinite(Number(typed)) ? Math.round(Number(typed) * scale * 1e6) / 1e6 : typed);
const optional = (typed: string): string | undefined => typed.trim() || undefined;

export class HeaderLineError extends Error {}

/** "Name: value" lines as an object; a line without a colon is refused here, as the server could not say which line it was. */
function headersOf(lines: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines.split('\n').filter((entry) => entry.trim())) {
    const colon = line.indexOf(':');
    if (colon < 1) throw new HeaderLineError(`"${line.trim()}" is not "Name: value"`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function settingsOf(form: SinkForm): Record<string, unknown> {
  switch (form.kind) {
    case 'webhook':
      return { url: form.url.trim(), secret: optional(form.secret), timeoutMs: numeric(form.timeoutMs), headers: headersOf(form.headers) };
    case 'mqtt':
      return {
        url: form.url.trim(),
        topic: form.topic.trim(),
        retain: form.retain,
        username: optional(form.username),
        password: optional(form.password),
        timeoutMs: numeric(form.timeoutMs),
      };
    case 'folder':
      return { path: form.path.trim() };
  }
}

/** The body of POST /api/v1/sinks (and of a replacement): blank scope fields mean every line or camera. */
export function bodyOf(form: SinkForm): Record<string, unknown> {
  return {
    name: form.name.trim(),
    product: form.product.trim(),
    line: optional(form.line),
    camera: optional(form.camera),
    kind: form.kind,
    filter: form.filter,
    okShare: form.filter === 'sample' ? numeric(form.okShare, 0.01) : 0,
    withOverlay: form.withOverlay,
    deadLetterAfterMs: numeric(form.deadLetterAfterMs, MINUTE_MS),
    settings: { ...(form.stored?.kind === form.kind ? form.stored.settings : {}), ...settingsOf(form) },
  };
}

/** The form field an API error path (`body.settings.headers.X-Line`) is about, if any. */
export function fieldOf(path: string): SinkField | null {
  const [first, second] = path.replace(/^body\./, '').split('.');
  const name = first === 'settings' ? second : first;
  return name !== undefined && name !== 'stored' && name in EMPTY_SINK_FORM ? (name as SinkField) : null;
}
