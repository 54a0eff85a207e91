// Every filter of the hosts API, against the mixed fleet fixture (fixtures/mixed-fleet.json),
// whose hosts are named for what they are. Expected names are written out, not computed.
import t from 'tap';
import { mixedFleetApp, namesOf } from '../helpers.js';

const ALL = 'enterprise_project_id=all_granted_eps&limit=200';
const IN_DEFAULT_PROJECT = [
  'ecs-web-prod-01',
  'ecs-web-prod-02',
  'win-ad-prod-01',
  'win-sql-stg-01',
  'ecs-batch-dev-01',
  'ecs-jump-prod-01',
  'win-iis-test-01',
  'ecs-api-stg-01',
  'idc-log-prod-01',
];
const IN_PRODUCTION_PROJECT = ['ecs-db-prod-01', 'ecs-k8s-node-01', 'ecs-Cache-PROD-01'];

t.test('enterprise_project_id', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, 'limit=200'), IN_DEFAULT_PROJECT, 'absent: the default enterprise project only');
  t.same(await namesOf(app, 'limit=200&enterprise_project_id=0'), IN_DEFAULT_PROJECT, '0: the default enterprise project');
  t.same(
    await namesOf(app, 'limit=200&enterprise_project_id=6c2f4e7a-3b1d-4c8e-9a5f-2d7b8e1c0f43'),
    IN_PRODUCTION_PROJECT,
    'another id: that enterprise project',
  );
  t.equal((await namesOf(app, ALL)).length, 12, 'all_granted_eps: every enterprise project');
  t.same(await namesOf(app, 'limit=200&enterprise_project_id=no-such-project'), [], 'an unknown one: none');
});

t.test('version, with and without above_version', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&version=hss.version.premium`), ['ecs-web-prod-02', 'ecs-db-prod-01']);
  t.same(await namesOf(app, `${ALL}&version=hss.version.null`), ['ecs-jump-prod-01', 'win-iis-test-01', 'ecs-api-stg-01']);
  t.same(
    await namesOf(app, `${ALL}&version=hss.version.premium&above_version=true`),
    ['ecs-web-prod-02', 'ecs-db-prod-01', 'ecs-batch-dev-01', 'ecs-k8s-node-01'],
    'premium and later: premium, wtp, container.enterprise',
  );
  t.same(await namesOf(app, `${ALL}&version=hss.version.premium&above_version=false`), ['ecs-web-prod-02', 'ecs-db-prod-01']);
  t.equal((await namesOf(app, `${ALL}&above_version=true`)).length, 12, 'above_version without version: no effect');
  t.same(
    await namesOf(app, `${ALL}&version=hss.version.advanced&above_version=true`),
    [
      'ecs-web-prod-01',
      'ecs-web-prod-02',
      'ecs-db-prod-01',
      'win-ad-prod-01',
      'win-sql-stg-01',
      'ecs-batch-dev-01',
      'ecs-k8s-node-01',
      'ecs-Cache-PROD-01',
    ],
    'advanced and later: every edition but null and basic',
  );
});

t.test('agent_status, including not_online and installed', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&agent_status=offline`), ['win-sql-stg-01', 'ecs-batch-dev-01']);
  t.same(await namesOf(app, `${ALL}&agent_status=not_installed`), ['ecs-jump-prod-01']);
  t.same(await namesOf(app, `${ALL}&agent_status=install_failed`), ['win-iis-test-01']);
  t.same(await namesOf(app, `${ALL}&agent_status=installing`), ['ecs-api-stg-01']);
  t.same(await namesOf(app, `${ALL}&agent_status=not_online`), [
    'win-sql-stg-01',
    'ecs-batch-dev-01',
    'ecs-jump-prod-01',
    'win-iis-test-01',
    'ecs-api-stg-01',
  ]);
  t.equal((await namesOf(app, `${ALL}&agent_status=online`)).length, 7);
  t.equal((await namesOf(app, `${ALL}&agent_status=installed`)).length, 11, 'installed: every status but not_installed');
});

t.test('detect_result', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&detect_result=risk`), ['ecs-web-prod-01', 'ecs-db-prod-01', 'win-sql-stg-01']);
  t.same(await namesOf(app, `${ALL}&detect_result=scanning`), ['win-ad-prod-01']);
  t.same(await namesOf(app, `${ALL}&detect_result=undetected`), ['ecs-jump-prod-01', 'win-iis-test-01', 'ecs-api-stg-01']);
  t.equal((await namesOf(app, `${ALL}&detect_result=clean`)).length, 5);
});

t.test('host_name: contains, ignoring case', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&host_name=web`), ['ecs-web-prod-01', 'ecs-web-prod-02']);
  t.same(await namesOf(app, `${ALL}&host_name=cache-prod`), ['ecs-Cache-PROD-01'], 'lower case finds mixed case');
  t.same(await namesOf(app, `${ALL}&host_name=WIN-AD`), ['win-ad-prod-01'], 'upper case finds lower case');
  t.same(await namesOf(app, `${ALL}&host_name=ecs-web-prod-01`), ['ecs-web-prod-01'], 'the whole name');
  t.same(await namesOf(app, `${ALL}&host_name=%25`), [], '% is a literal, not a wildcard');
  t.same(await namesOf(app, `${ALL}&host_name=_`), [], '_ is a literal, not a wildcard');
  t.same(await namesOf(app, `${ALL}&host_name=web'--`), [], 'quotes are literals');
});

