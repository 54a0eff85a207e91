// Bad input, generated (fast-check): whatever arrives, the answer is a 200 that matches the
// response schema or a documented 4xx in the documented format, with a request id; never a 5xx.
// A fixed seed makes a failure repeatable; fast-check prints it with the counterexample.
import fc from 'fast-check';
import t from 'tap';
import { ListHostsResponse } from '../../src/contract/schemas.js';
import { compile } from '../../src/contract/validation.js';
import { testApp, type App } from '../helpers.js';

const SEED = 20261127;
const RUNS = 3000;
const matchesResponse = compile(ListHostsResponse);

const PARAMETERS = [
  'enterprise_project_id', 'version', 'agent_status', 'detect_result', 'host_name', 'host_id', 'host_status', 'os_type',
  'private_ip', 'public_ip', 'ip_addr', 'protect_status', 'group_id', 'group_name', 'policy_group_id', 'policy_group_name',
  'charging_mode', 'refresh', 'above_version', 'outside_host', 'asset_value', 'label', 'server_group', 'limit', 'offset',
  'has_intrusion', 'has_vul', 'has_baseline', 'agent_upgradable', 'protect_interrupt', 'protect_degradation', 'incluster',
  'binding_key', 'cluster_id', 'vpc_id', 'host_name_list', 'host_id_list', 'private_ip_list', 'public_ip_list', 'sort_key',
  'sort_dir', 'get_common_login_locations', 'install_mode',
];
const DOCUMENTED_4XX = new Set([400, 401, 403, 404, 413, 414, 415, 422]);

