// hss-mock as a library inside a test suite: startHssMock, typed helpers, independent instances.
import t from 'tap';
import { startHssMock, StartupError, type HssMock } from '../../src/index.js';

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
