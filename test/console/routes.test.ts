// The web console's files under /_mock/ui/, with their Content-Security-Policy; the rules the
// files keep (no HTML parsing of data, no other origin, no inline code).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import t from 'tap';
import { CONSOLE_CSP, CONSOLE_FILES } from '../../src/http/console.js';
import { testApp, type App } from '../helpers.js';

const CONSOLE = new URL('../../console/', import.meta.url);
/** The console's files: everything in console/ but its README. */
const SHIPPED = readdirSync(CONSOLE).filter((name) => name !== 'README.md');

async function get(app: App, url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url, headers });
}

t.test('the console is not in the OpenAPI document', async (t) => {
  const doc = (await get(testApp(t), '/_mock/openapi.json')).json();
  t.same(Object.keys(doc.paths).filter((path) => path.startsWith('/_mock/ui')), []);
});

t.test('/_mock/ui redirects to /_mock/ui/, which serves the page with its security headers', async (t) => {
  const app = testApp(t);
  for (const url of ['/_mock/ui', '/_mock/ui?x=1']) {
    const redirect = await get(app, url);
    t.equal(redirect.statusCode, 302, url);
    t.equal(redirect.headers.location, '/_mock/ui/');
  }
  const page = await get(app, '/_mock/ui/');
  t.equal(page.statusCode, 200);
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(page.body, readFileSync(new URL('index.html', CONSOLE), 'utf8'));
  t.equal(page.headers['content-security-policy'], CONSOLE_CSP);
  t.match(CONSOLE_CSP, /default-src 'none'/);
  t.match(CONSOLE_CSP, /script-src 'self';/, 'scripts from this origin only: no inline script, no eval');
  t.notMatch(CONSOLE_CSP, /unsafe|\*|https?:/, 'no exception and no other origin');
  t.equal(page.headers['x-content-type-options'], 'nosniff');
  t.equal(page.headers['cache-control'], 'no-cache');
});

t.test('every file of console/ is served, with its type, and nothing else is', async (t) => {
  const app = testApp(t);
  t.same(Object.keys(CONSOLE_FILES).sort(), [...SHIPPED].sort(), 'the list of files is the folder');
  const types: Record<string, RegExp> = { html: /^text\/html/, js: /^text\/javascript/, css: /^text\/css/, svg: /^image\/svg\+xml/ };
  for (const name of SHIPPED) {
    const answer = await get(app, `/_mock/ui/${name}`);
    t.equal(answer.statusCode, 200, name);
    t.match(answer.headers['content-type'], types[name.split('.').pop()!]!, name);
    t.equal(answer.headers['content-security-policy'], CONSOLE_CSP);
    t.ok(answer.rawPayload.equals(readFileSync(new URL(name, CONSOLE))), `${name}: as it is on disk`);
  }
  for (const url of ['/_mock/ui/README.md', '/_mock/ui/nope.js', '/_mock/ui/..%2Fpackage.json', '/_mock/ui/%2e%2e%2fREADME.md', '/_mock/ui//', '/_mock/ui/constructor', '/_mock/ui/hasOwnProperty']) {
    const answer = await get(app, url);
    t.equal(answer.statusCode, 404, url);
    t.equal(answer.json().error_code, 'APIGW.0101');
  }
  t.same(app.control.requests().total, 0, 'the console is not journaled');
});

t.test('the console loads without the admin token: its files hold no data', async (t) => {
  const app = testApp(t, { adminToken: 'adm' });
  for (const url of ['/_mock/ui/', '/_mock/ui/app.js']) t.equal((await get(app, url)).statusCode, 200, url);
});

t.test('the console is small, offline and builds its DOM without parsing data as HTML', async (t) => {
  const size = SHIPPED.reduce((sum, name) => sum + statSync(new URL(name, CONSOLE)).size, 0);
  t.ok(size < 250 * 1024, `${SHIPPED.length} files, ${size} bytes in all (under 250 KB)`);
  for (const name of SHIPPED) {
    const text = readFileSync(new URL(name, CONSOLE), 'utf8');
    const otherOrigins = [...text.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi)].map(([url]) => url).filter((url) => url !== 'http://www.w3.org');
    t.same(otherOrigins, [], `${name}: no other origin (no CDN, no web font)`);
    if (name.endsWith('.js')) t.notMatch(text, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/, `${name}: no HTML parsing, no eval`);
  }
  const html = readFileSync(new URL('index.html', CONSOLE), 'utf8');
  t.same([...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag), ['<script type="module" src="app.js">'], 'one script, from a file');
  t.notMatch(html, /<style|\sstyle=|\son[a-z]+=/i, 'no inline style, no inline event handler');
});
