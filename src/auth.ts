// Who is calling: authentication of requests to the emulated API (spec sections 1 and 4), and the
// admin token of the control API.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { errors, type ApiError } from './errors.js';

export interface Caller {
  auth: 'token';
  /** A short fingerprint of the token, never the token itself. */
  id: string;
}

/** Who called (when that can be told), and why they are refused (when they are). */
export interface Authentication {
  caller?: Caller;
  error?: ApiError;
}

const MAX_TOKEN_LENGTH = 32768;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Whether a digest is among the accepted ones, comparing with every one so that timing tells nothing. */
function isAccepted(accepted: readonly Buffer[], presented: Buffer): boolean {
  let found = false;
  for (const candidate of accepted) found = timingSafeEqual(candidate, presented) || found;
  return found;
}

/**
 * Checks `X-Auth-Token`. With no tokens configured any token is accepted, as any well-formed token
 * would be by a gateway in front of a test account; with tokens, only those.
 */
export function tokenAuthenticator(tokens: readonly string[]): (headers: IncomingHttpHeaders) => Authentication {
  const accepted = tokens.map(digest);
  return (headers) => {
    const token = headers['x-auth-token'];
    if (typeof token !== 'string' || token.length === 0) return { error: errors.tokenMissing() };
    const presented = digest(token);
    const caller: Caller = { auth: 'token', id: `token:${presented.toString('hex').slice(0, 8)}` };
    if (token.length > MAX_TOKEN_LENGTH || (accepted.length > 0 && !isAccepted(accepted, presented))) {
      return { caller, error: errors.tokenRejected() };
    }
    return { caller };
  };
}

/** With an admin token set, the control API requires `Authorization: Bearer <admin token>`. */
export function adminGuard(adminToken: string | undefined): (headers: IncomingHttpHeaders) => void {
  const accepted = adminToken === undefined ? [] : [digest(adminToken)];
  return (headers) => {
    if (accepted.length === 0) return;
    const match = /^Bearer (.+)$/.exec(headers.authorization ?? '');
    if (!match || !isAccepted(accepted, digest(match[1]!))) throw errors.adminTokenRequired();
  };
}
