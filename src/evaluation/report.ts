/**
 * What `kensa eval` shows and keeps: a table for the terminal, the JSON summary, and a report
 * folder with ROC curves (SVG rendered to PNG by sharp), per-image scores and heatmap overlays.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { GOOD } from '../datasets/item.js';
import { packBatch } from '../image/batch.js';
import { describeInput } from '../image/resize-policy.js';
import { renderOverlay } from '../model/heatmap.js';
import { LoadedModel } from '../model/loaded-model.js';
import type { Evaluation, MethodEvaluation } from './evaluate.js';

const SUMMARY_KEYS = ['imageAuroc', 'pixelAuroc', 'aupro', 'f1', 'trainSeconds', 'msPerImage', 'modelMB'] as const;

/** The JSON the issue specifies (plus per-defect AUROC and the threshold). */
export function summary(evaluation: Evaluation): Record<string, unknown> {
  const methods: Record<string, Record<string, unknown>> = {};
  for (const [name, m] of Object.entries(evaluation.methods)) {
    methods[name] = { ...Object.fromEntries(SUMMARY_KEYS.map((k) => [k, +m[k].toFixed(4)])), perDefect: m.perDefect, threshold: m.threshold, scoreTopK: m.scoreTopK.k };
  }
  return { dataset: evaluation.dataset, images: evaluation.images, input: evaluation.input, ...(evaluation.tiling ? { tiling: evaluation.tiling } : {}), methods };
}

