/**
 * kensa as an OPC UA server for the line's PLCs: per product, line and camera the last result
 * (Decision, Score, InspectionId, ModelVersion, Timestamp) and a handshake. Each result sets
 * ResultReady and increments Sequence; ResultReady stays set until the PLC writes true to
 * Acknowledge. A PLC that sees Sequence jump by more than one has missed a result. Beside them the
 * camera's drift (DriftActive, DriftMeasure, DriftMessage, DriftSince): set once the inspection
 * that opened a drift event committed, cleared when the camera's last open event is resolved,
 * and restored from the open events at a start.
 *
 * Nodes live under Objects/Kensa/<product>/<line>/<camera> in the namespace NAMESPACE_URI, with
 * string NodeIds "<product>/<line>/<camera>/<Variable>" (each part URI-encoded; a missing line or
 * camera is "-"). The application certificate is self-signed by node-opcua on the first start and
 * kept with its trust lists in `pkiDir` (own/, trusted/, rejected/).
 */
import { timingSafeEqual } from 'node:crypto';
import { DataType, OPCUACertificateManager, OPCUAServer, StatusCodes, Variant, type Namespace, type UAObject, type UAVariable } from 'node-opcua';
import type { Logger } from 'pino';
import { explainDrift } from '../health/explain.js';
import type { CameraResult } from '../store/camera-results.js';
import type { CameraKey, DriftEvent } from '../store/drift-events.js';
import type { CameraLabels, OpcuaMetrics } from './opcua-metrics.js';
import { UNNAMED } from './unnamed.js';

export const NAMESPACE_URI = 'urn:kensa:line';
const ANY_ADDRESS = new Set(['0.0.0.0', '::']);

export interface OpcuaServerOptions {
  port: number;
  host: string;
  /** With a user, anonymous sessions are refused; without one, anyone on the network may connect and acknowledge. */
  user: { name: string; password: string } | null;
  pkiDir: string;
  metrics: OpcuaMetrics;
  logger: Logger;
}

/** What the line is shown of a logged inspection. */
export type LineResult = Omit<CameraResult, 'sequence'>;

/** A camera as results name it: null for a line or camera an image was sent without. */
type CameraPath = Pick<LineResult, 'productId' | 'line' | 'camera'>;

export class LineOpcuaServer {
  private readonly cameras = new Map<string, CameraNodes>();
  private readonly folders = new Map<string, UAObject>();

  private constructor(
    private readonly server: OPCUAServer,
    private readonly namespace: Namespace,
    private readonly root: UAObject,
    private readonly metrics: OpcuaMetrics,
    private readonly logger: Logger,
  ) {}

