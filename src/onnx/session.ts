/**
 * ONNX Runtime sessions on a chosen execution provider, with errors a person can act on when a
 * provider is missing.
 */
import os from 'node:os';
import ort from 'onnxruntime-node';
import type { FloatArray } from './dtype.js';

export const DEVICES = ['cpu', 'cuda', 'webgpu'] as const;
export type Device = (typeof DEVICES)[number];

export interface SessionConfig {
  device?: Device;
  /** Intra-op threads; default: every core. */
  threads?: number;
  /** Graph optimization level; default 'all'. */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Whether idle intra-op threads spin before they sleep (default true): fastest when ONNX
   * Runtime has the cores to itself, CPU taken from everything else when it does not.
   */
  spinWait?: boolean;
}

export class DeviceUnavailableError extends Error {
  constructor(device: Device, cause: unknown) {
    const how: Record<Device, string> = {
      cpu: 'The CPU provider is part of onnxruntime-node; reinstall it with `npm ci`.',
      cuda:
        'onnxruntime-node was installed without its CUDA provider. On a host with an NVIDIA GPU, CUDA 12 and cuDNN 9, ' +
        'reinstall with: ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci',
      webgpu: 'The WebGPU provider needs a GPU with Vulkan drivers on this host.',
    };
    const detail = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    super(`The ${device} execution provider is not available. ${how[device]} (ONNX Runtime said: ${detail})`);
    this.name = 'DeviceUnavailableError';
  }
}

/** An ONNX Runtime tensor viewing a float array (no copy). */
export function wrapFloat(data: FloatArray, shape: readonly number[]): ort.Tensor {
  return new ort.Tensor(data instanceof Float64Array ? 'float64' : 'float32', data, shape);
}

export function defaultThreads(): number {
  return os.availableParallelism();
}

export async function createSession(model: Uint8Array | string, config: SessionConfig = {}): Promise<ort.InferenceSession> {
  const device = config.device ?? 'cpu';
  if (!DEVICES.includes(device)) throw new Error(`unknown device "${device}"; use one of ${DEVICES.join(', ')}`);
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [device],
    intraOpNumThreads: config.threads ?? defaultThreads(),
    interOpNumThreads: 1,
    graphOptimizationLevel: config.optimization ?? 'all',
    logSeverityLevel: 3,
    ...(config.spinWait === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  };
  try {
    return typeof model === 'string'
      ? await ort.InferenceSession.create(model, options)
      : await ort.InferenceSession.create(model, options);
  } catch (error) {
    if (device !== 'cpu' && isProviderFailure(error)) throw new DeviceUnavailableError(device, error);
    throw error;
  }
}

function isProviderFailure(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /provider|cuda|webgpu|dawn|adapter|\.so/i.test(message);
}
