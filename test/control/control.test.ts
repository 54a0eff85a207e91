// The control API under /_mock: arranging hosts, resetting, and the request journal.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { HostFactory } from '../../src/fleet/generator.js';
import type { Host } from '../../src/contract/schemas.js';
import { StartupError } from '../../src/contract/errors.js';
import { listHosts, testApp, type App } from '../helpers.js';

const ALL = 'enterprise_project_id=all_granted_eps&limit=200&get_common_login_locations=true';
const P = '/_mock/projects/p';

async function call(app: App, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await app.inject({
    method: method as 'GET',
    url,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.body ? response.json() : undefined, headers: response.headers };
}

/** A host as the API serves it to a query without `incluster`: without its container runtimes. */
function withoutRuntimes({ node_runtime_info: _, ...host }: Host): Host {
  return host;
}

/** The hosts the emulated API serves to project p, every enterprise project, one page. */
async function served(app: App): Promise<Host[]> {
  return (await listHosts(app, ALL, undefined, '/v5/p/host-management/hosts')).body.data_list;
}

t.test('GET /_mock/health: status, version and uptime, without auth', async (t) => {
  const app = testApp(t, { adminToken: 'admin' });
  const { status, body } = await call(app, 'GET', '/_mock/health');
  t.equal(status, 200);
  t.equal(body.status, 'ok');
  t.match(body.version, /^\d+\.\d+\.\d+$/);
  t.type(body.uptime_seconds, 'number');
  t.ok(body.data_bytes > 0 && body.data_limit_bytes === 1024 * 2 ** 20, 'how full the data is');
});

t.test('GET hosts: every host of the project, raw, in API order', async (t) => {
  const app = testApp(t, { hosts: 30 });
  const { status, body } = await call(app, 'GET', `${P}/hosts`);
  t.equal(status, 200);
  t.equal(body.length, 30, 'every enterprise project');
  t.same(body.map(withoutRuntimes), await served(app), 'the same hosts, in the same order, as the API');
  t.same((await call(app, 'GET', `${P}/hosts`)).body, body, 'GETs change nothing');
});

t.test('POST hosts: one partial host is completed, its given fields kept, and added last', async (t) => {
  const app = testApp(t, { hosts: 3 });
  const given = { host_name: 'Web-01', os_type: 'Windows', agent_status: 'offline', labels: ['pci'] } as const;
  const { status, body } = await call(app, 'POST', `${P}/hosts`, given);
  t.equal(status, 201);
  t.equal(body.length, 1);
  t.match(body[0], given, 'given fields kept exactly');
  t.match(body[0], { host_id: /^[0-9a-f-]{36}$/, os_image: /^Windows/, agent_id: /^[0-9a-f]{64}$/ }, 'completed coherently');
  const hosts = await served(app);
  t.equal(hosts.length, 4);
  t.same(hosts[3], withoutRuntimes(body[0]), 'served after the existing hosts, as stored');
  t.same(
    (await listHosts(app, 'host_name=web-01&enterprise_project_id=all_granted_eps&get_common_login_locations=true', undefined, '/v5/p/host-management/hosts')).body.data_list,
    body.map(withoutRuntimes),
    'filters find it',
  );
});

t.test('POST hosts: an array, and a saved API response (stored verbatim)', async (t) => {
  const app = testApp(t, { hosts: 0 });
  const many = await call(app, 'POST', `${P}/hosts`, [{ host_id: 'a' }, { host_id: 'b' }]);
  t.equal(many.status, 201);
  t.same(many.body.map((host: Host) => host.host_id), ['a', 'b']);
  const saved = { total_num: 1, data_list: [{ host_id: 'c', host_name: 'bare' }] };
  const verbatim = await call(app, 'POST', `${P}/hosts`, saved);
  t.strictSame(verbatim.body, saved.data_list);
  t.same((await served(app)).map((host) => host.host_id), ['a', 'b', 'c']);
  t.strictSame((await call(app, 'GET', `${P}/hosts`)).body[2], { host_name: 'bare', host_id: 'c' }, 'no field added');
});

t.test('two writes of the same partial host give two different hosts, the same ones on every run', async (t) => {
  const run = async () => {
    const app = testApp(t, { hosts: 0 });
    await call(app, 'POST', `${P}/hosts`, {});
    await call(app, 'POST', `${P}/hosts`, {});
    return (await call(app, 'GET', `${P}/hosts`)).body as Host[];
  };
  const first = await run();
  t.not(first[0]!.host_id, first[1]!.host_id);
  t.same(await run(), first);
});

t.test('a bad body: 400 with the path of the first bad field, and nothing written', async (t) => {
  const app = testApp(t, { hosts: 5 });
  const before = (await call(app, 'GET', `${P}/hosts`)).body;
  const cases: [string, unknown, number, string][] = [
    ['POST', [{ host_name: 'ok' }, { os_type: 'Solaris' }], 400, 'Invalid body. /1/os_type: must be one of: Linux, Windows'],
    ['POST', { asset: -1 }, 400, 'Invalid body. /asset: must be at least 0'],
    ['POST', { colour: 'blue' }, 400, 'Invalid body. /colour: is not a known field'],
    ['POST', { host_name: 'n'.repeat(129) }, 400, 'Invalid body. /host_name: must be at most 128 characters'],
    ['POST', 42, 400, 'Invalid body. (root): must be an object'],
    ['POST', { total_num: 1, data_list: 'x' }, 400, 'Invalid body. /data_list: must be an array of hosts'],
    ['PUT', [{ labels: 'web' }], 400, 'Invalid body. /0/labels: must be an array'],
    ['POST', '{"host_name": ', 400, "Invalid body. Body is not valid JSON but content-type is set to 'application/json'"],
    ['POST', Array(50_001).fill({}), 400, 'Invalid body. (root): at most 50000 hosts a write (got 50001)'],
    ['PUT', { total_num: 50_001, data_list: Array(50_001).fill({}) }, 400, 'Invalid body. /data_list: at most 50000 hosts a write (got 50001)'],
  ];
  for (const [method, body, status, message] of cases) {
    const answer = await call(app, method, `${P}/hosts`, body);
    t.equal(answer.status, status, message);
    t.same(answer.body, { error_code: 'MOCK.0400', error_msg: message, request_id: answer.headers['x-request-id'] });
  }
  const wrongType = await app.inject({ method: 'POST', url: `${P}/hosts`, headers: { 'content-type': 'text/xml' }, payload: '<host/>' });
  t.equal(wrongType.statusCode, 415);
  t.equal(wrongType.json().error_code, 'MOCK.0415');
  const empty = await app.inject({ method: 'POST', url: `${P}/hosts`, headers: { 'content-type': 'application/json' }, payload: '' });
  t.equal(empty.statusCode, 400);
  t.same(empty.json().error_msg, 'Invalid body. (root): must be an object', 'an empty body is no host');
  t.same((await call(app, 'GET', `${P}/hosts`)).body, before, 'nothing was written');
});

t.test('a duplicate host_id: 409, and nothing written', async (t) => {
  const app = testApp(t, { hosts: 0 });
  await call(app, 'POST', `${P}/hosts`, { host_id: 'taken' });
  const withStored = await call(app, 'POST', `${P}/hosts`, [{ host_id: 'new' }, { host_id: 'taken' }]);
  t.equal(withStored.status, 409);
  t.same(withStored.body, { error_code: 'MOCK.0409', error_msg: 'Project p already has a host taken; nothing was written', request_id: withStored.headers['x-request-id'] });
  const withinBody = await call(app, 'PUT', `${P}/hosts`, [{ host_id: 'x' }, { host_id: 'x' }]);
  t.equal(withinBody.status, 409);
  t.same((await served(app)).map((host) => host.host_id), ['taken'], 'neither write happened');
  t.equal((await call(app, 'POST', '/_mock/projects/other/hosts', { host_id: 'taken' })).status, 201, 'ids are unique per project only');
});

t.test('a refused write changes nothing, not even what later writes store', async (t) => {
  const refused = testApp(t, { hosts: 0 });
  t.equal((await call(refused, 'POST', `${P}/hosts`, [{ host_id: 'h0' }, { host_id: 'h0' }])).status, 409);
  t.equal((await call(refused, 'POST', `${P}/hosts`, [{ os_type: 'Solaris' }])).status, 400);
  const afterRefusals = (await call(refused, 'POST', `${P}/hosts`, { host_id: 'h1' })).body;
  const fresh = testApp(t, { hosts: 0 });
  t.same(afterRefusals, (await call(fresh, 'POST', `${P}/hosts`, { host_id: 'h1' })).body, 'h1 as a fresh server completes it');
});

t.test('the data limit: a write that does not fit is a 507, and writes nothing', async (t) => {
  const app = testApp(t, { hosts: 0, dataLimit: 16 });
  t.equal((await call(app, 'PUT', `${P}/hosts`, Array(1000).fill({}))).status, 200);
  const tooMuch = await call(app, 'PUT', '/_mock/projects/q/hosts', Array(20_000).fill({}));
  t.equal(tooMuch.status, 507);
  t.same(tooMuch.body, {
    error_code: 'MOCK.0507',
    error_msg: 'hss-mock cannot hold more data: the data limit (--data-limit 16 MiB) is reached: written projects, and fleets being made or written, fill it',
    request_id: tooMuch.headers['x-request-id'],
  });
  t.equal((await call(app, 'GET', '/_mock/projects/q/hosts')).body.length, 0, 'q is as it was');
  t.equal((await call(app, 'GET', `${P}/hosts`)).body.length, 1000, 'p too');
});

t.test('a starting fleet larger than the data limit: refused at start, or (past written data) a 507', async (t) => {
  t.throws(() => testApp(t, { hosts: 2_000_000, dataLimit: 256 }), new StartupError("--hosts 2000000 needs about 477 MiB for one project's fleet, more than --data-limit 256"));
  const app = testApp(t, { hosts: 40_000, dataLimit: 16 });
  t.equal((await call(app, 'PUT', `${P}/hosts`, Array(4000).fill({}))).status, 200, 'written data (about 2.3 KB a host) fills more than half of the limit');
  const answer = await listHosts(app, '', undefined, '/v5/other/host-management/hosts');
  t.equal(answer.status, 507, 'a new project whose fleet cannot fit');
  t.equal(answer.body.error_code, 'MOCK.0507');
});

t.test('a full reset while a long write runs: the write stops with a 409, and wrote nothing', async (t) => {
  const app = testApp(t, { hosts: 2 });
  const dataBytes = async () => (await call(app, 'GET', '/_mock/health')).body.data_bytes as number;
  const before = await dataBytes();
  const generating = call(app, 'POST', `${P}/generate`, { count: 300_000 });
  // The health check answers while the write runs; once the data grows, the write is under way.
  while ((await dataBytes()) === before) await new Promise((resolve) => setImmediate(resolve));
  t.equal((await call(app, 'POST', '/_mock/reset')).status, 204);
  const stopped = await generating;
  t.equal(stopped.status, 409);
  t.equal(stopped.body.error_msg, 'A full reset came while this write was running; nothing was written');
  t.equal((await call(app, 'GET', `${P}/hosts`)).body.length, 2, 'the start-up fleet');
});

t.test('PUT hosts: replace the fleet, e.g. "three Windows hosts, one offline, one at risk"', async (t) => {
  const app = testApp(t);
  const scenario = [
    { host_name: 'win-1', os_type: 'Windows', agent_status: 'online', detect_result: 'clean', enterprise_project_id: '0' },
    { host_name: 'win-2', os_type: 'Windows', agent_status: 'offline', detect_result: 'clean', enterprise_project_id: '0' },
    { host_name: 'win-3', os_type: 'Windows', agent_status: 'online', vulnerability: 3, enterprise_project_id: '0' },
  ];
  const { status, body } = await call(app, 'PUT', `${P}/hosts`, scenario);
  t.equal(status, 200);
  t.equal(body.length, 3);
  const api = async (query: string) => (await listHosts(app, query, undefined, '/v5/p/host-management/hosts')).body;
  t.equal((await api('')).total_num, 3, 'exactly these hosts');
  t.same((await api('agent_status=not_online')).data_list.map((host) => host.host_name), ['win-2']);
  t.same((await api('detect_result=risk')).data_list.map((host) => host.host_name), ['win-3']);
  t.equal((await api('os_type=Linux')).total_num, 0);
  t.same((await api('limit=2&offset=2')).data_list.map((host) => host.host_name), ['win-3'], 'paged like the real API');
});

t.test('PATCH a host: merge patch; null removes a field; host_id cannot change', async (t) => {
  const app = testApp(t, { hosts: 0 });
  await call(app, 'PUT', `${P}/hosts`, [{ host_id: 'h1', agent_status: 'online', public_ip: '121.36.1.1' }, { host_id: 'h2', agent_status: 'online' }]);
  const patched = await call(app, 'PATCH', `${P}/hosts/h1`, { agent_status: 'offline', public_ip: null, host_id: 'h1' });
  t.equal(patched.status, 200);
  t.equal(patched.body.agent_status, 'offline');
  t.notOk('public_ip' in patched.body, 'null removed the field');
  const [first] = await served(app);
  t.same(first, withoutRuntimes(patched.body), 'stored, in its place');
  t.same((await listHosts(app, `${ALL}&agent_status=offline`, undefined, '/v5/p/host-management/hosts')).body.data_list.map((h) => h.host_id), ['h1']);

  const cases: [unknown, number, string][] = [
    [{ host_id: 'other' }, 400, 'Invalid body. /host_id: cannot change'],
    [{ host_id: null }, 400, 'Invalid body. /host_id: cannot change'],
    [{ agent_status: 'asleep' }, 400, 'Invalid body. /agent_status: must be one of: not_installed, online, offline, install_failed, installing'],
    [{ shoe_size: 42 }, 400, 'Invalid body. /shoe_size: is not a known field'],
    [[1], 400, 'Invalid body. (root): must be an object of fields'],
  ];
  for (const [patch, status, message] of cases) {
    const answer = await call(app, 'PATCH', `${P}/hosts/h1`, patch);
    t.equal(answer.status, status);
    t.equal(answer.body.error_msg, message);
  }
  t.same((await served(app))[0], withoutRuntimes(patched.body), 'a refused patch wrote nothing');
  const missing = await call(app, 'PATCH', `${P}/hosts/nope`, { agent_status: 'offline' });
  t.equal(missing.status, 404);
  t.same(missing.body, { error_code: 'MOCK.0404', error_msg: 'Project p has no host nope', request_id: missing.headers['x-request-id'] });
});

t.test('DELETE one host, then all: the project then serves an empty fleet', async (t) => {
  const app = testApp(t, { hosts: 4 });
  const [victim] = (await call(app, 'GET', `${P}/hosts`)).body as Host[];
  t.equal((await call(app, 'DELETE', `${P}/hosts/${victim!.host_id}`)).status, 204);
  t.equal((await served(app)).length, 3);
  t.notOk((await served(app)).some((host) => host.host_id === victim!.host_id));
  t.equal((await call(app, 'DELETE', `${P}/hosts/${victim!.host_id}`)).status, 404, 'again: 404');
  t.equal((await call(app, 'DELETE', `${P}/hosts`)).status, 204);
  t.same((await listHosts(app, ALL, undefined, '/v5/p/host-management/hosts')).body, { total_num: 0, data_list: [] }, 'empty, not regenerated');
  t.equal((await call(app, 'DELETE', '/_mock/projects/never-used/hosts')).status, 204);
  t.equal((await listHosts(app, ALL, undefined, '/v5/never-used/host-management/hosts')).body.total_num, 0, 'a project emptied before first use stays empty');
});

t.test('POST generate: the same fleet as a fresh start with that seed and count', async (t) => {
  const app = testApp(t);
  const { status, body } = await call(app, 'POST', `${P}/generate`, { count: 20, seed: 9 });
  t.equal(status, 200);
  t.same(body, { project_id: 'p', count: 20, seed: 9 });
  const fresh = testApp(t, { seed: 9, hosts: 20 });
  t.same(await served(app), await served(fresh));
  t.same(await served(app), (JSON.parse(JSON.stringify([...new HostFactory(9, 'p').generate(20)])) as Host[]).map(withoutRuntimes));
  const withDefaultSeed = await call(app, 'POST', `${P}/generate`, { count: 2 });
  t.same(withDefaultSeed.body, { project_id: 'p', count: 2, seed: 1 }, 'the --seed option by default');
  for (const [bad, message] of [
    [{ count: 2000001 }, '/count: must be at most 2000000'],
    [{ count: -1 }, '/count: must be at least 0'],
    [{ count: 1, seed: 'x' }, '/seed: must be an integer'],
    [{ count: 1, extra: true }, '/extra: is not a known field'],
    [{}, '/count: is required'],
  ] as const) {
    const answer = await call(app, 'POST', `${P}/generate`, bad);
    t.equal(answer.status, 400);
    t.equal(answer.body.error_msg, `Invalid body. ${message}`);
  }
  t.equal((await served(app)).length, 2, 'nothing written by the refused calls');
});

t.test('reset: one project, or all, back to the start-up state', async (t) => {
  const app = testApp(t, { hosts: 6 });
  const start = await served(app);
  const otherStart = (await call(app, 'GET', '/_mock/projects/q/hosts')).body;
  await call(app, 'DELETE', `${P}/hosts`);
  await call(app, 'DELETE', '/_mock/projects/q/hosts');
  t.equal((await call(app, 'POST', `${P}/reset`)).status, 204);
  t.same(await served(app), start, 'p is back');
  t.same((await call(app, 'GET', '/_mock/projects/q/hosts')).body, [], 'q is untouched');
  t.equal((await call(app, 'POST', '/_mock/reset')).status, 204);
  t.same((await call(app, 'GET', '/_mock/projects/q/hosts')).body, otherStart, 'q is back too');
});

t.test('reset reads the fixture files again; a broken one leaves everything as it was', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hss-mock-reset-'));
  const file = join(dir, 'hosts.json');
  writeFileSync(file, JSON.stringify([{ host_id: 'first', enterprise_project_id: '0' }]));
  const app = testApp(t, { fixtures: [file] });
  t.same((await served(app)).map((host) => host.host_id), ['first']);
  writeFileSync(file, JSON.stringify([{ host_id: 'second', enterprise_project_id: '0' }]));
  await call(app, 'POST', '/_mock/reset');
  t.same((await served(app)).map((host) => host.host_id), ['second'], 'the edited file is served');
  await call(app, 'POST', `${P}/hosts`, { host_id: 'added' });
  writeFileSync(file, '[{"host_id": ');
  const broken = await call(app, 'POST', '/_mock/reset');
  t.equal(broken.status, 422);
  t.equal(broken.body.error_code, 'MOCK.0422');
  t.match(broken.body.error_msg, /^A start-up file cannot be read, so nothing was reset: .*hosts\.json: /);
  t.same((await served(app)).map((host) => host.host_id), ['second', 'added'], 'nothing was reset');
  t.equal((await call(app, 'POST', `${P}/reset`)).status, 422);
});

