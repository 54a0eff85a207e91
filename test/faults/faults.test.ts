// Fault injection and throttling, end to end over a real socket, and deterministic.
import { request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { StartupError } from '../../src/contract/errors.js';
import { Faults, RateLimiter } from '../../src/faults/faults.js';
import { startHssMock, type HssMock } from '../../src/index.js';

const HOSTS = '/v5/p/host-management/hosts';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
  ms: number;
}

/** One GET over a fresh connection; rejects with the socket error when there is no answer. */
function get(mock: HssMock, path = HOSTS, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${mock.url}${path}`, { headers: { 'X-Auth-Token': 't', ...headers }, agent: false, timeout: timeoutMs }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), headers: res.headers, ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** JSON as the tests read it. */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function addFaults(mock: HssMock, rules: unknown) {
  const response = await fetch(`${mock.url}/_mock/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rules) });
  return { status: response.status, body: (await response.json()) as Json };
}

async function withMock(t: { teardown(fn: () => unknown): void }, options: Parameters<typeof startHssMock>[0] = {}): Promise<HssMock> {
  const mock = await startHssMock({ hosts: 3, ...options });
  t.teardown(() => mock.close());
  return mock;
}

t.test('an error rule answers a documented error, with its request id', async (t) => {
  const mock = await withMock(t);
  const expected: [number, string, string][] = [
    [429, 'APIGW.0308', 'The throttling threshold has been reached: policy user over ratelimit,limit:200,time:1 second'],
    [401, 'APIGW.0307', 'The token must be updated.'],
    [403, 'APIGW.0302', 'The IAM user is not authorized to access the API.'],
    [500, 'HSS.1008', 'Failed to query host information.'],
    [502, 'APIGW.0201', 'Backend unavailable.'],
    [504, 'APIGW.0201', 'Backend timeout.'],
  ];
  for (const [status, code, message] of expected) {
    await addFaults(mock, { action: 'error', status, times: 1 });
    const answer = await get(mock);
    t.equal(answer.status, status, `${status}`);
    t.equal(answer.body.error_code, code);
    t.equal(answer.body.error_msg, message);
    if (code.startsWith('APIGW')) t.equal(answer.body.request_id, answer.headers['x-request-id']);
    t.equal((await get(mock)).status, 200, 'then back to normal');
  }
});

t.test('a delay is at least the delay', async (t) => {
  const mock = await withMock(t);
  await addFaults(mock, { action: 'delay', delay_ms: 300 });
  const answer = await get(mock);
  t.equal(answer.status, 200);
  t.ok(answer.ms >= 300, `answered after ${answer.ms.toFixed(0)} ms`);
});

t.test('a reset is seen by the client as a reset connection', async (t) => {
  const mock = await withMock(t);
  await addFaults(mock, { action: 'reset', times: 1 });
  await t.rejects(get(mock), { code: 'ECONNRESET' });
  t.equal((await get(mock)).status, 200, 'the next request is answered');
  const { requests } = mock.requests.list();
  t.match(requests[0], { status: 0, fault: 'fault-1', error_code: null }, 'journaled with the rule, and no status');
});

t.test('a stall never answers: the client times out; closing the emulator lets the connection go', async (t) => {
  const mock = await startHssMock({ hosts: 1 });
  await addFaults(mock, { action: 'stall' });
  await t.rejects(get(mock, HOSTS, {}, 400), { code: 'CLIENT_TIMEOUT' });
  const stalled = get(mock, HOSTS, {}, 60_000);
  await new Promise((resolve) => setTimeout(resolve, 100));
  await mock.close();
  await t.rejects(stalled, /socket hang up|ECONNRESET/, 'dropped on close, not held');
});

t.test('closing the emulator cuts a delay short: the delayed request is answered at once', async (t) => {
  const mock = await startHssMock({ hosts: 1 });
  await addFaults(mock, { action: 'delay', delay_ms: 60_000 });
  const delayed = get(mock, HOSTS, {}, 120_000);
  // In its delay once the rule has fired.
  while (((await (await fetch(`${mock.url}/_mock/faults`)).json()) as Json).faults[0].fired === 0) continue;
  await mock.close();
  const answer = await delayed;
  t.equal(answer.status, 200, 'answered in full');
  t.ok(answer.ms < 60_000, 'before its delay ran out');
});

