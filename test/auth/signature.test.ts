// AK/SK signatures (SDK-HMAC-SHA256), checked with a small signer written here from docs/api.md (section 7),
// independent of the emulator's: the Go SDK's way, Terraform's way, and every way to get it wrong.
import { createHash, createHmac } from 'node:crypto';
import t from 'tap';
import { DEVELOPMENT_KEY } from '../../src/auth/auth.js';
import { canonicalQuery, canonicalUri, expectedSignature, parseSdkDate } from '../../src/auth/signature.js';
import { listHosts, testApp, type App } from '../helpers.js';

const AK = 'TESTACCESSKEY0000001';
const SK = 'test-secret-key-0000000000000000000000001';

/** RFC 3986 unreserved characters stay; everything else is %XX of its UTF-8 bytes. */
function encode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

function sdkDate(time = Date.now()): string {
  return new Date(time).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
}

interface Signing {
  method?: string;
  path: string;
  query?: [string, string][];
  /** Headers sent; those named in `signed` are signed. */
  headers: Record<string, string>;
  signed: string[];
  body?: string;
  ak?: string;
  sk?: string;
}

/** Signs as the Go SDK does: the given query pairs, the listed headers, the body's hash. */
function sign({ method = 'GET', path, query = [], headers, signed, body = '', ak = AK, sk = SK }: Signing): Record<string, string> {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const names = [...signed].sort();
  const canonical = [
    method,
    `${path.split('/').map(encode).join('/')}/`,
    [...query].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1)).map(([n, v]) => `${encode(n)}=${encode(v)}`).join('&'),
    names.map((name) => `${name}:${(lower[name] ?? '').trim()}\n`).join(''),
    names.join(';'),
    lower['x-sdk-content-sha256'] ?? createHash('sha256').update(body).digest('hex'),
  ].join('\n');
  const stringToSign = `SDK-HMAC-SHA256\n${lower['x-sdk-date']}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', sk).update(stringToSign).digest('hex');
  return { ...headers, Authorization: `SDK-HMAC-SHA256 Access=${ak}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

function keyApp(t: Parameters<typeof testApp>[0], extra: Parameters<typeof testApp>[1] = {}): App {
  return testApp(t, { credentials: [{ accessKey: AK, secretKey: SK, projects: [] }], hosts: 5, ...extra });
}

const HOSTS = '/v5/p/host-management/hosts';
const queryString = (query: [string, string][]) => query.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');

async function signedGet(app: App, signing: Omit<Signing, 'path'> & { path?: string; sentQuery?: string }) {
  const path = signing.path ?? HOSTS;
  const headers = sign({ ...signing, path });
  const query = signing.sentQuery ?? queryString(signing.query ?? []);
  const response = await app.inject({ method: 'GET', url: query ? `${path}?${query}` : path, headers, payload: signing.body });
  return { status: response.statusCode, body: response.json(), headers: response.headers };
}

t.test("the Go SDK's test vector", async (t) => {
  const request = { method: 'GET', url: '/path?limit=1', headers: { 'x-sdk-date': '20060102T150405Z' }, bodySha256: createHash('sha256').update('').digest('hex') };
  t.equal(expectedSignature(request, ['x-sdk-date'], 'SecretKey'), '5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624');
  const signed = sign({ path: '/path', query: [['limit', '1']], headers: { 'X-Sdk-Date': '20060102T150405Z' }, signed: ['x-sdk-date'], ak: 'AccessKey', sk: 'SecretKey' });
  t.equal(signed.Authorization, 'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624', 'the test signer agrees');
});

t.test('canonical forms', async (t) => {
  t.equal(canonicalUri('/v5/p/host-management/hosts'), '/v5/p/host-management/hosts/', 'a trailing slash appended');
  t.equal(canonicalUri('/v5/p/host-management/hosts/'), '/v5/p/host-management/hosts/', 'not doubled');
  t.equal(canonicalUri("/v5/a%20b*()!'/x"), '/v5/a%20b%2A%28%29%21%27/x/', 'decoded, then strictly encoded');
  t.equal(canonicalQuery(''), '');
  t.equal(canonicalQuery('b=2&a=1&a=0'), 'a=0&a=1&b=2', 'by name, then by value');
  t.equal(canonicalQuery("host_name=a b*()!'"), 'host_name=a%20b%2A%28%29%21%27', 'unencoded values, as Terraform sends them');
  t.equal(canonicalQuery('host_name=a+b&x=%E4%B8%BB'), 'host_name=a%20b&x=%E4%B8%BB');
  t.equal(canonicalQuery('flag&empty='), 'empty=&flag=', 'an empty value keeps its =');
  t.equal(canonicalQuery('z=%zz'), 'z=%25zz', 'a broken escape is kept, then encoded');
  t.equal(parseSdkDate('20260230T000000Z'), undefined, 'not a real date');
  t.equal(parseSdkDate('20261127T246000Z'), undefined);
  t.equal(parseSdkDate('20261127T101112Z'), Date.UTC(2026, 10, 27, 10, 11, 12));
});

