// The web console's files: console/ at the package's root (beside dist/ and src/), served as they
// are under /_mock/ui/. A fixed list, so that no request can name any other file.
import { readFile } from 'node:fs/promises';

const FOLDER = new URL('../../console/', import.meta.url);

const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const SVG = 'image/svg+xml';

/** Every file of the console, with its content type. */
export const CONSOLE_FILES: Readonly<Record<string, string>> = {
  'index.html': HTML,
  'style.css': CSS,
  'icon.svg': SVG,
  'app.js': JS,
  'api.js': JS,
  'dom.js': JS,
  'hosts.js': JS,
  'requests.js': JS,
  'curl.js': JS,
  'faults.js': JS,
  'overview.js': JS,
  'bars.js': JS,
};

/**
 * Scripts, styles, images and calls from this origin only: no inline script, no inline event
 * handler, no style attribute, no other origin, no framing.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const CONSOLE_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Read again on every load: a new version of the package shows at once.
  'cache-control': 'no-cache',
};

/** A file of the console and its content type, or undefined when the list has no such name. */
export async function consoleFile(name: string): Promise<{ type: string; body: Buffer } | undefined> {
  if (!Object.hasOwn(CONSOLE_FILES, name)) return undefined;
  return { type: CONSOLE_FILES[name]!, body: await readFile(new URL(name, FOLDER)) };
}