t.test('the request journal', async (t) => {
  const app = testApp(t, { token: [{ token: 'good', projects: [] }] });
  await listHosts(app, 'limit=2&os_type=Linux', { 'x-auth-token': 'good' }, '/v5/p/host-management/hosts');
  await listHosts(app, 'limit=999', { 'x-auth-token': 'good' }, '/v5/q/host-management/hosts');
  await listHosts(app, '', { 'x-auth-token': 'stolen-token' }, '/v5/p/host-management/hosts');
  await listHosts(app, '', {}, '/v5/p/nowhere');
  await call(app, 'GET', `${P}/hosts`);
  const { status, body } = await call(app, 'GET', '/_mock/requests');
  t.equal(status, 200);
  t.equal(body.total, 4, 'every API request, 404s included; no control request');
  const [ok, invalid, rejected, missing] = body.requests;
  t.match(ok, {
    method: 'GET',
    path: '/v5/p/host-management/hosts',
    query: { limit: '2', os_type: 'Linux' },
    project_id: 'p',
    auth: 'token',
    caller: /^token:[0-9a-f]{8}$/,
    status: 200,
    error_code: null,
    request_id: /^[0-9a-f]{32}$/,
  });
  t.ok(Date.parse(ok.time) <= Date.now(), 'an ISO time');
  t.match(invalid, { project_id: 'q', status: 400, error_code: 'HSS.0001', query: { limit: '999' } });
  t.match(rejected, { status: 401, error_code: 'APIGW.0301', auth: 'token' });
  t.not(rejected.caller, ok.caller, 'each token has its own fingerprint');
  t.notMatch(JSON.stringify(body), /stolen-token|good/, 'never a token itself');
  t.match(missing, { path: '/v5/p/nowhere', project_id: null, auth: 'none', caller: null, status: 404, error_code: 'APIGW.0101' });

  const byProject = (await call(app, 'GET', '/_mock/requests?project_id=q')).body;
  t.same(byProject.requests.map((r: { status: number }) => r.status), [400]);
  const byStatus = (await call(app, 'GET', '/_mock/requests?status=401')).body;
  t.same(byStatus.requests.map((r: { request_id: string }) => r.request_id), [rejected.request_id]);
  t.equal((await call(app, 'GET', '/_mock/requests?status=abc')).status, 400);
  t.equal((await call(app, 'DELETE', '/_mock/requests')).status, 204);
  t.same((await call(app, 'GET', '/_mock/requests')).body, { total: 0, requests: [] });
  await listHosts(app, '', { 'x-auth-token': 'good' });
  await call(app, 'POST', '/_mock/reset');
  t.equal((await call(app, 'GET', '/_mock/requests')).body.total, 0, 'a full reset clears it too');
});