export function table(evaluation: Evaluation): string {
  const names = Object.keys(evaluation.methods);
  const defects = Object.keys(Object.values(evaluation.methods)[0]?.perDefect ?? {});
  const header = ['method', 'image AUROC', 'pixel AUROC', 'AUPRO@30%', 'F1', 'train s', 'ms/image', 'model MB', ...defects];
  const rows = names.map((name) => {
    const m = evaluation.methods[name];
    return [name, m.imageAuroc.toFixed(3), m.pixelAuroc.toFixed(3), m.aupro.toFixed(3), m.f1.toFixed(3), m.trainSeconds.toFixed(0), m.msPerImage.toFixed(1), m.modelMB.toFixed(1), ...defects.map((d) => m.perDefect[d].toFixed(3))];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const lines = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const [name, m] of Object.entries(evaluation.methods)) {
    if (m.monitor.length > 0) lines.push('', `${name} test image AUROC while training: ${m.monitor.map((p) => `${p.iteration}: ${p.auroc.toFixed(3)}`).join(', ')}`);
  }
  const { input, tiling } = evaluation;
  lines.push('', `input: ${describeInput(input)}${tiling ? `; tiling ${tiling.reason}` : ''}`);
  lines.push(...Object.entries(evaluation.methods).map(([name, m]) => `${name} image score: ${poolingOf(m)}`));
  const ablations = DXMI_METHODS.filter((name) => evaluation.methods[name] && evaluation.methods[initializationOf(evaluation.methods[name])]);
  if (ablations.length > 0) lines.push('');
  for (const name of ablations) {
    const trained = evaluation.methods[name];
    const init = initializationOf(trained);
    const gain = trained.imageAuroc - evaluation.methods[init].imageAuroc;
    const pixelGain = trained.pixelAuroc - evaluation.methods[init].pixelAuroc;
    lines.push(`ablation: the DxMI stage of ${name} ${gain > 0 ? 'improves on' : 'does NOT improve on'} its initialization (${init}) by ${signed(gain)} image AUROC, ${signed(pixelGain)} pixel AUROC`);
  }
  return lines.join('\n');
}

/** "mean of the top 4 cells (chosen on implanted defects, AUROC by k: ...)" or "maximum of the grid (given)". */
function poolingOf({ scoreTopK: { k, candidates } }: MethodEvaluation): string {
  const pooling = k === 1 ? 'the maximum of the grid' : `the mean of the top ${k} cells`;
  if (!candidates) return `${pooling} (given)`;
  return `${pooling} (chosen on held-out good images with implanted defects; their AUROC by k: ${candidates.map((c) => `${c.k}: ${c.auroc.toFixed(3)}`).join(', ')})`;
}

const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;

const DXMI_METHODS = ['dxmi', 'dxmi-spherical'] as const;

/** What a DxMI method started from, by its recorded energy: the residual energy's base is the gaussian baseline, the spherical energy's the pretrained ae. */
function initializationOf(method: MethodEvaluation): 'gaussian' | 'ae' {
  return method.energyKind === 'residual' ? 'gaussian' : 'ae';
}

const COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd'];

function rocSvg(evaluation: Evaluation): string {
  const size = 400;
  const pad = 40;
  const scale = (v: number): number => pad + v * (size - 2 * pad);
  const curves = Object.entries(evaluation.methods).map(([name, m], i) => {
    const points = m.roc.map((p) => `${scale(p.fpr).toFixed(1)},${(size - scale(p.tpr)).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2" points="${points}"/>` +
      `<text x="${size - pad - 150}" y="${size - pad - 20 - 16 * i}" fill="${COLORS[i % COLORS.length]}" font-size="13" font-family="sans-serif">${name} ${m.imageAuroc.toFixed(3)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="white"/>` +
    `<rect x="${pad}" y="${pad}" width="${size - 2 * pad}" height="${size - 2 * pad}" fill="none" stroke="#888"/>` +
    `<line x1="${scale(0)}" y1="${size - scale(0)}" x2="${scale(1)}" y2="${size - scale(1)}" stroke="#ccc" stroke-dasharray="4"/>` +
    `<text x="${size / 2 - 60}" y="${size - 10}" font-size="13" font-family="sans-serif">false positive rate</text>` +
    `<text x="12" y="${size / 2 + 40}" font-size="13" font-family="sans-serif" transform="rotate(-90 12 ${size / 2 + 40})">true positive rate</text>` +
    `<text x="${pad}" y="24" font-size="14" font-family="sans-serif">image ROC: ${path.basename(evaluation.dataset)}</text>${curves.join('')}</svg>`;
}

/**
 * Overlays of the telling cases per method: the best-caught defects (highest scores), the worst
 * missed defects (lowest), and the good parts most like defects (false alarms in waiting).
 */
async function writeHeatmaps(dir: string, evaluation: Evaluation, perGroup: number): Promise<void> {
  for (const [name, m] of Object.entries(evaluation.methods)) {
    const defects = m.scores.filter((s) => s.label !== GOOD).sort((a, b) => b.score - a.score);
    const goods = m.scores.filter((s) => s.label === GOOD).sort((a, b) => b.score - a.score);
    const groups = { 'best-defects': defects.slice(0, perGroup), 'worst-defects': defects.slice(-perGroup).reverse(), 'worst-good': goods.slice(0, perGroup) };
    const model = await LoadedModel.load(m.modelDir);
    try {
      for (const [group, items] of Object.entries(groups)) {
        const out = path.join(dir, 'heatmaps', name, group);
        await mkdir(out, { recursive: true });
        for (const item of items) {
          const bytes = await readFile(item.path);
          const decoded = await model.decode(bytes);
          const verdict = model.interpret(await model.run(packBatch([decoded])), 0, decoded.original);
          const file = `${item.score.toFixed(4)}_${item.name.replace(/[^A-Za-z0-9._-]+/g, '_')}.png`;
          await writeFile(path.join(out, file), await renderOverlay(bytes, verdict.map, 'turbo', 0.45));
        }
      }
    } finally {
      await model.release();
    }
  }
}

export async function writeReport(dir: string, evaluation: Evaluation, heatmapsPerGroup = 4): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeHeatmaps(dir, evaluation, heatmapsPerGroup);
  await writeFile(path.join(dir, 'summary.json'), `${JSON.stringify(summary(evaluation), null, 2)}\n`);
  await sharp(Buffer.from(rocSvg(evaluation))).png().toFile(path.join(dir, 'roc.png'));
  const csv = ['method,image,label,score', ...Object.entries(evaluation.methods).flatMap(([name, m]) => m.scores.map((s) => `${name},${s.name},${s.label},${s.score}`))];
  await writeFile(path.join(dir, 'scores.csv'), `${csv.join('\n')}\n`);
}
