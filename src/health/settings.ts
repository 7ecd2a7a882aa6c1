/**
 * A product's line-health settings: how drift is judged (the window, the test's significance and
 * the smallest distance worth a flag) and which inspections the review queue samples. Stored per
 * product as JSON; a product without a row uses the defaults.
 */
import { z } from 'zod';

export const DriftSettingsSchema = z.object({
  /** Inspections per camera in the rolling window; a check runs once the window is full. */
  window: z.number().int().min(20).max(5000).default(100),
  /** The window never reaches further back than this (a shift): older frames leave it. */
  shiftHours: z.number().positive().max(24 * 7).default(8),
  /** Significance of the two-sample test (and of the NG-rate test) per check. */
  alpha: z.number().gt(0).max(0.1).default(0.001),
  /** Smallest Kolmogorov-Smirnov distance flagged, however significant: a share of the window that moved. */
  minDistance: z.number().min(0).max(1).default(0.2),
  /** Inspections before the window whose NG rate is the baseline the window's NG rate is tested against. */
  ngBaseline: z.number().int().min(20).max(100_000).default(1000),
});

export const ReviewPolicySchema = z.object({
  /** Every NG call enters the queue. */
  allNg: z.boolean().default(true),
  /** OK or NG within this of the threshold (0.5) on the 0..1 score: near the threshold. */
  band: z.number().min(0).max(0.5).default(0.1),
  /** Share of clear OK parts sampled. */
  okShare: z.number().min(0).max(1).default(0.01),
  /** At most one queued inspection per camera in this interval: a stopped line does not fill the queue with one frame. */
  minIntervalMs: z.number().int().min(0).max(3_600_000).default(2000),
  /**
   * A queued inspection reviewed as a false alarm or as OK goes into the product's good set with
   * the review. Off by default: the good set is a trainer's to curate, and an admin hands that to
   * QA's reviews per product.
   */
  feedGoodSet: z.boolean().default(false),
});

export const LineHealthSettingsSchema = z.object({
  drift: DriftSettingsSchema.prefault({}),
  review: ReviewPolicySchema.prefault({}),
});

export type DriftSettings = z.infer<typeof DriftSettingsSchema>;
export type ReviewPolicy = z.infer<typeof ReviewPolicySchema>;
export type LineHealthSettings = z.infer<typeof LineHealthSettingsSchema>;

export const DEFAULT_LINE_HEALTH_SETTINGS: LineHealthSettings = LineHealthSettingsSchema.parse({});
