/**
 * The OPC UA server end to end: a real kensa server with its OPC UA endpoint on a loopback port and
 * node-opcua's own client, as a PLC would use it: subscribe, read a posted image's result,
 * acknowledge, see ResultReady clear and Sequence count; wrong credentials refused; the last
 * result restored after a restart; a camera's drift shown once its event opens, kept over a
 * restart, cleared once it is resolved.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  AttributeIds,
  ClientMonitoredItem,
  ClientSubscription,
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  UserTokenType,
  type ClientSession,
  type DataValue,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE_URI } from '../../src/line/opcua-server.js';
import { metricValue } from '../helpers/prometheus.js';
import { metricsText } from '../outbox/helpers.js';
import { greyPng, inspect, inspectionId, post, startTestServer, type TestServer } from '../server/harness.js';

const USER = { userName: 'plc', password: 'line-1-secret' };
const CAMERA = 'widget/L1/cam-2';

let server: TestServer;
let pkiDir: string;

beforeAll(async () => {
  pkiDir = await mkdtemp(path.join(os.tmpdir(), 'kensa-opcua-client-'));
  server = await startTestServer({ config: { opcuaPort: 0, opcuaHost: '127.0.0.1', opcuaUser: USER.userName, opcuaPassword: USER.password } });
}, 60_000);

afterAll(async () => {
  await server.dispose();
  await rm(pkiDir, { recursive: true, force: true });
});

/** A PLC's client: no message security, user name and password (sent encrypted with the server's certificate). */
async function connect(identity: { userName: string; password: string } | null): Promise<{ session: ClientSession; close(): Promise<void> }> {
  const client = OPCUAClient.create({
    endpointMustExist: false,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    connectionStrategy: { maxRetry: 0 },
    clientCertificateManager: new OPCUACertificateManager({ rootFolder: pkiDir, automaticallyAcceptUnknownCertificate: true }),
  });
  await client.connect(server.server.opcuaUrl!);
  try {
    const session = await client.createSession(identity ? { type: UserTokenType.UserName, ...identity } : { type: UserTokenType.Anonymous });
    return {
      session,
      close: async () => {
        await session.close();
        await client.disconnect();
      },
    };
  } catch (error) {
    await client.disconnect();
    throw error;
  }
}

async function nodeId(session: ClientSession, variable: string, camera = CAMERA): Promise<string> {
  const namespaces = (await session.readNamespaceArray()) as string[];
  return `ns=${namespaces.indexOf(NAMESPACE_URI)};s=${camera}/${variable}`;
}

async function read(session: ClientSession, variable: string, camera = CAMERA): Promise<unknown> {
  const value = await session.read({ nodeId: await nodeId(session, variable, camera), attributeId: AttributeIds.Value });
  expect(value.statusCode.isGood()).toBe(true);
  return value.value.value;
}

