/**
 * Bearer API keys and roles. Camera keys may only inspect. People's keys rise in privilege:
 * qa reads and reviews; trainer may also train, cancel its own jobs and curate the good set;
 * admin does everything (also what a camera does). A missing or unknown key is 401; a known key
 * without the role is 403.
 */
import type { Request } from 'express';
import { ROLES, type ApiKeyRecord, type ApiKeyStore, type Role } from '../store/api-keys.js';
import { HttpProblem } from './problem.js';

/** Who may call an endpoint: roles (and the roles above them) or anyone. */
export type Access = { roles: Exclude<Role, 'admin'>[] } | 'public' | 'admin';

/** The roles each role may act as besides itself. A camera is a machine: no person's role is above it but admin's. */
const ACTS_AS: Record<Role, readonly Role[]> = {
  camera: [],
  qa: [],
  trainer: ['qa'],
  admin: ['camera', 'qa', 'trainer'],
};

/** Every role that may call an endpoint of `access`; null when it is public. */
export function rolesAllowed(access: Access): Role[] | null {
  if (access === 'public') return null;
  const named: readonly Role[] = access === 'admin' ? ['admin'] : access.roles;
  return ROLES.filter((role) => named.includes(role) || ACTS_AS[role].some((other) => named.includes(other)));
}

export function authorize(keys: ApiKeyStore, access: Access, req: Request): ApiKeyRecord | null {
  const allowed = rolesAllowed(access);
  if (!allowed) return null;
  const header = req.get('authorization');
  if (!header) throw new HttpProblem(401, 'unauthenticated', 'Authentication required', 'Send an API key as "Authorization: Bearer <key>".');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const key = match ? keys.authenticate(match[1]) : null;
  if (!key) throw new HttpProblem(401, 'invalid-key', 'Invalid API key', 'The API key is unknown, revoked or malformed.');
  if (!allowed.includes(key.role)) {
    throw new HttpProblem(
      403,
      'forbidden',
      'The API key lacks the role for this',
      `This endpoint needs the ${allowed.join(' or ')} role; key ${key.prefix} ("${key.name}") has the ${key.role} role.`,
    );
  }
  return key;
}
