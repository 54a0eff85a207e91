// hss-mock as a library inside a test suite: startHssMock, typed helpers, independent instances.
import t from 'tap';
import { startHssMock, StartupError, type HssMock, type HssMockOptions } from '../../src/index.js';

async function hosts(mock: HssMock, project: string, query = 'enterprise_project_id=all_granted_eps&limit=200') {
  const response = await fetch(`${mock.url}/v5/${project}/host-management/hosts?${query}`, { headers: { 'X-Auth-Token': 't' } });
  return (await response.json()) as { total_num: number; data_list: { host_id: string; host_name: string; agent_status: string }[] };
}

t.test('two instances in one process stay independent', async (t) => {
  const first = await startHssMock({ hosts: 5, seed: 1 });
  const second = await startHssMock({ hosts: 7, seed: 2 });
  t.teardown(() => Promise.all([first.close(), second.close()]));
  t.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.not(first.port, second.port, 'each on its own free port');
  t.equal((await hosts(first, 'p')).total_num, 5);
  t.equal((await hosts(second, 'p')).total_num, 7);
  await first.hosts.deleteAll('p');
  t.equal((await hosts(first, 'p')).total_num, 0);
  t.equal((await hosts(second, 'p')).total_num, 7, 'a change to one is not seen by the other');
});

t.test('typed helpers arrange hosts and read the journal without HTTP', async (t) => {
  const mock = await startHssMock({ hosts: 3 });
  t.teardown(() => mock.close());
  t.equal((await mock.hosts.list('p')).length, 3);
  const [added] = await mock.hosts.add('p', { host_id: 'h1', host_name: 'lib-host', enterprise_project_id: '0', agent_status: 'online' });
  t.equal(added!.host_name, 'lib-host');
  t.equal((await mock.hosts.patch('p', 'h1', { agent_status: 'offline', public_ip: null })).agent_status, 'offline');
  const offline = await hosts(mock, 'p', 'host_id=h1');
  t.equal(offline.data_list[0]!.agent_status, 'offline', 'served by the API');
  await t.rejects(mock.hosts.add('p', { host_id: 'h1' }), /already has a host h1/, 'a duplicate rejects');
  await t.rejects(mock.hosts.add('p', { os_type: 'Solaris' as 'Linux' }), /\/os_type: must be one of: Linux, Windows/);
  await mock.hosts.delete('p', 'h1');
  await t.rejects(mock.hosts.delete('p', 'h1'), /has no host h1/);
  t.same((await mock.hosts.replace('p', [{ host_id: 'only' }])).map((host) => host.host_id), ['only']);
  t.same(await mock.hosts.generate('p', 4, 9), { project_id: 'p', count: 4, seed: 9 });
  t.equal((await mock.hosts.list('p')).length, 4);

  const { requests } = mock.requests.list({ project_id: 'p' });
  t.equal(requests.length, 1);
  t.match(requests[0], { path: '/v5/p/host-management/hosts', query: { host_id: 'h1' }, status: 200 });
  mock.requests.clear();
  t.equal(mock.requests.list().total, 0);
  await mock.reset('p');
  t.equal((await mock.hosts.list('p')).length, 3, 'reset: the start-up fleet again');
  await mock.reset();
  t.equal((await mock.hosts.list('p')).length, 3);
});

t.test('every command-line option has a typed option', async (t) => {
  const mock = await startHssMock({
    port: 0,
    host: '127.0.0.1',
    hosts: 2,
    seed: 5,
    token: [{ token: 'lib-token', projects: ['p'] }],
    credentials: [{ accessKey: 'LIBAK', secretKey: 'LIBSK' }],
    fixtures: [],
    db: ':memory:',
    resetDb: false,
    adminToken: 'admin',
    journalSize: 10,
    logLevel: 'silent',
  });
  t.teardown(() => mock.close());
  const answer = await fetch(`${mock.url}/v5/p/host-management/hosts`, { headers: { 'X-Auth-Token': 'lib-token' } });
  t.equal(answer.status, 200);
  const other = await fetch(`${mock.url}/v5/q/host-management/hosts`, { headers: { 'X-Auth-Token': 'lib-token' } });
  t.equal(other.status, 403, 'the token is bound to p');
  t.equal((await fetch(`${mock.url}/_mock/requests`)).status, 401, 'the admin token guards the control API');
});

