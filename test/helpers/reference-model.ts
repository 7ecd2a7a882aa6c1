/**
 * The fixture model (fixture-model.ts) with the calibration reference a trained package records:
 * the raw score and image quality of `calibration` images, measured by the model itself and by
 * the server's own quality measure, summarized as training does (src/health/reference.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildReference } from '../../src/health/reference.js';
import { measureQuality } from '../../src/health/image-quality.js';
import { LoadedModel } from '../../src/model/loaded-model.js';
import { writeModelPackage, type ModelPackage } from '../../src/model/model-package.js';
import { fixtureManifest, fixtureModelBytes, type FixtureOptions } from './fixture-model.js';

export async function writeFixtureModelWithReference(modelsDir: string, calibration: readonly Uint8Array[], options: FixtureOptions = {}): Promise<ModelPackage> {
  const manifest = fixtureManifest(options);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'kensa-reference-'));
  try {
    const model = await LoadedModel.load(await writeModelPackage(path.join(scratch, 'package'), fixtureModelBytes(), manifest));
    try {
      const samples = [];
      for (const bytes of calibration) {
        const decoded = await model.decode(bytes);
        samples.push({ rawScore: (await model.inspect(bytes)).rawScore, quality: measureQuality(decoded.data, decoded.width, decoded.height) });
      }
      const reference = buildReference(samples);
      return await writeModelPackage(path.join(modelsDir, manifest.product, manifest.version), fixtureModelBytes(), { ...manifest, reference });
    } finally {
      await model.release();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
