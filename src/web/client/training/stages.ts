/** The stages a training job goes through, in order, with the words the UI uses for them. */

export interface Stage {
  id: string;
  label: string;
  /** What happens in it, for someone watching. */
  description: string;
}

export const STAGES: readonly Stage[] = [
  { id: 'features', label: 'Features', description: 'Reading every image through the backbone' },
  { id: 'train', label: 'Training', description: 'Fitting the anomaly model to the good parts' },
  { id: 'calibrate', label: 'Calibration', description: 'Choosing thresholds on held-out good parts' },
  { id: 'evaluate', label: 'Evaluation', description: 'Scoring the validation material with this and the active version' },
];
