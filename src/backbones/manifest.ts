/**
 * The backbone manifest (backbone.json): which ONNX file holds a backbone, what input it was made
 * for, how to turn an RGB image in [0, 1] into that input, and which of its tensors are feature
 * maps (name, stride, channels). Format documented in README.md next to this file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const BACKBONE_FORMAT = 'kensa-backbone/1';
export const MANIFEST_FILE = 'backbone.json';

const PerChannel = z.tuple([z.number(), z.number(), z.number()]);
const Positive = z.number().positive();

/** y = x * scale + offset, per channel or for all three. */
export const ScaleOffsetSchema = z.strictObject({
  scale: z.union([z.number(), PerChannel]),
  offset: z.union([z.number(), PerChannel]),
});

/** y = (x - mean) / std per channel, both in the units of x (that is, of [0, 1]). */
export const MeanStdSchema = z.strictObject({
  mean: PerChannel,
  std: z.tuple([Positive, Positive, Positive]),
});

export const NormalizationSchema = z.union([ScaleOffsetSchema, MeanStdSchema]);
export type Normalization = z.infer<typeof NormalizationSchema>;

export const BackboneOutputSchema = z.strictObject({
  /** Tensor name in the ONNX graph (a graph output or any intermediate tensor). */
  name: z.string().min(1),
  /** Input pixels per feature-map cell along each side (4, 8, 16, ...). */
  stride: z.number().int().positive(),
  channels: z.number().int().positive(),
});
export type BackboneOutput = z.infer<typeof BackboneOutputSchema>;

export const BackboneManifestSchema = z
  .strictObject({
    format: z.literal(BACKBONE_FORMAT),
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only'),
    description: z.string().optional(),
    /** The ONNX file, relative to the manifest's directory. */
    model: z.string().min(1),
    input: z.strictObject({
      /** The ONNX graph input to feed; default: the model's only non-weight input. */
      name: z.string().min(1).optional(),
      /** [height, width] the backbone was made for (the default image size). */
      size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
      /** [height, width] of the smallest image the backbone can take (optional; checked before running). */
      minSize: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
      /** Whether other sizes may be fed (false for models exported with fixed shapes). */
      dynamic: z.boolean().default(true),
      /** Channel order the backbone expects; images arrive as RGB. */
      channels: z.enum(['rgb', 'bgr']).default('rgb'),
      normalization: NormalizationSchema,
    }),
    outputs: z.array(BackboneOutputSchema).min(1),
    /** Outputs the feature graph uses when none are chosen; default: all. */
    defaultLayers: z.array(z.string()).min(1).optional(),
    /** A license or notice file next to the manifest. */
    license: z.string().optional(),
    /** Where the weights come from, in words. */
    source: z.string().optional(),
    /** Set by kensa's own converter: a cache made by another converter version is rebuilt. */
    converter: z.strictObject({ name: z.string(), version: z.string() }).optional(),
  })
  .superRefine((m, ctx) => {
    const names = m.outputs.map((o) => o.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: ['outputs', i, 'name'], message: `output "${name}" is listed twice` });
    });
    m.defaultLayers?.forEach((name, i) => {
      if (!names.includes(name)) ctx.addIssue({ code: 'custom', path: ['defaultLayers', i], message: `"${name}" is not one of the outputs` });
    });
  });
export type BackboneManifest = z.output<typeof BackboneManifestSchema>;
export type BackboneManifestInput = z.input<typeof BackboneManifestSchema>;

export class BackboneManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackboneManifestError';
  }
}

/** Validate a manifest object; `source` names it in errors. */
export function parseBackboneManifest(value: unknown, source = 'backbone manifest'): BackboneManifest {
  const result = BackboneManifestSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new BackboneManifestError(`${source} is invalid: ${issues}`);
  }
  return result.data;
}

/** Read and validate a manifest file (or the backbone.json inside a directory). */
export async function readBackboneManifest(file: string): Promise<{ manifest: BackboneManifest; file: string; dir: string }> {
  let target = path.resolve(file);
  let text: string;
  try {
    text = await readFile(target, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') {
      target = path.join(target, MANIFEST_FILE);
      text = await readFile(target, 'utf8').catch((e: unknown) => {
        throw new BackboneManifestError(`cannot read backbone manifest ${target}: ${(e as Error).message}`);
      });
    } else {
      throw new BackboneManifestError(`cannot read backbone manifest ${target}: ${(error as Error).message}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BackboneManifestError(`backbone manifest ${target} is not JSON: ${(error as Error).message}`);
  }
  return { manifest: parseBackboneManifest(json, `backbone manifest ${target}`), file: target, dir: path.dirname(target) };
}

/** y = x * scale + offset per channel, whichever form the manifest uses. */
export function scaleOffset(n: Normalization): { scale: [number, number, number]; offset: [number, number, number] } {
  if ('mean' in n) {
    return {
      scale: n.std.map((s) => 1 / s) as [number, number, number],
      offset: n.mean.map((m, i) => -m / n.std[i]) as [number, number, number],
    };
  }
  const triple = (v: number | readonly number[]): [number, number, number] => (typeof v === 'number' ? [v, v, v] : [v[0], v[1], v[2]]);
  return { scale: triple(n.scale), offset: triple(n.offset) };
}
