/** The four QA verdicts, their words, and the number keys that record them. */
import type { ReviewState, ReviewVerdict } from './api/types.js';

export interface VerdictChoice {
  verdict: ReviewVerdict;
  label: string;
  /** What the verdict says about the model's call. */
  meaning: string;
  key: string;
}

export const VERDICTS: readonly VerdictChoice[] = [
  { verdict: 'true_defect', label: 'True defect', meaning: 'NG confirmed', key: '1' },
  { verdict: 'false_alarm', label: 'False alarm', meaning: 'NG on a good part', key: '2' },
  { verdict: 'missed_defect', label: 'Missed defect', meaning: 'OK on a defective part', key: '3' },
  { verdict: 'ok', label: 'OK', meaning: 'OK confirmed', key: '4' },
];

export const REVIEW_STATE_LABELS: Record<ReviewState, string> = {
  unreviewed: 'Unreviewed',
  true_defect: 'True defect',
  false_alarm: 'False alarm',
  missed_defect: 'Missed defect',
  ok: 'OK confirmed',
};