t.test('the journal keeps the last N requests', async (t) => {
  const app = testApp(t, { journalSize: 3 });
  for (let i = 0; i < 7; i++) await listHosts(app, `offset=${i}`);
  const { body } = await call(app, 'GET', '/_mock/requests');
  t.equal(body.total, 3);
  t.same(body.requests.map((r: { query: { offset: string } }) => r.query.offset), ['4', '5', '6'], 'the newest three, oldest first');
  const off = testApp(t, { journalSize: 0 });
  await listHosts(off, '');
  t.equal((await call(off, 'GET', '/_mock/requests')).body.total, 0, 'size 0 keeps none');
});

t.test('the journal in pages: newest first on request, total over every page', async (t) => {
  const app = testApp(t);
  for (let i = 0; i < 7; i++) await listHosts(app, `offset=${i}`);
  const offsets = async (query: string) => {
    const { status, body } = await call(app, 'GET', `/_mock/requests?${query}`);
    t.equal(status, 200, query);
    return { total: body.total, offsets: body.requests.map((r: { query: { offset: string } }) => r.query.offset) };
  };
  t.same(await offsets('limit=3'), { total: 7, offsets: ['0', '1', '2'] }, 'oldest first by default');
  t.same(await offsets('limit=3&offset=3'), { total: 7, offsets: ['3', '4', '5'] });
  t.same(await offsets('order=desc&limit=2'), { total: 7, offsets: ['6', '5'] }, 'newest first');
  t.same(await offsets('order=desc&offset=6'), { total: 7, offsets: ['0'] });
  t.same(await offsets('offset=50'), { total: 7, offsets: [] }, 'past the end: an empty page');
  t.same(await offsets('status=0'), { total: 0, offsets: [] }, 'status 0 (a dropped connection) can be asked for');
  for (const bad of ['order=newest', 'limit=0', 'limit=1001', 'offset=-1']) t.equal((await call(app, 'GET', `/_mock/requests?${bad}`)).status, 400, bad);
});

