/** Every sink kind by name: a new protocol is one file in sinks/ and one line here. */
import type { SinkKind } from './sink.js';
import { folderKind } from './sinks/folder.js';
import { mqttKind } from './sinks/mqtt.js';
import { webhookKind } from './sinks/webhook.js';

export const SINK_KINDS = {
  webhook: webhookKind,
  mqtt: mqttKind,
  folder: folderKind,
} as const;

type SinkKindName = keyof typeof SINK_KINDS;

export function sinkKind(name: string): SinkKind {
  if (!Object.hasOwn(SINK_KINDS, name)) throw new Error(`unknown sink kind ${name}`);
  return SINK_KINDS[name as SinkKindName] as unknown as SinkKind;
}
