// X-Auth-Token, request ids, and the gateway's answers to unknown paths and methods.
import t from 'tap';
import { HOSTS_PATH, listHosts, testApp } from '../helpers.js';

const GATEWAY_404 = 'The API does not exist or has not been published in the environment';

t.test('a missing or empty token: 401 APIGW.0301 x-auth-token not found', async (t) => {
  const app = testApp(t);
  for (const headers of [{}, { 'x-auth-token': '' }] as Record<string, string>[]) {
    const { status, body, headers: answerHeaders } = await listHosts(app, '', headers);
    t.equal(status, 401);
    t.same(body, {
      error_code: 'APIGW.0301',
      error_msg: 'Incorrect IAM authentication information: x-auth-token not found',
      request_id: answerHeaders['x-request-id'],
    });
  }
});

t.test('any token is accepted when none is configured, up to 32768 characters', async (t) => {
  const app = testApp(t);
  t.equal((await listHosts(app, '', { 'x-auth-token': 'x' })).status, 200);
  t.equal((await listHosts(app, '', { 'x-auth-token': 'a'.repeat(32768) })).status, 200, 'the documented maximum');
  const tooLong = await listHosts(app, '', { 'x-auth-token': 'a'.repeat(32769) });
  t.equal(tooLong.status, 401);
  t.equal(tooLong.body.error_msg, 'Incorrect IAM authentication information: decrypt token fail');
});

t.test('with tokens configured, only those are accepted', async (t) => {
  const app = testApp(t, { token: [{ token: 'token-one', projects: [] }, { token: 'token-two', projects: [] }] });
  t.equal((await listHosts(app, '', { 'x-auth-token': 'token-one' })).status, 200);
  t.equal((await listHosts(app, '', { 'x-auth-token': 'token-two' })).status, 200);
  for (const token of ['token-three', 'token-on', 'token-one ', 'TOKEN-ONE']) {
    const { status, body } = await listHosts(app, '', { 'x-auth-token': token });
    t.equal(status, 401, `${token}: rejected`);
    t.equal(body.error_code, 'APIGW.0301');
    t.equal(body.error_msg, 'Incorrect IAM authentication information: decrypt token fail');
  }
  const long = 'L'.repeat(32768);
  const withLong = testApp(t, { token: [{ token: long, projects: [] }] });
  t.equal((await listHosts(withLong, '', { 'x-auth-token': long })).status, 200, 'a configured token of the maximum length');
});

t.test('every answer carries a fresh X-Request-Id; gateway errors repeat it in the body', async (t) => {
  const app = testApp(t);
  const answers = [
    await listHosts(app, ''),
    await listHosts(app, 'limit=-1'),
    await listHosts(app, '', {}),
    await listHosts(app, '', undefined, '/v5/p/nowhere'),
  ];
  const ids = answers.map((answer) => answer.headers['x-request-id'] as string);
  for (const id of ids) t.match(id, /^[0-9a-f]{32}$/);
  t.equal(new Set(ids).size, ids.length, 'all different');
  t.equal(answers[2]!.body.request_id, ids[2]);
  t.equal(answers[3]!.body.request_id, ids[3]);
  const spoofed = await listHosts(app, '', { 'x-auth-token': 't', 'x-request-id': 'mine' });
  t.not(spoofed.headers['x-request-id'], 'mine', "a client's own request id is not echoed as the gateway's");
});

t.test('unknown paths and other methods: 404 APIGW.0101', async (t) => {
  const app = testApp(t);
  const token = { 'x-auth-token': 't' };
  const cases: [string, string][] = [
    ['GET', '/'],
    ['GET', '/v5/p/host-management'],
    ['GET', '/v5/p/host-management/hosts/extra'],
    ['GET', '/v3/p/host-management/hosts'],
    ['GET', '/V5/p/host-management/hosts'],
    ['GET', '/v5/p/host-management/HOSTS'],
    ['POST', HOSTS_PATH],
    ['PUT', HOSTS_PATH],
    ['PATCH', HOSTS_PATH],
    ['DELETE', HOSTS_PATH],
    ['OPTIONS', HOSTS_PATH],
  ];
  for (const [method, url] of cases) {
    const response = await app.inject({ method: method as 'GET', url, headers: token, payload: method === 'POST' ? '{"a":1}' : undefined });
    t.equal(response.statusCode, 404, `${method} ${url}`);
    t.same(response.json(), { error_code: 'APIGW.0101', error_msg: GATEWAY_404, request_id: response.headers['x-request-id'] });
  }
  const head = await app.inject({ method: 'HEAD', url: HOSTS_PATH, headers: token });
  t.equal(head.statusCode, 404, 'HEAD is not the API either');
});

t.test('a trailing slash is the same API', async (t) => {
  const app = testApp(t);
  const plain = await listHosts(app, 'limit=3');
  const slashed = await listHosts(app, 'limit=3', undefined, `${HOSTS_PATH}/`);
  t.equal(slashed.status, 200);
  t.same(slashed.body, plain.body);
});

t.test('a path that is not valid percent-encoding: 400 APIGW.0201', async (t) => {
  const app = testApp(t);
  for (const url of ['/v5/%zz/host-management/hosts', '/v5/%C3%28/host-management/hosts']) {
    const response = await app.inject({ method: 'GET', url, headers: { 'x-auth-token': 't' } });
    t.equal(response.statusCode, 400, url);
    t.same(response.json(), {
      error_code: 'APIGW.0201',
      error_msg: 'Request error: the path is not valid percent-encoded UTF-8',
      request_id: response.headers['x-request-id'],
    });
  }
});