const name = fc.oneof(fc.constantFrom(...PARAMETERS), fc.string({ maxLength: 12 }), fc.constantFrom('', '__proto__', 'constructor', 'limit[]', 'a.b'));
const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '-1', '+5', '-0', '1e3', '1.5', ' 5', '5 ', '0x10', '9'.repeat(30), 'true', 'false', 'TRUE', 'null', 'NaN', 'Infinity'),
  fc.constantFrom('Linux', 'online', 'not_online', 'all_granted_eps', 'hss.version.premium', '0', '10', '200', '201', '2000000', '2000001'),
  fc.constantFrom('risk_num', 'recent_scan_time', 'asc', 'desc', 'a,b', ',', 'a,,b', 'a,', ',a', 'x'.repeat(37), Array(101).fill('h').join(',')),
  fc.integer({ min: 0, max: 300 }).map((length) => 'x'.repeat(length)),
);
/** A pair as a client could send it: encoded, raw, or with broken percent-encoding. */
const pair = fc
  .tuple(name, value, fc.constantFrom('encoded', 'raw', 'broken'))
  .map(([key, text, how]) =>
    how === 'encoded'
      ? `${encodeURIComponent(key)}=${encodeURIComponent(text)}`
      : how === 'raw'
        ? `${key}=${text}`.replace(/[#?\s]/g, '')
        : `${encodeURIComponent(key)}=%${text.slice(0, 2)}%E4%B8`,
  );
const queryString = fc.array(pair, { maxLength: 8 }).map((pairs) => pairs.join('&'));

const token = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('', ' ', 'a'.repeat(32767), 'a'.repeat(32768), 'a'.repeat(32769)),
  fc.string({ minLength: 1, maxLength: 64 }).filter((text) => /^[\x21-\x7e]+$/.test(text)),
);
const headerText = fc.string({ maxLength: 80 }).map((text) => text.replace(/[^\x20-\x7e]/g, ''));
const authorization = fc.oneof(
  fc.constant(undefined),
  headerText,
  headerText.map((text) => `SDK-HMAC-SHA256 ${text}`),
  fc.constantFrom('SDK-HMAC-SHA256 Access=HSSMOCKDEVELOPMENTAK, SignedHeaders=x-sdk-date, Signature=' + '0'.repeat(64), 'Bearer x'),
);
const sdkDate = fc.oneof(fc.constant(undefined), headerText, fc.constantFrom('20261127T000000Z', '20260230T000000Z', '99991231T235959Z'));
const projectId = fc.oneof(
  fc.constantFrom('p', 'project-a', '', 'a'.repeat(256), 'a'.repeat(257), '%zz', '%C3%28', '..', '%2F'),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
);
const path = fc.oneof(
  projectId.map((id) => `/v5/${id}/host-management/hosts`),
  projectId.map((id) => `/v5/${id}/host-management/hosts/`),
  fc.string({ maxLength: 40 }).map((text) => `/${encodeURIComponent(text)}`),
  fc.constantFrom('/', '/v5', '/v5/p/host-management', '/_mock/health', '/_mock/nothing', '/_mock/requests', '/_mock/faults', '/_mock/openapi.json'),
);
const method = fc.constantFrom('GET', 'GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS');

function checkAnswer(answer: { statusCode: number; headers: Record<string, unknown>; body: string }, isApi: boolean, isHead: boolean): void {
  const { statusCode, headers, body } = answer;
  if (statusCode >= 500) throw new Error(`a ${statusCode}: ${body}`);
  if (!/^[0-9a-f]{32}$/.test(String(headers['x-request-id']))) throw new Error(`no request id (${statusCode})`);
  if (isHead || statusCode === 204) return;
  const json: Record<string, unknown> = JSON.parse(body);
  if (statusCode === 200 && isApi && !matchesResponse(JSON.parse(body))) throw new Error(`a 200 that does not match the schema: ${body.slice(0, 200)}`);
  if (statusCode < 400) return;
  if (!DOCUMENTED_4XX.has(statusCode)) throw new Error(`an undocumented status ${statusCode}: ${body}`);
  const code = String(json.error_code);
  if (typeof json.error_msg !== 'string' || !/^(HSS|APIGW|MOCK)\.\d{4}$/.test(code)) throw new Error(`not the documented error body: ${body}`);
  const gateway = !code.startsWith('HSS.');
  if (gateway !== (json.request_id === headers['x-request-id'])) throw new Error(`request_id in the body is wrong for ${code}: ${body}`);
  if (!gateway && json.error_description !== json.error_msg) throw new Error(`a service error without its error_description: ${body}`);
  if (Object.keys(json).length !== 3) throw new Error(`extra fields: ${body}`);
}

/** Deliberate faults are not bad input: the fuzzed emulator ignores X-Mock-* headers. */
function fuzzedApp(t: Parameters<typeof testApp>[0]): App {
  return testApp(t, { hosts: 30, noFaultHeaders: true });
}

t.test('random query strings on the hosts API', async (t) => {
  const app = fuzzedApp(t);
  await fc.assert(
    fc.asyncProperty(queryString, async (query) => {
      const answer = await app.inject({ method: 'GET', url: `/v5/p/host-management/hosts?${query}`, headers: { 'x-auth-token': 't' } });
      checkAnswer(answer, true, false);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

t.test('random headers, paths and methods', async (t) => {
  const app = fuzzedApp(t);
  await fc.assert(
    fc.asyncProperty(method, path, queryString, token, authorization, sdkDate, headerText, async (verb, url, query, auth, signature, date, projectHeader) => {
      const headers: Record<string, string> = {};
      if (auth !== undefined) headers['x-auth-token'] = auth;
      if (signature !== undefined) headers.authorization = signature;
      if (date !== undefined) headers['x-sdk-date'] = date;
      if (projectHeader) headers['x-project-id'] = projectHeader;
      const answer = await app.inject({ method: verb as 'GET', url: query ? `${url}?${query}` : url, headers });
      checkAnswer(answer, url.startsWith('/v5/') && url.includes('/host-management/hosts'), verb === 'HEAD');
    }),
    { seed: SEED + 1, numRuns: RUNS },
  );
});

const fieldValue = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }));
const hostLike = fc.dictionary(
  fc.oneof(fc.constantFrom('host_name', 'host_id', 'os_type', 'agent_status', 'asset', 'labels', 'outside_host', 'version', 'agent_create_time'), fc.string({ maxLength: 8 })),
  fieldValue,
  { maxKeys: 4 },
);
const body = fc.oneof(fc.jsonValue(), hostLike, fc.array(hostLike, { maxLength: 3 }), fc.record({ total_num: fc.integer(), data_list: fc.anything() }));

t.test('control API bodies: refused ones change nothing', async (t) => {
  const app = fuzzedApp(t);
  const snapshot = async () =>
    JSON.stringify([
      (await app.inject({ url: '/_mock/projects/p/hosts' })).body,
      (await app.inject({ url: '/_mock/faults' })).body,
      (await app.inject({ url: '/v5/p/host-management/hosts?enterprise_project_id=all_granted_eps&limit=200', headers: { 'x-auth-token': 't' } })).body,
    ]);
  const hostId = JSON.parse((await app.inject({ url: '/_mock/projects/p/hosts' })).body)[0].host_id as string;
  const target = fc.constantFrom(
    ['POST', '/_mock/projects/p/hosts'],
    ['PUT', '/_mock/projects/p/hosts'],
    ['PATCH', `/_mock/projects/p/hosts/${hostId}`],
    ['POST', '/_mock/projects/p/generate'],
    ['POST', '/_mock/faults'],
  );
  await fc.assert(
    fc.asyncProperty(target, body, async ([verb, url], payload) => {
      const before = await snapshot();
      const answer = await app.inject({ method: verb as 'POST', url: url!, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
      checkAnswer(answer, false, false);
      if (answer.statusCode >= 400 && (await snapshot()) !== before) throw new Error(`a refused ${verb} ${url} changed the store: ${answer.body}`);
    }),
    { seed: SEED + 2, numRuns: 1500 },
  );
});