  /** Starts listening with each camera's last result (not ready: it was logged before this start) and its open drift events. */
  static async start(options: OpcuaServerOptions, restored: CameraResult[], openDrift: DriftEvent[]): Promise<LineOpcuaServer> {
    const { user } = options;
    const server = new OPCUAServer({
      port: options.port,
      host: options.host,
      // the endpoint URL a client is told to use: the machine's name, unless bound to one address
      hostname: ANY_ADDRESS.has(options.host) ? undefined : options.host,
      serverCertificateManager: new OPCUACertificateManager({ rootFolder: options.pkiDir, automaticallyAcceptUnknownCertificate: false }),
      serverInfo: { applicationName: { text: 'kensa' }, productUri: 'kensa' },
      buildInfo: { productName: 'kensa', manufacturerName: 'kensa' },
      allowAnonymous: user === null,
      userManager: { isValidUser: (name: string, password: string) => user !== null && sameText(name, user.name) && sameText(password, user.password) },
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('the OPC UA address space did not initialize');
    const namespace = addressSpace.registerNamespace(NAMESPACE_URI);
    const root = namespace.addFolder(addressSpace.rootFolder.objects, { browseName: 'Kensa', nodeId: 's=Kensa' });
    const line = new LineOpcuaServer(server, namespace, root, options.metrics, options.logger);
    for (const result of restored) line.camera(result).show(result, result.sequence, false);
    for (const events of byCamera(openDrift)) line.camera(pathOf(events[0])).showDrift(events);
    await server.start();
    if (!user) options.logger.warn('the OPC UA server accepts anonymous sessions: set opcuaUser and opcuaPassword');
    options.logger.info({ endpoint: line.endpointUrl, pkiDir: options.pkiDir }, 'OPC UA server listening');
    return line;
  }

  get endpointUrl(): string {
    return this.server.getEndpointUrl();
  }

  /** Shows a newly logged inspection and raises its camera's ResultReady; never throws into the inspection path. */
  publish(result: LineResult): void {
    try {
      const camera = this.camera(result);
      camera.show(result, camera.sequence + 1, true);
    } catch (error) {
      this.logger.error({ err: error, inspection: result.id }, 'could not publish a result over OPC UA');
    }
  }

  /** Shows a camera's open drift events (none: its drift is over), after the transaction that changed them committed; never throws. */
  showDrift(camera: CameraKey, open: DriftEvent[]): void {
    try {
      this.camera(pathOf(camera)).showDrift(open);
    } catch (error) {
      this.logger.error({ err: error, drift: camera }, "could not show a camera's drift over OPC UA");
    }
  }

  async close(): Promise<void> {
    await this.server.shutdown(0);
  }

  private camera(of: CameraPath): CameraNodes {
    const path = [of.productId, of.line ?? UNNAMED, of.camera ?? UNNAMED];
    const key = path.map(encodeURIComponent).join('/');
    let nodes = this.cameras.get(key);
    if (!nodes) {
      const [product, line, camera] = path;
      nodes = new CameraNodes(this.namespace, this.folder(path, path.length), key, { product, line, camera }, this.metrics);
      this.cameras.set(key, nodes);
    }
    return nodes;
  }

  /** The folder of the first `depth` parts of `path`, created on first use. */
  private folder(path: string[], depth: number): UAObject {
    if (depth === 0) return this.root;
    const key = path.slice(0, depth).map(encodeURIComponent).join('/');
    let folder = this.folders.get(key);
    if (!folder) {
      folder = this.namespace.addFolder(this.folder(path, depth - 1), { browseName: path[depth - 1], nodeId: `s=${key}` });
      this.folders.set(key, folder);
    }
    return folder;
  }
}

/** One camera's variables. */
class CameraNodes {
  sequence = 0;
  /** ResultReady: set by a result, cleared by the PLC's Acknowledge. */
  private ready = false;
  private readonly decision;
  private readonly score;
  private readonly inspectionId;
  private readonly modelVersion;
  private readonly timestamp;
  private readonly sequenceNode;
  private readonly resultReady;
  private readonly driftActive;
  private readonly driftMeasure;
  private readonly driftMessage;
  private readonly driftSince;

  constructor(
    namespace: Namespace,
    folder: UAObject,
    key: string,
    private readonly labels: CameraLabels,
    private readonly metrics: OpcuaMetrics,
  ) {
    const variable = (browseName: string, dataType: DataType, value: unknown) =>
      namespace.addVariable({ componentOf: folder, browseName, nodeId: `s=${key}/${browseName}`, dataType, value: new Variant({ dataType, value }) });
    this.decision = variable('Decision', DataType.String, '');
    this.score = variable('Score', DataType.Double, 0);
    this.inspectionId = variable('InspectionId', DataType.String, '');
    this.modelVersion = variable('ModelVersion', DataType.String, '');
    this.timestamp = variable('Timestamp', DataType.DateTime, new Date(0));
    this.sequenceNode = variable('Sequence', DataType.UInt32, 0);
    this.resultReady = variable('ResultReady', DataType.Boolean, false);
    this.driftActive = variable('DriftActive', DataType.Boolean, false);
    this.driftMeasure = variable('DriftMeasure', DataType.String, '');
    this.driftMessage = variable('DriftMessage', DataType.String, '');
    this.driftSince = variable('DriftSince', DataType.DateTime, new Date(0));
    // A command, not a state: a write of true clears ResultReady, and it always reads false.
    namespace.addVariable({
      componentOf: folder,
      browseName: 'Acknowledge',
      nodeId: `s=${key}/Acknowledge`,
      dataType: DataType.Boolean,
      accessLevel: 'CurrentRead | CurrentWrite',
      userAccessLevel: 'CurrentRead | CurrentWrite',
      // it always reads false, so sampling it often would only cost
      minimumSamplingInterval: 1000,
      value: {
        get: () => new Variant({ dataType: DataType.Boolean, value: false }),
        set: (variant: Variant) => {
          if (variant.value === true && this.ready) {
            this.ready = false;
            set(this.resultReady, DataType.Boolean, false);
            this.metrics.acknowledge(this.labels);
          }
          return StatusCodes.Good;
        },
      },
    });
  }

  show(result: LineResult, sequence: number, ready: boolean): void {
    if (ready) this.metrics.handshake(this.labels, this.ready);
    this.ready = ready;
    this.sequence = sequence;
    set(this.decision, DataType.String, result.decision);
    set(this.score, DataType.Double, result.score);
    set(this.inspectionId, DataType.String, result.id);
    set(this.modelVersion, DataType.String, result.modelVersion);
    set(this.timestamp, DataType.DateTime, new Date(result.createdMs));
    // the result is complete before ResultReady and Sequence tell the PLC to read it
    set(this.sequenceNode, DataType.UInt32, sequence);
    set(this.resultReady, DataType.Boolean, ready);
  }

  /** Every open event at once (a camera can drift on several measures), oldest first; none clears the variables. */
  showDrift(open: DriftEvent[]): void {
    set(this.driftMeasure, DataType.String, open.map((event) => event.measure).join(', '));
    set(this.driftMessage, DataType.String, open.map(explainDrift).join(' '));
    set(this.driftSince, DataType.DateTime, new Date(open.length > 0 ? Math.min(...open.map((event) => event.sinceMs)) : 0));
    // the details are in place before DriftActive tells the PLC to read them
    set(this.driftActive, DataType.Boolean, open.length > 0);
  }
}

/** A drift event's camera as results name it: the store keeps '' for none. */
const pathOf = (key: CameraKey): CameraPath => ({ productId: key.productId, line: key.line || null, camera: key.camera || null });

/** Open events grouped by their camera. */
function byCamera(events: DriftEvent[]): DriftEvent[][] {
  const groups = new Map<string, DriftEvent[]>();
  for (const event of events) {
    const key = JSON.stringify([event.productId, event.line, event.camera]);
    groups.set(key, [...(groups.get(key) ?? []), event]);
  }
  return [...groups.values()];
}

function set(variable: UAVariable, dataType: DataType, value: unknown): void {
  variable.setValueFromSource(new Variant({ dataType, value }));
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