t.test('a bad option throws a StartupError; nothing is left listening', async (t) => {
  const busy = await startHssMock();
  t.teardown(() => busy.close());
  const error = await startHssMock({ port: busy.port }).catch((rejection: unknown) => rejection);
  t.type(error, StartupError);
  t.match((error as Error).message, /^cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  await t.rejects(startHssMock({ fixtures: ['/nope.json'] }), /\/nope\.json: no such file or folder/);
});

t.test('options are checked as the command line checks them: a bad or unknown one throws a StartupError', async (t) => {
  const cases: [Record<string, unknown>, string | RegExp][] = [
    [{ hosts: -1 }, 'hosts must be an integer from 0 to 2000000 (got -1)'],
    [{ hosts: 'abc' }, 'hosts must be an integer from 0 to 2000000 (got "abc")'],
    [{ hosts: 2.5 }, 'hosts must be an integer from 0 to 2000000 (got 2.5)'],
    [{ hosts: 2_000_001 }, 'hosts must be an integer from 0 to 2000000 (got 2000001)'],
    [{ seed: -5 }, 'seed must be an integer from 0 to 4294967295 (got -5)'],
    [{ port: 65536 }, 'port must be an integer from 0 to 65535 (got 65536)'],
    [{ journalSize: NaN }, 'journalSize must be an integer from 0 to 1000000 (got NaN)'],
    [{ requestTimeout: 0 }, 'requestTimeout must be an integer from 1 to 3600000 (got 0)'],
    [{ maxConnections: 0 }, 'maxConnections must be an integer from 1 to 1000000 (got 0)'],
    [{ logLevel: 'loud' }, 'logLevel must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ resetDb: 'yes' }, 'resetDb must be true or false (got "yes")'],
    [{ prettyLogs: 1 }, 'prettyLogs must be true or false (got 1)'],
    [{ db: '' }, 'db must be a non-empty string'],
    [{ host: 127001 }, 'host must be a non-empty string'],
    [{ adminToken: '' }, 'adminToken must be a non-empty string'],
    [{ fixtures: 'hosts.json' }, 'fixtures must be an array'],
    [{ fixtures: ['a.json', ''] }, 'fixtures[1] must be a non-empty string'],
    [{ token: [{ token: '' }] }, 'token[0] must be { token, projects? } with non-empty strings'],
    [{ token: [{ token: 'hidden-token', project: 'p' }] }, 'token[0] must be { token, projects? } with non-empty strings'],
    [{ token: ['hidden-token'] }, 'token[0] must be { token, projects? } with non-empty strings'],
    [{ credentials: [{ accessKey: 'AK' }] }, 'credentials[0] must be { accessKey, secretKey, projects? } with non-empty strings'],
    [{ credentials: [{ accessKey: 'AK', secretKey: 'hidden-key', projects: 'p' }] }, 'credentials[0] must be { accessKey, secretKey, projects? } with non-empty strings'],
    [{ credentials: [null] }, 'credentials[0] must be { accessKey, secretKey, projects? } with non-empty strings'],
    [{ hots: 5 }, /^unknown option "hots"; the options are port, host, hosts, seed, token, credentials, fixtures, db, resetDb, adminToken, /],
    [{ ak: 'AK' }, /^unknown option "ak"/],
  ];
  for (const [options, message] of cases) {
    const error = await startHssMock(options as HssMockOptions).catch((rejection: unknown) => rejection);
    t.type(error, StartupError, JSON.stringify(options));
    t.match((error as Error).message, typeof message === 'string' ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : message);
    t.notMatch((error as Error).message, /hidden-/, 'never a secret');
  }
  const mock = await startHssMock({ hosts: 0, adminToken: undefined, token: [{ token: 't' }], credentials: [{ accessKey: 'AK', secretKey: 'SK', projects: ['p'] }], prettyLogs: false });
  t.teardown(() => mock.close());
  t.equal((await mock.hosts.list('p')).length, 0, 'good options, and undefined ones, start it');
});
