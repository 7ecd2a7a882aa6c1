/**
 * The inspection camera: what happens between the scene and the 8-bit image. Exposure, white
 * balance, vignetting and focus drift from shot to shot on a real line, and the sensor adds noise;
 * a detector has to learn to ignore all of it.
 *
 * Every parameter comes from the camera's own stream, and the sensor noise of a pixel depends only
 * on that stream and the pixel, so the same camera captures a part with and without a defect
 * identically outside the defect.
 */
import type { Random } from '../util/random.js';
import { WhiteNoise } from './noise.js';
import { gaussianBlur, type Size } from './raster.js';
import { between, logBetween } from './sampling.js';

export class Camera {
  private readonly gain: number;
  private readonly offset: number;
  private readonly whiteBalance: number[];
  private readonly vignette: number;
  private readonly tiltAngle: number;
  private readonly tilt: number;
  private readonly focusBlur: number;
  private readonly readNoise: number;
  private readonly shotNoise: number;
  private readonly sensor: WhiteNoise;

  constructor(
    rng: Random,
    private readonly channels: 1 | 3,
  ) {
    this.gain = logBetween(rng, 0.85, 1.18);
    this.offset = between(rng, -0.03, 0.03);
    this.whiteBalance = Array.from({ length: channels }, () => (channels === 1 ? 1 : 1 + 0.01 * rng.normal()));
    this.vignette = between(rng, 0, 0.15);
    this.tiltAngle = between(rng, 0, 2 * Math.PI);
    this.tilt = between(rng, 0, 0.08);
    this.focusBlur = between(rng, 0.3, 0.8);
    this.readNoise = between(rng, 0.003, 0.012);
    this.shotNoise = between(rng, 0.005, 0.02);
    this.sensor = WhiteNoise.from(rng);
  }

  /** The 8-bit image (interleaved) of a radiance buffer. */
  capture(radiance: Float32Array, size: Size): Uint8Array {
    const { width, height } = size;
    const channels = this.channels;
    // Vignetting and tilt are smooth, so applying them after the blur instead of before is the same.
    const focused = gaussianBlur(radiance, size, channels, this.focusBlur);
    const image = new Uint8Array(focused.length);
    const tx = Math.cos(this.tiltAngle);
    const ty = Math.sin(this.tiltAngle);
    const half = Math.sqrt(width * width + height * height) / 2;
    const read = this.readNoise * this.readNoise;
    const shot = this.shotNoise * this.shotNoise;
    for (let j = 0; j < height; j++) {
      const y = (j + 0.5 - height / 2) / half;
      for (let i = 0; i < width; i++) {
        const x = (i + 0.5 - width / 2) / half;
        const light = this.gain * (1 - this.vignette * (x * x + y * y)) * (1 + this.tilt * (x * tx + y * ty));
        for (let c = 0; c < channels; c++) {
          const k = (j * width + i) * channels + c;
          const signal = Math.max(0, light * this.whiteBalance[c] * focused[k] + this.offset);
          const noisy = signal + Math.sqrt(read + shot * signal) * this.sensor.at(k);
          image[k] = Math.min(255, Math.max(0, Math.round(255 * noisy)));
        }
      }
    }
    return image;
  }
}
