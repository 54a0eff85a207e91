// Who is calling, and may they: authentication of requests to the emulated API by X-Auth-Token or
// AK/SK signature, project bindings (docs/api.md, sections 1, 6 and 7), and the control API's admin token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { errors, StartupError, type ApiError } from '../contract/errors.js';
import { formatSdkDate, isSignature, parseAuthorization, parseSdkDate, signatureMatches, type SignedRequest } from './signature.js';

/** A token the emulator accepts; without `projects` (or with none), on any project. */
export interface TokenGrant {
  token: string;
  projects?: readonly string[];
}

/** An access key / secret key pair the emulator accepts; without `projects` (or with none), on any project. */
export interface KeyGrant {
  accessKey: string;
  secretKey: string;
  projects?: readonly string[];
}

/** Accepted when no key pair is configured, as Azurite accepts its well-known account key. */
export const DEVELOPMENT_KEY = {
  accessKey: 'HSSMOCKDEVELOPMENTAK',
  secretKey: 'hss-mock-development-secret-key-00000000',
} as const satisfies KeyGrant;

export interface Caller {
  auth: 'token' | 'aksk';
  /** The access key, or a short fingerprint of the token; never a secret. */
  id: string;
}

/** Who called (when that can be told), and why they are refused (when they are). */
export interface Authentication {
  caller?: Caller;
  error?: ApiError;
}

export type AuthRequest = SignedRequest & { projectId: string };

const MAX_TOKEN_LENGTH = 32768;
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** A short, public name for a token: the start of its digest. */
function fingerprint(tokenDigest: Buffer): string {
  return `token:${tokenDigest.toString('hex', 0, 4)}`;
}

/** Whether a digest is among the accepted ones, comparing with every one so that timing tells nothing. */
function findDigest<T>(accepted: readonly (readonly [Buffer, T])[], presented: Buffer): T | undefined {
  let found: T | undefined;
  for (const [candidate, value] of accepted) if (timingSafeEqual(candidate, presented)) found = value;
  return found;
}

/** Projects of grants given more than once (`T@P1`, `T@P2`) add up; any unbound grant means every project. */
function mergeProjects<K>(grants: readonly { key: K; projects?: readonly string[] }[]): Map<K, Set<string> | 'any'> {
  const merged = new Map<K, Set<string> | 'any'>();
  for (const { key, projects = [] } of grants) {
    const known = merged.get(key);
    if (projects.length === 0 || known === 'any') merged.set(key, 'any');
    else merged.set(key, new Set([...(known ?? []), ...projects]));
  }
  return merged;
}

export function authenticator(tokens: readonly TokenGrant[], keys: readonly KeyGrant[]): (request: AuthRequest) => Authentication {
  const tokenProjects = mergeProjects(tokens.map(({ token, projects }) => ({ key: token, projects })));
  const acceptedTokens = [...tokenProjects].map(([token, projects]) => [digest(token), projects] as const);
  const keyGrants: readonly KeyGrant[] = keys.length === 0 ? [DEVELOPMENT_KEY] : keys;
  const secretKeys = new Map<string, string>();
  for (const { accessKey, secretKey } of keyGrants) {
    if ((secretKeys.get(accessKey) ?? secretKey) !== secretKey) throw new StartupError(`access key ${accessKey} is given with two different secret keys`);
    secretKeys.set(accessKey, secretKey);
  }
  const keyProjects = mergeProjects(keyGrants.map(({ accessKey, projects }) => ({ key: accessKey, projects })));

  /** 403 when the caller is bound to other projects, or says (X-Project-Id) it is calling another one. */
  function authorize(caller: Caller, projects: Set<string> | 'any', request: AuthRequest): Authentication {
    const claimed = request.headers['x-project-id'];
    const allowed = (projects === 'any' || projects.has(request.projectId)) && (claimed === undefined || claimed === request.projectId);
    return allowed ? { caller } : { caller, error: errors.projectForbidden() };
  }

  function byToken(request: AuthRequest): Authentication {
    const token = request.headers['x-auth-token'];
    if (typeof token !== 'string' || token.length === 0) return { error: errors.tokenMissing() };
    const tokenDigest = digest(token);
    const caller: Caller = { auth: 'token', id: fingerprint(tokenDigest) };
    if (token.length > MAX_TOKEN_LENGTH) return { caller, error: errors.tokenRejected() };
    const projects = acceptedTokens.length === 0 ? 'any' : findDigest(acceptedTokens, tokenDigest);
    if (projects === undefined) return { caller, error: errors.tokenRejected() };
    return authorize(caller, projects, request);
  }

  function bySignature(request: AuthRequest, authorization: string): Authentication {
    const signed = parseAuthorization(authorization);
    if (!signed) return { error: errors.signatureMismatch() };
    const caller: Caller = { auth: 'aksk', id: signed.accessKey };
    const dateHeader = request.headers['x-sdk-date'] as string | undefined;
    const signedAt = parseSdkDate(dateHeader);
    const now = Date.now();
    if (signedAt === undefined || Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS) {
      return { caller, error: errors.signatureExpired(dateHeader ?? '', formatSdkDate(now)) };
    }
    const secretKey = secretKeys.get(signed.accessKey);
    if (secretKey === undefined) return { caller, error: errors.accessKeyUnknown() };
    if (request.headers['x-security-token'] !== undefined && !signed.signedHeaders.includes('x-security-token')) {
      return { caller, error: errors.signatureMismatch() };
    }
    if (!signatureMatches(request, signed, secretKey)) return { caller, error: errors.signatureMismatch() };
    return authorize(caller, keyProjects.get(signed.accessKey)!, request);
  }

  // A request that carries both a token and a signature is judged by the signature.
  return (request) => {
    const authorization = request.headers.authorization;
    return isSignature(authorization) ? bySignature(request, authorization) : byToken(request);
  };
}

/** With an admin token set, the control API requires `Authorization: Bearer <admin token>`. */
export function adminGuard(adminToken: string | undefined): (headers: IncomingHttpHeaders) => void {
  const accepted = adminToken === undefined ? [] : [[digest(adminToken), true] as const];
  return (headers) => {
    if (accepted.length === 0) return;
    const match = /^Bearer (.+)$/.exec(headers.authorization ?? '');
    if (!match || !findDigest(accepted, digest(match[1]!))) throw errors.adminTokenRequired();
  };
}
