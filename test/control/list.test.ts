// GET /_mock/projects/{project_id}/list: what the emulated API answers to the same query, byte for
// byte, without credentials, faults, throttling or journal (the web console's view of the hosts).
import t from 'tap';
import { listHosts, testApp, TOKEN, type App } from '../helpers.js';

const API = '/v5/p/host-management/hosts';
const LIST = '/_mock/projects/p/list';

async function get(app: App, url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url, headers });
}

t.test('the list route answers byte for byte what the emulated API answers to the same query', async (t) => {
  const app = testApp(t, { hosts: 40 });
  for (const query of [
    '',
    'limit=5&offset=3',
    'enterprise_project_id=all_granted_eps&limit=200',
    'enterprise_project_id=all_granted_eps&agent_status=not_online&os_type=Linux',
    'enterprise_project_id=all_granted_eps&host_name=ECS&limit=0',
    'enterprise_project_id=all_granted_eps&version=hss.version.basic&above_version=true&offset=2',
    'offset=1000',
    'host_name=a+b%20c&unknown=ignored',
  ]) {
    const api = await get(app, `${API}?${query}`, TOKEN);
    const list = await get(app, `${LIST}?${query}`);
    t.equal(api.statusCode, 200, query);
    t.equal(list.statusCode, 200, query);
    t.equal(list.body, api.body, `same bytes: ${query}`);
    t.equal(list.headers['content-type'], api.headers['content-type']);
  }
  t.equal(JSON.parse((await get(app, `${LIST}?enterprise_project_id=all_granted_eps&limit=0`)).body).total_num, 40);
});

t.test('the list route refuses a bad query as the API does, with the same error', async (t) => {
  const app = testApp(t);
  for (const query of ['limit=201', 'agent_status=asleep', 'os_type=Linux&os_type=Windows', 'refresh=1', 'offset=-1']) {
    const api = await get(app, `${API}?${query}`, TOKEN);
    const list = await get(app, `${LIST}?${query}`);
    t.equal(list.statusCode, 400, query);
    t.same(list.json(), api.json(), `same error: ${query}`);
  }
  t.equal((await get(app, `/_mock/projects/${'x'.repeat(257)}/list`)).statusCode, 400, 'project ids are checked as the API checks them');
});

t.test('the list route needs no credentials, fires no fault, throttles nothing and stays out of the journal', async (t) => {
  const app = testApp(t, { rateLimit: 1 });
  const rule = await app.inject({ method: 'POST', url: '/_mock/faults', payload: { project_id: 'p', action: 'error', status: 429, times: 1 } });
  t.equal(rule.statusCode, 201);
  for (let i = 0; i < 3; i += 1) t.equal((await get(app, LIST, { 'x-mock-fault': '500' })).statusCode, 200, 'no fault, no throttling');
  t.same(app.control.requests(), { total: 0, requests: [] }, 'nothing journaled');
  t.match(app.control.faults().faults[0], { matched: 0, fired: 0 }, 'the rule is untouched');
  t.equal((await listHosts(app, '', TOKEN, API)).status, 429, 'the rule still fires on the API');
});

t.test('the list route is behind --admin-token', async (t) => {
  const app = testApp(t, { adminToken: 'adm' });
  const refused = await get(app, LIST);
  t.equal(refused.statusCode, 401);
  t.equal(refused.json().error_code, 'MOCK.0401');
  t.equal((await get(app, LIST, { authorization: 'Bearer wrong' })).statusCode, 401);
  t.equal((await get(app, LIST, { authorization: 'Bearer adm' })).statusCode, 200);
});

t.test('the OpenAPI document has the list route, with the parameters of the API', async (t) => {
  const app = testApp(t);
  const doc = (await get(app, '/_mock/openapi.json')).json();
  const names = (route: string) => doc.paths[route].get.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name);
  t.same(names('/_mock/projects/{project_id}/list'), names('/v5/{project_id}/host-management/hosts'));
  t.same(doc.paths['/_mock/projects/{project_id}/list'].get.security, [{ admin: [] }]);
});
