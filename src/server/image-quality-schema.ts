/** An inspection's image-quality measures in the API (see src/health/image-quality.ts). */
import { z } from 'zod';

export const ImageQualitySchema = z.object({
  brightness: z.number().describe('mean luma, 0..1'),
  contrast: z.number().describe('standard deviation of luma (RMS contrast)'),
  focus: z.number().describe('variance of the Laplacian of luma: falls when the image blurs'),
  saturation: z.number().describe('share of clipped pixels (a channel at full scale, or black), 0..1'),
});
