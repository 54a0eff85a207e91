// Who is calling: authentication of requests to the emulated API (spec sections 1 and 4).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { errors } from './errors.js';

export interface Caller {
  kind: 'token';
  /** A short fingerprint of the token, never the token itself. */
  caller: string;
}

const MAX_TOKEN_LENGTH = 32768;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Checks `X-Auth-Token`. With no tokens configured any token is accepted, as any well-formed token
 * would be by a gateway that the emulator stands in for; with tokens, only those.
 */
export function tokenAuthenticator(tokens: readonly string[]): (headers: IncomingHttpHeaders) => Caller {
  const accepted = tokens.map(digest);
  return (headers) => {
    const token = headers['x-auth-token'];
    if (typeof token !== 'string' || token.length === 0) throw errors.tokenMissing();
    if (token.length > MAX_TOKEN_LENGTH) throw errors.tokenRejected();
    const presented = digest(token);
    // Compares with every accepted token, without stopping early, so timing tells nothing.
    let known = accepted.length === 0;
    for (const candidate of accepted) known = timingSafeEqual(candidate, presented) || known;
    if (!known) throw errors.tokenRejected();
    return { kind: 'token', caller: `token:${presented.toString('hex').slice(0, 8)}` };
  };
}