t.test('the next N matching requests only, after skipping some', async (t) => {
  const mock = await withMock(t);
  await addFaults(mock, { action: 'error', status: 500, after: 1, times: 2 });
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push((await get(mock)).status);
  t.same(statuses, [200, 500, 500, 200, 200], 'fires exactly twice, after the first');
  const [rule] = ((await (await fetch(`${mock.url}/_mock/faults`)).json()) as Json).faults;
  t.match(rule, { id: 'fault-1', matched: 5, fired: 2 });
});

t.test('a seeded fraction: the same requests fail on every run', async (t) => {
  const run = async () => {
    const mock = await withMock(t, { seed: 7 });
    await addFaults(mock, { action: 'error', status: 502, fraction: 0.3 });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await get(mock)).status);
    return statuses;
  };
  const first = await run();
  t.same(await run(), first, 'deterministic');
  const failed = first.filter((status) => status === 502).length;
  t.ok(failed > 5 && failed < 35, `about 30% failed (${failed} of 60)`);
  t.same(new Set(first), new Set([200, 502]));
});

t.test('rules match on project, query parameters and caller; the first that fires answers', async (t) => {
  const mock = await withMock(t, { credentials: [{ accessKey: 'AK1', secretKey: 'SK1' }] });
  await addFaults(mock, [
    { project_id: 'other', action: 'error', status: 500 },
    { query: { os_type: 'Windows' }, action: 'error', status: 502 },
    { caller: 'token:e3b0c442', action: 'error', status: 504 },
    { action: 'error', status: 429, query: { limit: '5' } },
    { action: 'error', status: 401, query: { limit: '5' } },
  ]);
  t.equal((await get(mock, '/v5/other/host-management/hosts')).status, 500);
  t.equal((await get(mock)).status, 200, 'another project');
  t.equal((await get(mock, `${HOSTS}?os_type=Windows`)).status, 502);
  t.equal((await get(mock, `${HOSTS}?os_type=Linux`)).status, 200);
  const fingerprint = mock.requests.list().requests.at(-1)!.caller;
  await addFaults(mock, { caller: fingerprint, action: 'error', status: 403 });
  t.equal((await get(mock)).status, 403, `caller ${fingerprint}`);
  t.equal((await get(mock, HOSTS, { 'X-Auth-Token': 'another-token' })).status, 200);
  t.equal((await get(mock, `${HOSTS}?limit=5`, { 'X-Auth-Token': 'another-token' })).status, 429, 'rules are tried in order');
  t.same(mock.requests.list({ status: 429 }).requests.map((entry) => entry.fault), ['fault-4'], 'the journal names the rule');
});

t.test('X-Mock-Fault and X-Mock-Delay, unless --no-fault-headers', async (t) => {
  const mock = await withMock(t);
  for (const status of [429, 401, 403, 500, 502, 504]) {
    t.equal((await get(mock, HOSTS, { 'X-Mock-Fault': String(status) })).status, status);
  }
  await t.rejects(get(mock, HOSTS, { 'X-Mock-Fault': 'reset' }), { code: 'ECONNRESET' });
  await t.rejects(get(mock, HOSTS, { 'X-Mock-Fault': 'stall' }, 300), { code: 'CLIENT_TIMEOUT' });
  const delayed = await get(mock, HOSTS, { 'X-Mock-Delay': '250' });
  t.equal(delayed.status, 200);
  t.ok(delayed.ms >= 250, `delayed ${delayed.ms.toFixed(0)} ms`);
  for (const [header, value] of [['X-Mock-Fault', '418'], ['X-Mock-Fault', 'boom'], ['X-Mock-Delay', '-1'], ['X-Mock-Delay', '60001'], ['X-Mock-Delay', '1.5']]) {
    const answer = await get(mock, HOSTS, { [header!]: value! });
    t.equal(answer.status, 400, `${header}: ${value}`);
    t.equal(answer.body.error_code, 'MOCK.0400');
    t.match(answer.body.error_msg, new RegExp(`^Invalid header\\. ${header} must be `));
  }
  t.equal(mock.requests.list({ status: 429 }).requests[0]!.fault, 'header');

  const ignoring = await withMock(t, { noFaultHeaders: true });
  t.equal((await get(ignoring, HOSTS, { 'X-Mock-Fault': '500' })).status, 200);
  t.equal((await get(ignoring, HOSTS, { 'X-Mock-Delay': 'nonsense' })).status, 200);
});

