/**
 * What a key's role lets the UI offer (the server checks the same, see src/server/auth.ts):
 * actions a role may not take are not offered, or shown disabled with the reason.
 */
import type { Job, WhoAmI } from '../api/types.js';

/** Trainers and admins start training jobs and curate the good set. */
export const canTrain = (identity: WhoAmI): boolean => identity.role === 'trainer' || identity.role === 'admin';

/** A trainer cancels the jobs its key started; an admin any job. */
export const canCancel = (identity: WhoAmI, job: Job): boolean => identity.role === 'admin' || (identity.role === 'trainer' && job.createdBy === identity.prefix);

/** Only admins place and lift legal holds; everyone else sees whether a lot or part is held. */
export const canHold = (identity: WhoAmI): boolean => identity.role === 'admin';
