/**
 * Model packages on disk: <modelsDir>/<product>/<version>/ with manifest.json and model.onnx.
 * Directories that are not packages (converted backbones, half-written packages) are skipped;
 * packages that look broken are reported, not fatal, so one bad package cannot stop a server.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { listEntriesIfPresent } from '../util/if-present.js';
import { MANIFEST_FILE, MODEL_FILE, readModelPackage, type ModelPackage } from '../model/model-package.js';
import { PRODUCT_PATTERN, VERSION_PATTERN } from './schemas.js';

export interface Discovery {
  packages: ModelPackage[];
  /** One sentence per directory that looked like a package but could not be used. */
  problems: string[];
}

export async function discoverModelPackages(modelsDir: string): Promise<Discovery> {
  const discovery: Discovery = { packages: [], problems: [] };
  for (const product of await subdirectories(modelsDir)) {
    for (const version of await subdirectories(path.join(modelsDir, product))) {
      if (!(await isFile(path.join(modelsDir, product, version, MANIFEST_FILE)))) continue;
      try {
        discovery.packages.push(await readPackageAt(modelsDir, product, version));
      } catch (error) {
        discovery.problems.push(error instanceof Error ? error.message : String(error));
      }
    }
  }
  return discovery;
}

/**
 * The package <modelsDir>/<product>/<version>/, checked: its manifest names the same product and
 * version, and it has a model. `product` and `version` must already be validated names.
 */
export async function readPackageAt(modelsDir: string, product: string, version: string): Promise<ModelPackage> {
  const dir = path.join(modelsDir, product, version);
  const fail = (why: string) => new Error(`${dir}: ${why}`);
  if (!PRODUCT_PATTERN.test(product)) throw fail(`"${product}" is not a valid product id (letters, digits, ".", "_", "-")`);
  if (!VERSION_PATTERN.test(version)) throw fail(`"${version}" is not a valid version name (letters, digits, ".", "_", "-")`);
  const pkg = await readModelPackage(dir).catch((error: unknown) => {
    throw fail(error instanceof Error ? error.message : String(error));
  });
  const { manifest } = pkg;
  if (manifest.product !== product || manifest.version !== version) {
    throw fail(`its manifest says product "${manifest.product}" version "${manifest.version}"`);
  }
  if (!(await isFile(pkg.modelPath))) throw fail(`it has no ${MODEL_FILE}`);
  return pkg;
}

/** Visible subdirectories, skipping the staging directories writeModelPackage renames into place. */
async function subdirectories(dir: string): Promise<string[]> {
  return (await listEntriesIfPresent(dir))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.includes('.partial-'))
    .map((e) => e.name)
    .sort();
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}