t.test('GET /_mock/projects: the projects in use, by id, with their host counts, in pages', async (t) => {
  const app = testApp(t, { hosts: 5 });
  t.same((await call(app, 'GET', '/_mock/projects')).body, { total: 0, projects: [] }, 'none before any use');
  await listHosts(app, '', undefined, '/v5/beta/host-management/hosts');
  await call(app, 'PUT', '/_mock/projects/alpha/hosts', [{ host_name: 'a' }, { host_name: 'b' }]);
  await call(app, 'DELETE', '/_mock/projects/gamma/hosts');
  t.same((await call(app, 'GET', '/_mock/projects')).body, {
    total: 3,
    projects: [
      { project_id: 'alpha', hosts: 2 },
      { project_id: 'beta', hosts: 5 },
      { project_id: 'gamma', hosts: 0 },
    ],
  });
  t.same((await call(app, 'GET', '/_mock/projects?offset=1&limit=1')).body, { total: 3, projects: [{ project_id: 'beta', hosts: 5 }] });
  t.equal((await call(app, 'GET', '/_mock/projects?limit=1001')).status, 400);
  await call(app, 'POST', '/_mock/reset');
  t.same((await call(app, 'GET', '/_mock/projects')).body.total, 0, 'a full reset forgets them');
});

t.test('--admin-token guards every control call but the health check; the API is not behind it', async (t) => {
  const app = testApp(t, { adminToken: 's3cret' });
  const calls: [string, string, unknown?][] = [
    ['GET', `${P}/hosts`],
    ['GET', `${P}/list`],
    ['POST', `${P}/hosts`, {}],
    ['PUT', `${P}/hosts`, []],
    ['PATCH', `${P}/hosts/x`, {}],
    ['DELETE', `${P}/hosts/x`],
    ['DELETE', `${P}/hosts`],
    ['POST', `${P}/generate`, { count: 1 }],
    ['POST', `${P}/reset`],
    ['POST', '/_mock/reset'],
    ['GET', '/_mock/projects'],
    ['GET', '/_mock/requests'],
    ['DELETE', '/_mock/requests'],
    ['GET', '/_mock/faults'],
    ['POST', '/_mock/faults', { action: 'delay', delay_ms: 0 }],
    ['DELETE', '/_mock/faults/fault-1'],
    ['DELETE', '/_mock/faults'],
    ['GET', '/_mock/openapi.json'],
  ];
  const admin = { authorization: 'Bearer s3cret' };
  await listHosts(app, '', undefined, '/v5/p/host-management/hosts');
  const before = (await call(app, 'GET', `${P}/hosts`, undefined, admin)).body;
  for (const [method, url, body] of calls) {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 's3cret' }, { authorization: 'Basic s3cret' }] as Record<string, string>[]) {
      const answer = await call(app, method, url, body, headers);
      t.equal(answer.status, 401, `${method} ${url} ${JSON.stringify(headers)}`);
      t.equal(answer.body.error_code, 'MOCK.0401');
    }
  }
  t.same((await call(app, 'GET', `${P}/hosts`, undefined, admin)).body, before, 'the refused calls changed nothing');
  t.same((await call(app, 'GET', '/_mock/faults', undefined, admin)).body, { total: 0, faults: [] });
  t.equal((await call(app, 'GET', '/_mock/requests', undefined, admin)).body.total, 1, 'nor cleared the journal');
  for (const [method, url, body] of calls) {
    t.not((await call(app, method, url, body, admin)).status, 401, `${method} ${url} with the token`);
  }
  t.equal((await listHosts(app, '')).status, 200, 'the emulated API needs no admin token');
});

