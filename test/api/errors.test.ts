// Failures inside the emulator, and bodies it cannot use: always a documented error, never a stack trace.
import t from 'tap';
import { HOSTS_PATH, TOKEN } from '../helpers.js';

t.test('an internal failure answers 500 HSS.1008 without details', async (t) => {
  const { buildApp } = await t.mockImport<typeof import('../../src/http/app.js')>('../../src/http/app.js', {
    '../../src/store/store.js': {
      ...(await import('../../src/store/store.js')),
      HostStore: class {
        listHosts(): never {
          throw new Error('disk on fire at /secret/path');
        }
        close(): void {}
      },
    },
  });
  const app = buildApp();
  t.teardown(() => app.close());
  const response = await app.inject({ url: HOSTS_PATH, headers: TOKEN });
  t.equal(response.statusCode, 500);
  t.same(response.json(), { error_code: 'HSS.1008', error_msg: 'Failed to query host information.', error_description: 'Failed to query host information.' });
  t.notMatch(response.body, /disk|secret|at /);
  t.match(response.headers['x-request-id'], /^[0-9a-f]{32}$/);
});

t.test('a body sent to the API or elsewhere never breaks it', async (t) => {
  const { buildApp } = await import('../../src/http/app.js');
  const app = buildApp();
  t.teardown(() => app.close());
  const json = { ...TOKEN, 'content-type': 'application/json' };
  const cases: [string, string, Record<string, string>, string, number, string][] = [
    ['GET', HOSTS_PATH, json, '{not json', 200, ''],
    ['POST', HOSTS_PATH, json, '{not json', 404, 'APIGW.0101'],
    ['POST', '/anywhere', { 'content-type': 'text/unknown' }, 'zzz', 404, 'APIGW.0101'],
    ['POST', HOSTS_PATH, json, JSON.stringify({ big: 'x'.repeat(2 * 1024 * 1024) }), 413, 'APIGW.0201'],
  ];
  for (const [method, url, headers, payload, status, code] of cases) {
    const response = await app.inject({ method: method as 'GET', url, headers, payload });
    t.equal(response.statusCode, status, `${method} ${url} ${payload.slice(0, 20)}`);
    if (code) t.equal(response.json().error_code, code);
  }
});

t.test('a client that hangs up mid-request is let go without an answer', async (t) => {
  const { buildApp } = await import('../../src/http/app.js');
  const app = buildApp();
  t.teardown(() => app.close());
  await app.ready();
  let destroyed = false;
  let written = '';
  const gone = { writable: false, destroy: () => (destroyed = true), end: (data: string) => (written += data) };
  app.server.emit('clientError', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), gone);
  t.ok(destroyed, 'the socket is destroyed');
  t.equal(written, '', 'nothing is written to it');
});