t.test('host_id: exact; unknown gives an empty page', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&host_id=00000000-0000-4000-8000-000000000004`), ['win-ad-prod-01']);
  t.same(await namesOf(app, `${ALL}&host_id=00000000-0000-4000-8000-00000000000`), [], 'a prefix is not a match');
});

t.test('host_status', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&host_status=SHUTOFF`), ['win-sql-stg-01']);
  t.same(await namesOf(app, `${ALL}&host_status=ERROR`), ['win-iis-test-01']);
  t.same(await namesOf(app, `${ALL}&host_status=BUILDING`), ['ecs-api-stg-01']);
  t.equal((await namesOf(app, `${ALL}&host_status=ACTIVE`)).length, 9);
});

t.test('os_type', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&os_type=Windows`), ['win-ad-prod-01', 'win-sql-stg-01', 'win-iis-test-01']);
  t.equal((await namesOf(app, `${ALL}&os_type=Linux`)).length, 9);
});

t.test('private_ip, public_ip and ip_addr', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&private_ip=192.168.0.12`), ['ecs-web-prod-02']);
  t.same(await namesOf(app, `${ALL}&private_ip=192.168.0.1`), [], 'exact, not a prefix');
  t.same(await namesOf(app, `${ALL}&public_ip=121.36.10.11`), ['ecs-web-prod-01']);
  t.same(await namesOf(app, `${ALL}&public_ip=192.168.0.12`), [], 'a private address is not a public one');
  t.same(await namesOf(app, `${ALL}&ip_addr=121.36.10.11`), ['ecs-web-prod-01'], 'ip_addr finds a public address');
  t.same(await namesOf(app, `${ALL}&ip_addr=192.168.0.12`), ['ecs-web-prod-02'], 'ip_addr finds a private address');
});

t.test('protect_status', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&protect_status=protection_exception`), ['win-sql-stg-01']);
  t.same(await namesOf(app, `${ALL}&protect_status=closed`), ['ecs-jump-prod-01', 'win-iis-test-01', 'ecs-api-stg-01']);
  t.equal((await namesOf(app, `${ALL}&protect_status=opened`)).length, 8);
});

t.test('group_id, group_name and server_group', async (t) => {
  const app = mixedFleetApp(t);
  const databases = ['ecs-db-prod-01', 'win-sql-stg-01'];
  t.same(await namesOf(app, `${ALL}&group_id=e4a7c1f9-2d3b-4e8a-9c6f-1b5d8e2a7c34`), databases);
  t.same(await namesOf(app, `${ALL}&group_name=databases`), databases);
  t.same(await namesOf(app, `${ALL}&group_name=Databases`), [], 'group_name is exact');
  t.same(await namesOf(app, `${ALL}&server_group=web-servers`), ['ecs-web-prod-01', 'ecs-web-prod-02', 'win-iis-test-01']);
});

t.test('policy_group_id and policy_group_name; empty means no filter', async (t) => {
  const app = mixedFleetApp(t);
  const premium = ['ecs-web-prod-02', 'ecs-db-prod-01'];
  t.same(await namesOf(app, `${ALL}&policy_group_id=d6a4f2b5e0c7d9a1b4f6e8c0a2d5f7b9c1e3a5d7f9b2c4e6a8d0f3b5c7e9a1d4`), premium);
  t.same(await namesOf(app, `${ALL}&policy_group_name=default_premium_policy_group`), premium);
  t.equal((await namesOf(app, `${ALL}&policy_group_id=`)).length, 12);
  t.equal((await namesOf(app, `${ALL}&policy_group_name=`)).length, 12);
});

t.test('charging_mode', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&charging_mode=packet_cycle`), ['ecs-web-prod-02', 'ecs-db-prod-01']);
  t.equal((await namesOf(app, `${ALL}&charging_mode=on_demand`)).length, 10);
});

t.test('outside_host', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&outside_host=true`), ['idc-log-prod-01']);
  t.equal((await namesOf(app, `${ALL}&outside_host=false`)).length, 11);
});

t.test('asset_value', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&asset_value=test`), ['ecs-batch-dev-01', 'win-iis-test-01']);
  t.same(await namesOf(app, `${ALL}&asset_value=important`), ['ecs-web-prod-01', 'ecs-db-prod-01', 'win-ad-prod-01', 'ecs-jump-prod-01']);
});

t.test('label: one of the host tags, exactly', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&label=database`), ['ecs-db-prod-01', 'win-sql-stg-01']);
  t.same(await namesOf(app, `${ALL}&label=legacy`), ['win-iis-test-01', 'idc-log-prod-01']);
  t.same(await namesOf(app, `${ALL}&label=data`), [], 'not a substring');
});

t.test('refresh is accepted and changes nothing', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&refresh=true`), await namesOf(app, ALL));
  t.same(await namesOf(app, `${ALL}&refresh=false`), await namesOf(app, ALL));
});

t.test('filters combine with AND', async (t) => {
  const app = mixedFleetApp(t);
  t.same(await namesOf(app, `${ALL}&os_type=Windows&agent_status=online`), ['win-ad-prod-01']);
  t.same(await namesOf(app, `${ALL}&label=production&detect_result=risk&asset_value=important`), ['ecs-web-prod-01', 'ecs-db-prod-01']);
  t.same(await namesOf(app, `limit=200&label=production&detect_result=risk`), ['ecs-web-prod-01'], 'with the default enterprise project');
  t.same(await namesOf(app, `${ALL}&os_type=Windows&host_name=ecs`), []);
});

t.test("the seed's example request", async (t) => {
  const app = mixedFleetApp(t);
  const names = await namesOf(app, 'limit=10&offset=0&agent_status=online&os_type=Linux&enterprise_project_id=all_granted_eps');
  t.same(names, ['ecs-web-prod-01', 'ecs-web-prod-02', 'ecs-db-prod-01', 'ecs-k8s-node-01', 'idc-log-prod-01', 'ecs-Cache-PROD-01']);
});
