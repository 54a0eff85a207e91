// Calls to the control API (/_mock), with the admin token when one is given. The console never
// calls the emulated API (/v5): that would fill the journal the user watches and use up fault rules.

const TOKEN_KEY = 'hss-mock.admin-token';

/**
 * @typedef {Record<string, unknown> & { host_id?: string, host_name?: string }} Host
 * @typedef {{ total_num: number, data_list: Host[] }} HostPage
 * @typedef {{ time: string, method: string, path: string, query: Record<string, string | string[]>,
 *   project_id: string | null, auth: 'token' | 'aksk' | 'none', caller: string | null, region: string | null,
 *   status: number, error_code: string | null, fault: string | null, request_id: string }} JournalEntry
 * @typedef {{ id: string, project_id?: string, query?: Record<string, string>, caller?: string, after?: number,
 *   times?: number, fraction?: number, seed?: number, action: string, status?: number, delay_ms?: number,
 *   delay_max_ms?: number, matched: number, fired: number }} FaultRuleView
 * @typedef {{ name: string, in: string, description?: string,
 *   schema: { type?: string, enum?: string[], minimum?: number, maximum?: number, maxLength?: number, default?: unknown } }} Parameter
 */

/** An answer other than 2xx, with the error body's code and message. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(code ? `${status} ${code}: ${message}` : `${status}: ${message}`);
    this.status = status;
    this.code = code;
  }

  /** The control API refused the admin token, or wants one. */
  get unauthorized() {
    return this.status === 401 && this.code === 'MOCK.0401';
  }
}

/** The admin token given in this tab, if any. */
export function adminToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** @param {string | null} token kept for this tab only; null forgets it */
export function setAdminToken(token) {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/**
 * A path with a query string of the given values; empty ones are left out.
 * @param {string} path
 * @param {Record<string, string | number | undefined>} [query]
 */
export function withQuery(path, query = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') search.append(name, String(value));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** @param {string} id a project id as a path segment */
export function projectPath(id) {
  return `/_mock/projects/${encodeURIComponent(id)}`;
}

/**
 * Calls the control API; an answer that is not 2xx throws an ApiError, and a refused admin token
 * also tells the page (event `unauthorized`), which then asks for it.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function call(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  const token = adminToken();
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  const text = await response.text();
  /** @type {any} */
  let data = null;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    data = { error_msg: text };
  }
  if (response.ok) return data;
  const error = new ApiError(response.status, data?.error_code ?? '', data?.error_msg ?? response.statusText);
  if (error.unauthorized) document.dispatchEvent(new CustomEvent('unauthorized'));
  throw error;
}

/**
 * @param {string} path
 * @param {Record<string, string | number | undefined>} [query]
 */
export function get(path, query) {
  return call('GET', withQuery(path, query));
}
