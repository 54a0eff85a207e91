// "Copy as curl": a journaled request as a curl command. Credentials are never journaled, so the
// command carries a placeholder for them.

/** @typedef {import('./api.js').JournalEntry} JournalEntry */

export const TOKEN_PLACEHOLDER = '<token>';

/**
 * A word quoted for a POSIX shell.
 * @param {string} text
 */
export function shellQuote(text) {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The decoded query encoded again, in the order it came, repeated parameters repeated.
 * @param {Record<string, string | string[]>} query
 */
export function encodeQuery(query) {
  return Object.entries(query)
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((item) => `${encodeURIComponent(name)}=${encodeURIComponent(item)}`))
    .join('&');
}

/**
 * The request as a curl command: its method, path, query, region header and, when it carried
 * credentials, an X-Auth-Token placeholder (any token works unless --token restricts them; curl
 * cannot sign AK/SK requests).
 * @param {JournalEntry} entry
 * @param {string} origin where hss-mock listens, e.g. http://127.0.0.1:8080
 */
export function curlCommand(entry, origin) {
  const query = encodeQuery(entry.query);
  const words = ['curl', '-i'];
  if (entry.method === 'HEAD') words.push('-I');
  else if (entry.method !== 'GET') words.push('-X', entry.method);
  const lines = [words.join(' ')];
  if (entry.auth !== 'none') lines.push(`-H ${shellQuote(`X-Auth-Token: ${TOKEN_PLACEHOLDER}`)}`);
  if (entry.region !== null) lines.push(`-H ${shellQuote(`region: ${entry.region}`)}`);
  lines.push(shellQuote(`${origin}${entry.path}${query ? `?${query}` : ''}`));
  return lines.join(' \\\n  ');
}