t.test('invalid parameters of control calls: 400 MOCK.0400 in the gateway format; the emulated API keeps HSS.0001', async (t) => {
  const app = testApp(t);
  for (const [url, detail] of [
    ['/_mock/requests?status=abc', /^Invalid parameter\. status: /],
    ['/_mock/requests?limit=1001', /^Invalid parameter\. limit: must be at most 1000/],
    ['/_mock/projects?offset=-1', /^Invalid parameter\. offset: /],
    [`/_mock/projects/${'p'.repeat(257)}/hosts`, /^Invalid parameter\. project_id: /],
    [`/_mock/faults/${'f'.repeat(65)}`, /^Invalid parameter\. id: /],
  ] as const) {
    const answer = await call(app, url.startsWith('/_mock/faults') ? 'DELETE' : 'GET', url);
    t.equal(answer.status, 400, url);
    t.same(Object.keys(answer.body), ['error_code', 'error_msg', 'request_id'], url);
    t.equal(answer.body.error_code, 'MOCK.0400');
    t.match(answer.body.error_msg, detail);
    t.equal(answer.body.request_id, answer.headers['x-request-id'], 'the request id, as in the header');
  }
  const api = await listHosts(app, 'limit=abc');
  t.same(Object.keys(api.body), ['error_code', 'error_msg', 'error_description'], 'the service format');
  t.equal(api.body.error_code, 'HSS.0001');
});

