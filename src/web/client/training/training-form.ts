/**
 * The retraining form's values as typed, and the request they make. Empty optional fields are
 * left out, so the server applies the product's own recipe (its active version's) for them.
 */
import type { TrainingRequest } from '../api/kensa-api.js';
import type { RecipeOverrides } from '../api/types.js';

/** The same rule the server applies to product ids and version names (they are folder names). */
export const PRODUCT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

type Method = NonNullable<RecipeOverrides['method']>;
export const METHODS: readonly { id: Method; label: string }[] = [
  { id: 'dxmi', label: 'DxMI (Gaussian base + learned correction, minutes)' },
  { id: 'gaussian', label: 'Gaussian (PaDiM, seconds)' },
  { id: 'knn', label: 'Nearest neighbours (PatchCore)' },
  { id: 'dxmi-spherical', label: 'DxMI, the paper\'s autoencoder energy' },
  { id: 'ae', label: 'Autoencoder (DxMI ablation)' },
];
export const DXMI_PRESETS: readonly NonNullable<RecipeOverrides['dxmiPreset']>[] = ['fast', 'fast-spherical', 'paper'];

export interface TrainingForm {
  product: string;
  version: string;
  /** '' keeps the product's method. */
  method: Method | '';
  includeGoodSet: boolean;
  inputSize: string;
  validationFraction: string;
  falseCallRate: string;
  seed: string;
  dxmiPreset: string;
}

export const EMPTY_FORM: TrainingForm = {
  product: '',
  version: '',
  method: '',
  includeGoodSet: true,
  inputSize: '',
  validationFraction: '',
  falseCallRate: '',
  seed: '',
  dxmiPreset: '',
};

/** What is wrong with the form, field by field; empty when it can be sent. */
export function formProblems(form: TrainingForm): Partial<Record<keyof TrainingForm, string>> {
  const problems: Partial<Record<keyof TrainingForm, string>> = {};
  const number = (value: string) => (value.trim() === '' ? null : Number(value));
  if (!PRODUCT_PATTERN.test(form.product.trim())) problems.product = 'Letters, digits, ".", "_" or "-", starting with a letter or digit.';
  if (form.version.trim() && !VERSION_PATTERN.test(form.version.trim())) problems.version = 'Letters, digits, ".", "_" or "-", starting with a letter or digit.';
  const size = number(form.inputSize);
  if (size !== null && !(Number.isInteger(size) && size >= 32 && size <= 1024)) problems.inputSize = 'A whole number of pixels from 32 to 1024.';
  for (const key of ['validationFraction', 'falseCallRate'] as const) {
    const value = number(form[key]);
    if (value !== null && !(value > 0 && value < 1)) problems[key] = 'A fraction between 0 and 1, e.g. 0.15.';
  }
  const seed = number(form.seed);
  if (seed !== null && !(Number.isInteger(seed) && seed >= 0)) problems.seed = 'A whole number, 0 or more.';
  return problems;
}

export function trainingRequest(form: TrainingForm): TrainingRequest {
  const number = (value: string) => (value.trim() === '' ? undefined : Number(value));
  return {
    product: form.product.trim(),
    version: form.version.trim() || undefined,
    includeGoodSet: form.includeGoodSet,
    method: form.method || undefined,
    inputSize: number(form.inputSize),
    validationFraction: number(form.validationFraction),
    falseCallRate: number(form.falseCallRate),
    seed: number(form.seed),
    dxmiPreset: (form.method === 'dxmi' || form.method === '') && form.dxmiPreset ? (form.dxmiPreset as TrainingRequest['dxmiPreset']) : undefined,
  };
}
