/**
 * Bearer API keys and roles: camera keys may only inspect, qa keys read and review, admin keys do
 * everything. A missing or unknown key is 401; a known key without the role is 403.
 */
import type { Request } from 'express';
import type { ApiKeyRecord, ApiKeyStore, Role } from '../store/api-keys.js';
import { HttpProblem } from './problem.js';

/** Who may call an endpoint: roles (admin is always allowed) or anyone. */
export type Access = { roles: Exclude<Role, 'admin'>[] } | 'public' | 'admin';

export function authorize(keys: ApiKeyStore, access: Access, req: Request): ApiKeyRecord | null {
  if (access === 'public') return null;
  const header = req.get('authorization');
  if (!header) throw new HttpProblem(401, 'unauthenticated', 'Authentication required', 'Send an API key as "Authorization: Bearer <key>".');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const key = match ? keys.authenticate(match[1]) : null;
  if (!key) throw new HttpProblem(401, 'invalid-key', 'Invalid API key', 'The API key is unknown, revoked or malformed.');
  const allowed: Role[] = access === 'admin' ? ['admin'] : ['admin', ...access.roles];
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

