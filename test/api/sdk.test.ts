// The official Node.js SDK (@huaweicloud/huaweicloud-sdk-core) against the emulator on a real
// socket: it signs with AK/SK, and must see answers and errors exactly as HSS gives them.
import { createRequire } from 'node:module';
import t from 'tap';
import { buildApp } from '../../src/http/app.js';
import { DEVELOPMENT_KEY } from '../../src/auth/auth.js';

const require = createRequire(import.meta.url);
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core') as typeof import('@huaweicloud/huaweicloud-sdk-core');
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder') as typeof import('@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js');
// The SDK logs every error response to stdout; the tests look at the exceptions instead.
require('@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger').Logger4jInstance.level = 'off';

const AK = 'SDKTESTACCESSKEY0001';
const SK = 'sdk-test-secret-key-00000000000000000001';
const PROJECT = '0b6f3d2e8a414f7cb2e95c1d7a3e9f60';

interface HostsAnswer {
  total_num: number;
  data_list: { host_name: string; host_id: string; os_type: string; labels: string[] }[];
}

interface SdkError {
  httpStatusCode: number;
  errorCode: string;
  errorMsg: string;
  requestId: string;
}

const app = buildApp({ credentials: [{ accessKey: AK, secretKey: SK, projects: [] }], hosts: 40 });
t.teardown(() => app.close());
const endpoint = await app.listen({ port: 0, host: '127.0.0.1' });

function client({ ak = AK, sk = SK, securityToken }: { ak?: string; sk?: string; securityToken?: string } = {}) {
  const credentials = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(PROJECT);
  if (securityToken) credentials.withSecurityToken(securityToken);
  return new ClientBuilder((hcClient: unknown) => hcClient).withCredential(credentials).withEndpoint(endpoint).build() as {
    sendRequest(options: object): Promise<HostsAnswer & { httpStatusCode: number }>;
  };
}

function listHosts(sdk: ReturnType<typeof client>, queryParams: Record<string, unknown>, headers: Record<string, string> = {}) {
  return sdk.sendRequest({
    method: 'GET',
    url: '/v5/{project_id}/host-management/hosts',
    contentType: 'application/json',
    queryParams,
    pathParams: {},
    headers: { region: 'cn-north-4', ...headers },
  });
}

async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the SDK to raise');
}

t.test('lists hosts with filters, as HSS answers', async (t) => {
  const sdk = client();
  const all = await listHosts(sdk, { enterprise_project_id: 'all_granted_eps', limit: 200 });
  t.equal(all.httpStatusCode, 200);
  t.equal(all.total_num, 40);
  t.equal(all.data_list.length, 40);
  const linux = await listHosts(sdk, { enterprise_project_id: 'all_granted_eps', os_type: 'Linux', limit: 5, offset: 1 });
  t.ok(linux.data_list.every((host) => host.os_type === 'Linux'));
  t.equal(linux.total_num, all.data_list.filter((host) => host.os_type === 'Linux').length);
});

t.test("today's parameters: booleans, batches and sorting, sent by the SDK; today's fields read back", async (t) => {
  const sdk = client();
  type Current = { host_id: string; vulnerability?: number; cluster_id?: string; node_runtime_info?: unknown[]; common_login_area_codes?: number[]; os_name?: string; host_sources?: string; asset?: number; baseline?: number; intrusion?: number };
  const everything = (await listHosts(sdk, { enterprise_project_id: 'all_granted_eps', limit: 200, get_common_login_locations: true })).data_list as unknown as Current[];
  const withVul = await listHosts(sdk, { enterprise_project_id: 'all_granted_eps', limit: 200, has_vul: true, incluster: true });
  const expected = everything.filter((host) => (host.vulnerability ?? 0) > 0 && host.cluster_id !== undefined);
  t.same(withVul.data_list.map((host) => host.host_id), expected.map((host) => host.host_id), 'booleans sent as true/false');
  t.ok((withVul.data_list as unknown as Current[]).some((host) => Array.isArray(host.node_runtime_info)), 'incluster: node_runtime_info read back');
  t.ok(everything.some((host) => Array.isArray(host.common_login_area_codes)), 'get_common_login_locations: common_login_area_codes read back');
  t.ok(everything.every((host) => typeof host.host_sources === 'string'), 'host_sources on every host');
  const ids = everything.slice(0, 3).map((host) => host.host_id);
  const batch = await listHosts(sdk, { enterprise_project_id: 'all_granted_eps', host_id_list: ids.join(',') });
  t.same(batch.data_list.map((host) => host.host_id), ids, 'a comma-separated batch');
  const risk = (host: Current) => (host.asset ?? 0) + (host.vulnerability ?? 0) + (host.baseline ?? 0) + (host.intrusion ?? 0);
  const sorted = (await listHosts(sdk, { enterprise_project_id: 'all_granted_eps', limit: 200, sort_key: 'risk_num', sort_dir: 'desc' })).data_list as unknown as Current[];
  t.same(sorted.map(risk), everything.map(risk).sort((a, b) => b - a), 'sorted by risk_num, descending');
  const error = await sdkError(listHosts(sdk, { has_vul: 'yes' }));
  t.match(error, { httpStatusCode: 400, errorCode: 'HSS.0001', errorMsg: 'Invalid parameter. has_vul: must be true or false' });
});