t.test('signed the Go way (no content-type, no host) and the Node way (both)', async (t) => {
  const app = keyApp(t);
  const date = sdkDate();
  const go = await signedGet(app, { headers: { 'X-Sdk-Date': date, region: 'cn-north-4', 'X-Project-Id': 'p' }, signed: ['region', 'x-project-id', 'x-sdk-date'] });
  t.equal(go.status, 200, JSON.stringify(go.body));
  const node = await signedGet(app, {
    headers: { 'X-Sdk-Date': date, 'Content-Type': 'application/json', host: 'localhost:80', region: 'r' },
    signed: ['content-type', 'host', 'region', 'x-sdk-date'],
  });
  t.equal(node.status, 200, JSON.stringify(node.body));
});

t.test("signed Terraform's way: X-Project-Id added after signing", async (t) => {
  const app = keyApp(t);
  const headers = sign({ path: HOSTS, headers: { 'X-Sdk-Date': sdkDate() }, signed: ['x-sdk-date'] });
  const response = await app.inject({ url: `${HOSTS}?limit=1`, headers: { ...headers, 'X-Project-Id': 'p' } });
  t.equal(response.statusCode, 401, 'the query is signed too: adding limit=1 after signing breaks it');
  const fine = await app.inject({ url: HOSTS, headers: { ...headers, 'X-Project-Id': 'p' } });
  t.equal(fine.statusCode, 200, 'an unsigned X-Project-Id is accepted');
});

t.test('filters with spaces, *()!\' and non-ASCII values, sent encoded or not', async (t) => {
  const app = keyApp(t);
  const query: [string, string][] = [
    ['host_name', "web *()!'"],
    ['label', '生产 环境'],
    ['enterprise_project_id', 'all_granted_eps'],
  ];
  const headers = { 'X-Sdk-Date': sdkDate() };
  t.equal((await signedGet(app, { query, headers, signed: ['x-sdk-date'] })).status, 200, 'fully encoded');
  t.equal((await signedGet(app, { query, headers, signed: ['x-sdk-date'], sentQuery: "host_name=web%20*()!'&label=%E7%94%9F%E4%BA%A7+%E7%8E%AF%E5%A2%83&enterprise_project_id=all_granted_eps" })).status, 200, "as Node's SDK sends it");
  t.equal((await signedGet(app, { query, headers, signed: ['x-sdk-date'], sentQuery: "enterprise_project_id=all_granted_eps&label=生产 环境&host_name=web *()!'" })).status, 200, 'unencoded, in another order');
});

