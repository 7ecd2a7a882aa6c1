/**
 * The bundled demo product that `npm start` serves. The demo bootstrap (train a small model on
 * the synthetic generator's good parts on first start, with a progress bar: src/training +
 * src/synth) is not built yet; until it is, this only checks for a package under
 * <modelsDir>/demo/ and says clearly what is missing. This function is the one place the serve
 * command calls for it.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { discoverModelPackages } from './model-discovery.js';

export const DEMO_PRODUCT = 'demo';

/** True when a demo model package exists. */
export async function ensureDemoProduct(modelsDir: string, logger: Logger): Promise<boolean> {
  const { packages } = await discoverModelPackages(modelsDir);
  if (packages.some((pkg) => pkg.manifest.product === DEMO_PRODUCT)) return true;
  logger.warn(
    { modelsDir },
    `no demo model under ${path.join(modelsDir, DEMO_PRODUCT)}: training the demo product on first start is not built yet; ` +
      `the server runs without it (inspections of product "${DEMO_PRODUCT}" answer 404 until a model package exists there)`,
  );
  return false;
}