t.test('the journal keeps at most about 2 KB of a request: long values are cut and marked', async (t) => {
  const app = testApp(t);
  const project = 'p'.repeat(300);
  const signed = { authorization: `SDK-HMAC-SHA256 Access=${'K'.repeat(5000)}, SignedHeaders=x-sdk-date, Signature=${'0'.repeat(64)}`, 'x-sdk-date': '20260101T000000Z' };
  await listHosts(app, `host_name=${'x'.repeat(20_000)}`, { ...signed, region: 'r'.repeat(5000) }, `/v5/${project}/host-management/hosts`);
  await listHosts(app, `host_name=${'y'.repeat(900)}`, { 'x-auth-token': 't', region: 'r'.repeat(128) }, '/v5/p/host-management/hosts');
  const [long, short] = (await call(app, 'GET', '/_mock/requests')).body.requests;
  t.equal(long.status, 401, 'a refused request, recorded');
  t.equal(long.project_id, `${'p'.repeat(256)}...(cut)`);
  t.equal(long.path, `/v5/${project}/host-management/hosts`, 'the path, whole');
  const url = `${long.path}?host_name=${long.query.host_name}`;
  t.equal(url.length, 1024 + '...(cut)'.length, 'the URL: its first 1024 characters');
  t.match(long.query.host_name, /^x+\.\.\.\(cut\)$/);
  t.equal(long.region, `${'r'.repeat(128)}...(cut)`);
  t.equal(long.caller, `${'K'.repeat(128)}...(cut)`);
  t.equal(short.query.host_name, 'y'.repeat(900), 'values within the bounds are kept whole');
  t.equal(short.region, 'r'.repeat(128));
  t.equal(short.project_id, 'p');
  const filtered = (await call(app, 'GET', `/_mock/requests?project_id=p`)).body;
  t.equal(filtered.total, 1);
});

t.test('control paths that do not exist: 404', async (t) => {
  const app = testApp(t);
  for (const [method, url] of [['GET', '/_mock'], ['GET', '/_mock/nothing'], ['POST', '/_mock/health'], ['PATCH', `${P}/hosts`]] as const) {
    const answer = await call(app, method, url);
    t.equal(answer.status, 404, `${method} ${url}`);
    t.equal(answer.body.error_code, 'APIGW.0101');
  }
  t.equal((await call(app, 'GET', `/_mock/projects/${'p'.repeat(257)}/hosts`)).status, 400, 'project ids are checked here too');
});