t.test('--rate-limit: N a second for each caller, then 429 APIGW.0308', async (t) => {
  const mock = await withMock(t, { rateLimit: 3 });
  const burst = await Promise.all(Array.from({ length: 6 }, () => get(mock)));
  const statuses = burst.map((answer) => answer.status).sort();
  t.same(statuses, [200, 200, 200, 429, 429, 429]);
  const throttled = burst.find((answer) => answer.status === 429)!;
  t.equal(throttled.body.error_msg, 'The throttling threshold has been reached: policy user over ratelimit,limit:3,time:1 second');
  t.equal((await get(mock, HOSTS, { 'X-Auth-Token': 'someone-else' })).status, 200, 'another caller has its own allowance');
});

t.test('the rate limiter slides over the last second', async (t) => {
  let now = 1_000_000;
  const limiter = new RateLimiter(2, () => now);
  t.same([limiter.allow('a'), limiter.allow('a'), limiter.allow('a')], [true, true, false]);
  now += 999;
  t.equal(limiter.allow('a'), false, 'still within the second');
  now += 1;
  t.equal(limiter.allow('a'), true, 'a second after the first');
  for (let i = 0; i < 10_050; i++) limiter.allow(`caller-${i}`);
  now += 5000;
  t.equal(limiter.allow('a'), true, 'idle callers are forgotten, and the limit still holds');
});

t.test('a delay range is drawn from the seed', async (t) => {
  const draw = (seed: number) => {
    const faults = new Faults(undefined, seed, 0);
    faults.add([{ action: 'delay', delay_ms: 100, delay_max_ms: 200 }]);
    return Array.from({ length: 5 }, () => {
      const fault = faults.ruleFault({ projectId: 'p', query: {}, caller: 'token:00000000' })!;
      return fault.action.kind === 'delay' ? fault.action.ms : -1;
    });
  };
  t.same(draw(1), draw(1));
  t.not(JSON.stringify(draw(1)), JSON.stringify(draw(2)));
  t.ok(draw(3).every((ms) => ms >= 100 && ms <= 200));
});

