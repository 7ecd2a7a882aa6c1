/** Backbones: kensa's built-in converted networks and user-supplied ONNX backbones, behind one manifest. */
import { isBuiltinBackbone, loadBuiltinBackbone } from './builtin.js';
import { OnnxBackbone } from './backbone.js';

export { backboneInput, backboneOutput, KerasBackbone, OnnxBackbone, type Backbone } from './backbone.js';
export {
  BUILTIN_BACKBONES,
  builtinDir,
  builtinKerasBackbone,
  builtinManifest,
  convertBuiltin,
  DEFAULT_BACKBONE,
  ensureBuiltinBackbone,
  isBuiltinBackbone,
  loadBuiltinBackbone,
  type BuiltinBackboneName,
} from './builtin.js';
export {
  BACKBONE_FORMAT,
  BackboneManifestError,
  BackboneManifestSchema,
  MANIFEST_FILE,
  parseBackboneManifest,
  readBackboneManifest,
  type BackboneManifest,
  type BackboneOutput,
  type Normalization,
} from './manifest.js';

/**
 * A backbone by reference: a built-in name ("mobilenet_v2", "inception_v3"; converted and cached
 * under <modelsDir>/backbones/ on first use) or the path of a backbone.json (or its directory).
 */
export async function loadBackbone(ref: string, modelsDir: string): Promise<OnnxBackbone> {
  return isBuiltinBackbone(ref) ? loadBuiltinBackbone(ref, modelsDir) : OnnxBackbone.load(ref);
}