t.test('a GET body is part of the signature, unless X-Sdk-Content-Sha256 says otherwise', async (t) => {
  const app = keyApp(t);
  const headers = { 'X-Sdk-Date': sdkDate(), 'Content-Type': 'application/json' };
  t.equal((await signedGet(app, { headers, signed: ['x-sdk-date'], body: '{"a":1}' })).status, 200);
  const tampered = sign({ path: HOSTS, headers, signed: ['x-sdk-date'], body: '{"a":1}' });
  t.equal((await app.inject({ url: HOSTS, headers: tampered, payload: '{"a":2}' })).statusCode, 401, 'another body breaks it');
  const unsigned = { ...headers, 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' };
  const signed = sign({ path: HOSTS, headers: unsigned, signed: ['x-sdk-date'] });
  t.equal((await app.inject({ url: HOSTS, headers: signed, payload: 'anything' })).statusCode, 200, 'UNSIGNED-PAYLOAD');
  const huge = await app.inject({ url: HOSTS, headers: signed, payload: 'x'.repeat(1024 * 1024 + 1) });
  t.equal(huge.statusCode, 413);
  t.equal(huge.json().error_code, 'APIGW.0201');
});

t.test('every way to get it wrong is a 401 with its own message', async (t) => {
  const app = keyApp(t);
  const date = sdkDate();
  const good = sign({ path: HOSTS, headers: { 'X-Sdk-Date': date, region: 'r' }, signed: ['region', 'x-sdk-date'] });
  const signatureFail = 'Incorrect IAM authentication information: verify aksk signature fail';
  const cases: [string, Record<string, string>, string, RegExp | string][] = [
    ['wrong secret key', sign({ path: HOSTS, headers: { 'X-Sdk-Date': date }, signed: ['x-sdk-date'], sk: 'wrong' }), 'APIGW.0301', signatureFail],
    ['unknown access key', sign({ path: HOSTS, headers: { 'X-Sdk-Date': date }, signed: ['x-sdk-date'], ak: 'NOBODY' }), 'APIGW.0301', 'Incorrect IAM authentication information: Get secretKey failed,ak:******,err:ak not exist'],
    ['a signed header changed', { ...good, region: 'other' }, 'APIGW.0301', signatureFail],
    ['a signed header removed', { 'X-Sdk-Date': date, Authorization: good.Authorization! }, 'APIGW.0301', signatureFail],
    ['signature altered', { ...good, Authorization: good.Authorization!.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }, 'APIGW.0301', signatureFail],
    ['no Signature', { ...good, Authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=x-sdk-date` }, 'APIGW.0301', signatureFail],
    ['no Access', { ...good, Authorization: good.Authorization!.replace(/Access=[^,]+, /, '') }, 'APIGW.0301', signatureFail],
    ['not key=value', { ...good, Authorization: 'SDK-HMAC-SHA256 garbage' }, 'APIGW.0301', signatureFail],
    ['a short signature', { ...good, Authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=x-sdk-date, Signature=abc` }, 'APIGW.0301', signatureFail],
    ['no X-Sdk-Date', { Authorization: good.Authorization!, region: 'r' }, 'APIGW.0303', /^Incorrect app authentication information: signature expired, signature time:,server time:\d{8}T\d{6}Z$/],
    ['a malformed X-Sdk-Date', { ...good, 'X-Sdk-Date': '2026-11-27T10:00:00Z' }, 'APIGW.0303', /signature time:2026-11-27T10:00:00Z,server time:/],
    ['16 minutes old', sign({ path: HOSTS, headers: { 'X-Sdk-Date': sdkDate(Date.now() - 16 * 60000) }, signed: ['x-sdk-date'] }), 'APIGW.0303', /signature expired/],
    ['16 minutes ahead', sign({ path: HOSTS, headers: { 'X-Sdk-Date': sdkDate(Date.now() + 16 * 60000) }, signed: ['x-sdk-date'] }), 'APIGW.0303', /signature expired/],
  ];
  for (const [what, headers, code, message] of cases) {
    const response = await app.inject({ url: HOSTS, headers });
    t.equal(response.statusCode, 401, what);
    const body = response.json();
    t.equal(body.error_code, code, what);
    if (typeof message === 'string') t.equal(body.error_msg, message, what);
    else t.match(body.error_msg, message, what);
    t.equal(body.request_id, response.headers['x-request-id'], `${what}: with the request id`);
  }
  const fourteen = sign({ path: HOSTS, headers: { 'X-Sdk-Date': sdkDate(Date.now() - 14 * 60000) }, signed: ['x-sdk-date'] });
  t.equal((await app.inject({ url: HOSTS, headers: fourteen })).statusCode, 200, '14 minutes of skew is fine');
});

t.test('a header named in SignedHeaders but absent signs as an empty value', async (t) => {
  const app = keyApp(t);
  const headers = sign({ path: HOSTS, headers: { 'X-Sdk-Date': sdkDate() }, signed: ['x-sdk-date', 'x-custom'] });
  t.equal((await app.inject({ url: HOSTS, headers })).statusCode, 200);
});

t.test('temporary credentials: X-Security-Token, accepted when signed', async (t) => {
  const app = keyApp(t);
  const headers = { 'X-Sdk-Date': sdkDate(), 'X-Security-Token': 'temporary-token' };
  t.equal((await signedGet(app, { headers, signed: ['x-sdk-date', 'x-security-token'] })).status, 200);
  const unsigned = await signedGet(app, { headers, signed: ['x-sdk-date'] });
  t.equal(unsigned.status, 401);
  t.equal(unsigned.body.error_msg, 'Incorrect IAM authentication information: verify aksk signature fail');
});

t.test('a token and a signature together: the signature decides', async (t) => {
  const app = keyApp(t, { token: [{ token: 'good-token', projects: [] }] });
  const signed = sign({ path: HOSTS, headers: { 'X-Sdk-Date': sdkDate() }, signed: ['x-sdk-date'] });
  t.equal((await app.inject({ url: HOSTS, headers: { ...signed, 'X-Auth-Token': 'not-a-good-token' } })).statusCode, 200);
  const wrong = sign({ path: HOSTS, headers: { 'X-Sdk-Date': sdkDate() }, signed: ['x-sdk-date'], sk: 'wrong' });
  t.equal((await app.inject({ url: HOSTS, headers: { ...wrong, 'X-Auth-Token': 'good-token' } })).statusCode, 401);
  t.equal((await app.inject({ url: HOSTS, headers: { Authorization: 'Bearer x', 'X-Auth-Token': 'good-token' } })).statusCode, 200, 'an Authorization that is not a signature is not judged');
});

t.test('with no key pair configured, the well-known development pair works', async (t) => {
  const app = testApp(t);
  const dev = { ak: DEVELOPMENT_KEY.accessKey, sk: DEVELOPMENT_KEY.secretKey };
  t.equal((await signedGet(app, { headers: { 'X-Sdk-Date': sdkDate() }, signed: ['x-sdk-date'], ...dev })).status, 200);
  t.equal((await signedGet(app, { headers: { 'X-Sdk-Date': sdkDate() }, signed: ['x-sdk-date'] })).status, 401, 'another pair does not');
  const configured = keyApp(t);
  t.equal((await signedGet(configured, { headers: { 'X-Sdk-Date': sdkDate() }, signed: ['x-sdk-date'], ...dev })).status, 401, 'nor the development pair, once pairs are configured');
  t.throws(
    () => testApp(t, { credentials: [{ accessKey: 'A', secretKey: 'one', projects: [] }, { accessKey: 'A', secretKey: 'two', projects: ['p'] }] }),
    /^access key A is given with two different secret keys$/,
  );
});

t.test('project bindings and X-Project-Id: 403 APIGW.0302 on another project', async (t) => {
  const app = testApp(t, {
    hosts: 2,
    token: [
      { token: 'p1-token', projects: ['p1'] },
      { token: 'p1-token', projects: ['p3'] },
      { token: 'free-token', projects: [] },
    ],
    credentials: [{ accessKey: AK, secretKey: SK, projects: ['p1'] }],
  });
  const forbidden = { error_code: 'APIGW.0302', error_msg: 'The IAM user is not authorized to access the API.' };
  const on = (project: string) => `/v5/${project}/host-management/hosts`;
  t.equal((await listHosts(app, '', { 'x-auth-token': 'p1-token' }, on('p1'))).status, 200);
  t.equal((await listHosts(app, '', { 'x-auth-token': 'p1-token' }, on('p3'))).status, 200, 'bindings of one token add up');
  const other = await listHosts(app, '', { 'x-auth-token': 'p1-token' }, on('p2'));
  t.equal(other.status, 403);
  t.match(other.body, { ...forbidden, request_id: other.headers['x-request-id'] });
  t.equal((await listHosts(app, 'limit=999', { 'x-auth-token': 'p1-token' }, on('p2'))).status, 403, 'before parameters are checked');
  t.equal((await listHosts(app, '', { 'x-auth-token': 'free-token' }, on('p2'))).status, 200);
  t.equal((await listHosts(app, '', { 'x-auth-token': 'free-token', 'x-project-id': 'p1' }, on('p2'))).status, 403, 'X-Project-Id must match the path');
  t.equal((await listHosts(app, '', { 'x-auth-token': 'free-token', 'x-project-id': 'p2' }, on('p2'))).status, 200);
  const date = sdkDate();
  t.equal((await signedGet(app, { path: on('p1'), headers: { 'X-Sdk-Date': date }, signed: ['x-sdk-date'] })).status, 200);
  const signedElsewhere = await signedGet(app, { path: on('p2'), headers: { 'X-Sdk-Date': date }, signed: ['x-sdk-date'] });
  t.equal(signedElsewhere.status, 403);
  t.match(signedElsewhere.body, forbidden);
});

t.test('the journal records the AK and the region; never a secret', async (t) => {
  const app = keyApp(t);
  await signedGet(app, { headers: { 'X-Sdk-Date': sdkDate(), region: 'ap-southeast-1' }, signed: ['region', 'x-sdk-date'] });
  await signedGet(app, { headers: { 'X-Sdk-Date': sdkDate() }, signed: ['x-sdk-date'], sk: 'wrong' });
  const { requests } = (await app.inject({ url: '/_mock/requests' })).json();
  t.match(requests[0], { auth: 'aksk', caller: AK, region: 'ap-southeast-1', status: 200 });
  t.match(requests[1], { auth: 'aksk', caller: AK, region: null, status: 401, error_code: 'APIGW.0301' });
  t.notMatch(JSON.stringify(requests), new RegExp(`${SK}|Signature=`));
});