/** Resolves with the first value of node `id` the subscription reports that satisfies `accept`; rejects after 10 s. */
function change(subscription: ClientSubscription, id: string, accept: (value: unknown) => boolean): Promise<unknown> {
  const item = ClientMonitoredItem.create(subscription, { nodeId: id, attributeId: AttributeIds.Value }, { samplingInterval: 0, queueSize: 10, discardOldest: true }, TimestampsToReturn.Both);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} was not reported with the expected value`)), 10_000);
    item.on('changed', (value: DataValue) => {
      if (accept(value.value.value)) {
        clearTimeout(timer);
        void item.terminate();
        resolve(value.value.value);
      }
    });
  });
}

async function postImage(level: number): Promise<{ id: string; decision: string }> {
  const response = await inspect(server, await greyPng(64, 64, level), { line: 'L1', camera: 'cam-2' });
  expect(response.status).toBe(200);
  return (await response.json()) as { id: string; decision: string };
}

describe('OPC UA: last result and PLC handshake', () => {
  it('shows each result, holds ResultReady until acknowledged, counts Sequence, and restores the last result after a restart', async () => {
    const first = await postImage(128);
    const plc = await connect(USER);
    try {
      const { session } = plc;
      expect(await read(session, 'InspectionId')).toBe(first.id);
      expect(await read(session, 'Decision')).toBe('OK');
      expect(await read(session, 'ModelVersion')).toBe('v1');
      expect(await read(session, 'ResultReady')).toBe(true);
      expect(await read(session, 'Sequence')).toBe(1);

      const subscription = ClientSubscription.create(session, { requestedPublishingInterval: 50, publishingEnabled: true, requestedMaxKeepAliveCount: 20, requestedLifetimeCount: 200 });
      const readyId = await nodeId(session, 'ResultReady');
      const cleared = change(subscription, readyId, (value) => value === false);
      const write = await session.write({ nodeId: await nodeId(session, 'Acknowledge'), attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Boolean, value: true } } });
      expect(write.isGood()).toBe(true);
      expect(await cleared).toBe(false);
      expect(await read(session, 'Acknowledge')).toBe(false);
      // acknowledged, and nothing new: the flag stays down
      expect(await read(session, 'ResultReady')).toBe(false);

      const raised = change(subscription, readyId, (value) => value === true);
      const counted = change(subscription, await nodeId(session, 'Sequence'), (value) => value === 2);
      const second = await postImage(255);
      expect(await raised).toBe(true);
      expect(await counted).toBe(2);
      expect(await read(session, 'InspectionId')).toBe(second.id);
      expect(await read(session, 'Decision')).toBe('NG');
      expect(await read(session, 'Score')).toBe(1);
      await subscription.terminate();
    } finally {
      await plc.close();
    }

    server = await server.restart();
    const after = await connect(USER);
    try {
      // restored from SQLite: the same result and count, not ready (it was logged before this start)
      expect(await read(after.session, 'Sequence')).toBe(2);
      expect(await read(after.session, 'Decision')).toBe('NG');
      expect(await read(after.session, 'ResultReady')).toBe(false);
      const third = await postImage(128);
      expect(await read(after.session, 'Sequence')).toBe(3);
      expect(await read(after.session, 'InspectionId')).toBe(third.id);
      expect(await read(after.session, 'ResultReady')).toBe(true);
    } finally {
      await after.close();
    }
  }, 60_000);

  it('counts handshakes, acknowledgements and results the PLC never acknowledged in /metrics', async () => {
    const labels = '{product="widget",line="L1",camera="cam-2"}';
    const metric = async (name: string) => metricValue(await metricsText(server), `${name}${labels}`);
    const plc = await connect(USER);
    try {
      const acknowledge = async () =>
        expect((await plc.session.write({ nodeId: await nodeId(plc.session, 'Acknowledge'), attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Boolean, value: true } } })).isGood()).toBe(true);
      // whatever the tests before left waiting is acknowledged first
      await acknowledge();
      const before = { handshakes: await metric('kensa_opcua_handshakes_total'), acknowledged: await metric('kensa_opcua_acknowledged_total'), missed: await metric('kensa_opcua_unacknowledged_total') };

      await postImage(128);
      await postImage(255);
      expect(await metric('kensa_opcua_result_ready')).toBe(1);
      await acknowledge();
      // a second Acknowledge with nothing waiting acknowledges nothing
      await acknowledge();

      expect(await metric('kensa_opcua_handshakes_total')).toBe(before.handshakes + 2);
      expect(await metric('kensa_opcua_unacknowledged_total')).toBe(before.missed + 1);
      expect(await metric('kensa_opcua_acknowledged_total')).toBe(before.acknowledged + 1);
      expect(await metric('kensa_opcua_result_ready')).toBe(0);
    } finally {
      await plc.close();
    }
  }, 30_000);

  it('refuses a wrong password and anonymous sessions when a user is configured', async () => {
    await expect(connect({ userName: USER.userName, password: 'wrong' })).rejects.toThrow(/BadUserAccessDenied|BadIdentityToken/);
    // the endpoint offers no anonymous token at all, so node-opcua's client does not even try
    await expect(connect(null)).rejects.toThrow(/ANONYMOUS user token policy/);
  }, 30_000);
});

describe('OPC UA: drift', () => {
  const DRIFTING = { line: 'L2', camera: 'cam-9' };
  const DRIFTING_CAMERA = 'widget/L2/cam-9';
  /** The smallest window: the NG-rate check runs from twice its length on (the window and a baseline before it). */
  const WINDOW = 20;
  const send = async (level: number, count: number) => {
    const image = await greyPng(32, 32, level);
    for (let n = 0; n < count; n++) await inspectionId(server, image, DRIFTING);
  };
  const drift = async (session: ClientSession) => ({
    active: await read(session, 'DriftActive', DRIFTING_CAMERA),
    measure: await read(session, 'DriftMeasure', DRIFTING_CAMERA),
    message: await read(session, 'DriftMessage', DRIFTING_CAMERA),
    since: await read(session, 'DriftSince', DRIFTING_CAMERA),
  });

  it("shows a camera's drift once its event opens, restores it after a restart, and clears it once resolved", async () => {
    expect((await post(server, '/api/v1/products/widget/line-health-settings', { drift: { window: WINDOW, ngBaseline: WINDOW } })).status).toBe(200);
    // a window of OK parts (the fixture model calls mid-grey OK and white NG), the baseline of the next
    await send(128, WINDOW);
    const plc = await connect(USER);
    try {
      const { session } = plc;
      expect(await drift(session)).toMatchObject({ active: false, measure: '', message: '' });
      const subscription = ClientSubscription.create(session, { requestedPublishingInterval: 50, publishingEnabled: true, requestedMaxKeepAliveCount: 20, requestedLifetimeCount: 200 });
      const raised = change(subscription, await nodeId(session, 'DriftActive', DRIFTING_CAMERA), (value) => value === true);
      const started = Date.now();
      // then nothing but NG: the NG rate rose against its baseline
      await send(255, WINDOW);
      expect(await raised).toBe(true);
      await subscription.terminate();
      const shown = await drift(session);
      expect(shown).toMatchObject({ active: true, measure: 'ngRate', message: expect.stringMatching(/^NG rate rose to 100%/) });
      expect((shown.since as Date).getTime()).toBeGreaterThanOrEqual(started - 1000);
    } finally {
      await plc.close();
    }

    server = await server.restart();
    const after = await connect(USER);
    try {
      // restored from the open event in SQLite, before the camera sends another frame
      expect(await drift(after.session)).toMatchObject({ active: true, measure: 'ngRate' });
      // OK parts again: the window's NG rate falls back and the event is resolved
      await send(128, WINDOW);
      expect(await drift(after.session)).toEqual({ active: false, measure: '', message: '', since: new Date(0) });
    } finally {
      await after.close();
    }
  }, 180_000);
});