t.test('the control API: list, add, remove; bad rules are refused', async (t) => {
  const mock = await withMock(t, { adminToken: 'admin' });
  const admin = { authorization: 'Bearer admin', 'content-type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = admin) => {
    const response = await fetch(`${mock.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (response.status === 204 ? undefined : await response.json()) as Json };
  };
  t.equal((await call('GET', '/_mock/faults', undefined, {})).status, 401, 'behind the admin token');
  const added = await call('POST', '/_mock/faults', [{ action: 'reset' }, { action: 'delay', delay_ms: 5, delay_max_ms: 10, project_id: 'q' }]);
  t.equal(added.status, 201);
  t.same(added.body.map((rule: { id: string }) => rule.id), ['fault-1', 'fault-2']);
  t.match((await call('GET', '/_mock/faults')).body, { total: 2, faults: [{ id: 'fault-1', action: 'reset', matched: 0, fired: 0 }, { id: 'fault-2' }] });
  t.equal((await call('DELETE', '/_mock/faults/fault-1')).status, 204);
  t.equal((await call('DELETE', '/_mock/faults/fault-1')).status, 404);
  t.equal((await call('GET', '/_mock/faults')).body.total, 1);
  t.equal((await call('DELETE', '/_mock/faults')).status, 204);
  t.equal((await call('GET', '/_mock/faults')).body.total, 0);
  const bad: [unknown, string][] = [
    [{ action: 'explode' }, '/action: must be one of: error, delay, reset, stall'],
    [{ action: 'error' }, '/status: is required with action error'],
    [{ action: 'error', status: 418 }, '/status: must be one of: 401, 403, 429, 500, 502, 504'],
    [{ action: 'delay' }, '/delay_ms: is required with action delay'],
    [[{ action: 'reset' }, { action: 'delay', delay_ms: 9, delay_max_ms: 3 }], '/1/delay_max_ms: must come with delay_ms, and be at least delay_ms'],
    [{ action: 'reset', delay_max_ms: 3 }, '/delay_max_ms: must come with delay_ms, and be at least delay_ms'],
    [{ action: 'reset', fraction: 1.5 }, '/fraction: must be at most 1'],
    [{ action: 'delay', delay_ms: 60001 }, '/delay_ms: must be at most 60000'],
    [{ action: 'reset', surprise: 1 }, '/surprise: is not a known field'],
    [{ action: 'reset', query: { limit: 5 } }, '/query/limit: must be a string'],
  ];
  for (const [rule, message] of bad) {
    const answer = await call('POST', '/_mock/faults', rule);
    t.equal(answer.status, 400, message);
    t.equal(answer.body.error_msg, `Invalid body. ${message}`);
  }
  t.equal((await call('GET', '/_mock/faults')).body.total, 0, 'nothing was added');
});

t.test('--faults FILE: rules at start and after a reset; a bad file stops startup', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hss-mock-faults-'));
  const file = join(dir, 'faults.json');
  writeFileSync(file, JSON.stringify([{ action: 'error', status: 429, times: 1 }]));
  const mock = await withMock(t, { faults: file });
  t.equal((await get(mock)).status, 429);
  t.equal((await get(mock)).status, 200);
  await mock.reset();
  t.equal((await get(mock)).status, 429, 'a reset restores the rules, with fresh counts');
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ action: 'error', status: 200 }));
  const error = await startHssMock({ faults: join(dir, 'bad.json') }).catch((rejection: unknown) => rejection);
  t.type(error, StartupError);
  t.match((error as Error).message, /bad\.json: \/status: must be one of: 401, 403, 429, 500, 502, 504$/);
  writeFileSync(file, '[{');
  await t.rejects(mock.reset(), /faults\.json: /, 'a file broken since start: the reset is refused');
  t.equal((await get(mock)).status, 200, 'and nothing was reset');
});

t.test('at most 1000 fault rules: more is refused with 400 and adds none; a --faults file with more stops startup', async (t) => {
  const mock = await withMock(t);
  const rule = { action: 'error', status: 502, project_id: 'elsewhere' };
  const total = async () => ((await (await fetch(`${mock.url}/_mock/faults`)).json()) as Json).total;
  for (const count of [1001, 130_000]) {
    const refused = await addFaults(mock, Array.from({ length: count }, () => rule));
    t.equal(refused.status, 400, `${count} at once`);
    t.match(refused.body, { error_code: 'MOCK.0400', error_msg: `Invalid body. There can be at most 1000 fault rules; ${count} were given`, request_id: /^[0-9a-f]{32}$/ });
  }
  t.equal(await total(), 0, 'none was added');
  t.equal((await addFaults(mock, Array.from({ length: 999 }, () => rule))).status, 201);
  t.equal((await addFaults(mock, [rule, rule])).body.error_msg, 'Invalid body. There can be at most 1000 fault rules; there are 999, and 2 more were given');
  t.equal(await total(), 999, 'the refused call added none');
  t.equal((await addFaults(mock, rule)).status, 201, 'up to the maximum');
  t.equal((await get(mock)).status, 200, 'requests try every rule, and are answered');

  const dir = mkdtempSync(join(tmpdir(), 'hss-mock-faults-'));
  const file = join(dir, 'many.json');
  writeFileSync(file, JSON.stringify(Array.from({ length: 200_000 }, () => rule)));
  const error = await startHssMock({ faults: file }).catch((rejection: unknown) => rejection);
  t.type(error, StartupError);
  t.equal((error as Error).message, `${file}: There can be at most 1000 fault rules; 200000 were given`);
});
