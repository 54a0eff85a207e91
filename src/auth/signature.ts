// SDK-HMAC-SHA256, the AK/SK signature every official SDK sends, verified as the API gateway
// verifies it (docs/api.md, section 7).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { unescape as decodeFormComponent } from 'node:querystring';

const ALGORITHM = 'SDK-HMAC-SHA256';
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const DATE_FORMAT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The parts of `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`. */
export interface SignedAuthorization {
  accessKey: string;
  signedHeaders: string[];
  signature: string;
}

/** Whether the Authorization header claims to be a signature at all (else it is not ours to judge). */
export function isSignature(authorization: string | undefined): authorization is string {
  return authorization !== undefined && authorization.startsWith(`${ALGORITHM} `);
}

/** The parts of a signature header, or undefined when it is malformed. */
export function parseAuthorization(authorization: string): SignedAuthorization | undefined {
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
    const separator = part.indexOf('=');
    if (separator === -1) return undefined;
    fields.set(part.slice(0, separator).trim(), part.slice(separator + 1).trim());
  }
  const accessKey = fields.get('Access');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKey || !signedHeaders || !signature || !/^[0-9a-f]{64}$/.test(signature)) return undefined;
  return { accessKey, signedHeaders: signedHeaders.toLowerCase().split(';'), signature };
}

/** `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`, UTC) as epoch milliseconds, or undefined when it is not a real date. */
export function parseSdkDate(value: string | undefined): number | undefined {
  const match = DATE_FORMAT.exec(value ?? '');
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 20260230 over to March: a real date reads back as it was written.
  return formatSdkDate(time) === value ? time : undefined;
}

export function formatSdkDate(time: number): string {
  return new Date(time).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Percent-encoding that leaves only `A-Z a-z 0-9 - _ . ~` as they are, upper-case hex, UTF-8. */
function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Each path segment decoded (leniently: broken escapes stay as they are) then strictly encoded, with a trailing `/`. */
export function canonicalUri(path: string): string {
  const uri = path.split('/').map((segment) => strictEncode(decodeFormComponent(segment))).join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** The query decoded as form data, sorted by name (then value) in byte order, strictly re-encoded. */
export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const separator = pair.indexOf('=');
      const [name, value] = separator === -1 ? [pair, ''] : [pair.slice(0, separator), pair.slice(separator + 1)];
      return [decodeFormComponent(name.replace(/\+/g, ' ')), decodeFormComponent(value.replace(/\+/g, ' '))] as const;
    });
  const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  pairs.sort(([nameA, valueA], [nameB, valueB]) => byBytes(nameA, nameB) || byBytes(valueA, valueB));
  return pairs.map(([name, value]) => `${strictEncode(name)}=${strictEncode(value)}`).join('&');
}

export interface SignedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Lower-case hex SHA-256 of the body, when the request does not give X-Sdk-Content-Sha256. */
  bodySha256: string;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  return String(headers[name] ?? '').trim();
}

/** The canonical request, over the headers the client says it signed (absent ones sign as empty). */
function canonicalRequest(request: SignedRequest, signedHeaders: readonly string[]): string {
  const mark = request.url.indexOf('?');
  const path = mark === -1 ? request.url : request.url.slice(0, mark);
  const query = mark === -1 ? '' : request.url.slice(mark + 1);
  const headers = signedHeaders.map((name) => `${name}:${headerValue(request.headers, name)}\n`).join('');
  const payloadHash = headerValue(request.headers, 'x-sdk-content-sha256') || request.bodySha256;
  return [request.method, canonicalUri(path), canonicalQuery(query), headers, signedHeaders.join(';'), payloadHash].join('\n');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The signature a secret key gives the request. */
export function expectedSignature(request: SignedRequest, signedHeaders: readonly string[], secretKey: string): string {
  const stringToSign = `${ALGORITHM}\n${headerValue(request.headers, 'x-sdk-date')}\n${sha256Hex(canonicalRequest(request, signedHeaders))}`;
  return createHmac('sha256', secretKey).update(stringToSign).digest('hex');
}

/** Whether the signature is right, compared in constant time. */
export function signatureMatches(request: SignedRequest, authorization: SignedAuthorization, secretKey: string): boolean {
  const expected = Buffer.from(expectedSignature(request, authorization.signedHeaders, secretKey));
  return timingSafeEqual(expected, Buffer.from(authorization.signature));
}

/** Whether a request has a body at all (most GETs have none). */
export function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/** SHA-256 of a request's body, read here since GET bodies are not parsed; a body over `limit` bytes is refused with `tooLarge`. */
export async function bodySha256(request: IncomingMessage, limit: number, tooLarge: () => Error): Promise<string> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    hash.update(chunk);
  }
  return hash.digest('hex');
}