t.test("values with spaces, *()!' and non-ASCII characters", async (t) => {
  const admin = (method: string, payload?: unknown) =>
    app.inject({ method: method as 'PUT', url: `/_mock/projects/${PROJECT}/hosts`, payload: payload as object });
  const before = (await admin('GET')).json();
  await admin('PUT', [
    { host_name: "web (prod)*! it's", labels: ['生产 环境'], enterprise_project_id: '0' },
    { host_name: 'other', labels: ['x'], enterprise_project_id: '0' },
  ]);
  t.teardown(() => admin('PUT', { total_num: before.length, data_list: before }));
  const sdk = client();
  const byName = await listHosts(sdk, { host_name: "(prod)*! it's" });
  t.same(byName.data_list.map((host) => host.host_name), ["web (prod)*! it's"]);
  const byLabel = await listHosts(sdk, { label: '生产 环境' });
  t.same(byLabel.data_list.map((host) => host.host_name), ["web (prod)*! it's"]);
});

t.test('temporary credentials (X-Security-Token)', async (t) => {
  const answer = await listHosts(client({ securityToken: 'temporary-security-token' }), { limit: 1 });
  t.equal(answer.httpStatusCode, 200);
});

t.test('a wrong secret key: the SDK raises 401 APIGW.0301 with the request id', async (t) => {
  const error = await sdkError(listHosts(client({ sk: 'not-the-secret-key' }), { limit: 1 }));
  t.equal(error.httpStatusCode, 401);
  t.equal(error.errorCode, 'APIGW.0301');
  t.equal(error.errorMsg, 'Incorrect IAM authentication information: verify aksk signature fail');
  t.match(error.requestId, /^[0-9a-f]{32}$/);
  const { requests } = (await app.inject({ url: `/_mock/requests?status=401` })).json();
  t.equal(requests.at(-1).request_id, error.requestId, 'the same id as the journal');
});

t.test('an unknown access key', async (t) => {
  const error = await sdkError(listHosts(client({ ak: 'UNKNOWNACCESSKEY0000' }), { limit: 1 }));
  t.equal(error.httpStatusCode, 401);
  t.equal(error.errorMsg, 'Incorrect IAM authentication information: Get secretKey failed,ak:******,err:ak not exist');
});

t.test('an invalid parameter: 400 HSS.0001 surfaced through the SDK', async (t) => {
  const error = await sdkError(listHosts(client(), { limit: 500 }));
  t.equal(error.httpStatusCode, 400);
  t.equal(error.errorCode, 'HSS.0001');
  t.equal(error.errorMsg, 'Invalid parameter. limit: must be at most 200');
  t.match(error.requestId, /^[0-9a-f]{32}$/);
});

t.test('the development pair, when no pair is configured', async (t) => {
  const devApp = buildApp();
  t.teardown(() => devApp.close());
  const devEndpoint = await devApp.listen({ port: 0, host: '127.0.0.1' });
  const credentials = new BasicCredentials().withAk(DEVELOPMENT_KEY.accessKey).withSk(DEVELOPMENT_KEY.secretKey).withProjectId('any-project');
  const sdk = new ClientBuilder((hcClient: unknown) => hcClient).withCredential(credentials).withEndpoint(devEndpoint).build() as ReturnType<typeof client>;
  t.equal((await listHosts(sdk, {})).total_num > 0, true);
});

t.test('throttling (429 APIGW.0308) surfaces through the SDK with its code', async (t) => {
  const error = await sdkError(listHosts(client(), { limit: 1 }, { 'X-Mock-Fault': '429' }));
  t.equal(error.httpStatusCode, 429);
  t.equal(error.errorCode, 'APIGW.0308');
  t.match(error.errorMsg, /^The throttling threshold has been reached: policy user over ratelimit,limit:\d+,time:1 second$/);
  t.match(error.requestId, /^[0-9a-f]{32}$/);
  const throttledApp = buildApp({ credentials: [{ accessKey: AK, secretKey: SK }], rateLimit: 1 });
  t.teardown(() => throttledApp.close());
  const throttledEndpoint = await throttledApp.listen({ port: 0, host: '127.0.0.1' });
  const credentials = new BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT);
  const sdk = new ClientBuilder((hcClient: unknown) => hcClient).withCredential(credentials).withEndpoint(throttledEndpoint).build() as ReturnType<typeof client>;
  const results = await Promise.allSettled([listHosts(sdk, {}), listHosts(sdk, {})]);
  const rejected = results.filter((result) => result.status === 'rejected') as PromiseRejectedResult[];
  t.equal(rejected.length, 1, 'one of two requests in the same second is throttled by --rate-limit 1');
  t.equal((rejected[0]!.reason as SdkError).errorMsg, 'The throttling threshold has been reached: policy user over ratelimit,limit:1,time:1 second');
});
