// Every documented limit of the query and path, transcribed here from the official API page (docs/api.md, section 2)
// (not read from the app's schemas), and what the API answers on each side of it.
import t, { type Test } from 'tap';
import { listHosts, testApp } from '../helpers.js';

const ENUMS: Record<string, string[]> = {
  version: [
    'hss.version.null',
    'hss.version.enterprise',
    'hss.version.premium',
    'hss.version.container.enterprise',
    'hss.version.basic',
    'hss.version.advanced',
    'hss.version.wtp',
  ],
  agent_status: ['not_installed', 'online', 'offline', 'install_failed', 'installing', 'not_online', 'installed'],
  detect_result: ['undetected', 'clean', 'risk', 'scanning'],
  host_status: ['ACTIVE', 'SHUTOFF', 'BUILDING', 'ERROR'],
  os_type: ['Linux', 'Windows'],
  protect_status: ['closed', 'opened', 'protection_exception'],
  charging_mode: ['on_demand', 'packet_cycle'],
  asset_value: ['important', 'common', 'test'],
  sort_key: ['risk_num', 'recent_scan_time'],
  sort_dir: ['asc', 'desc'],
};

/** [minimum, maximum] length of each free-text parameter. */
const LENGTHS: Record<string, [number, number]> = {
  enterprise_project_id: [1, 256],
  host_name: [1, 256],
  host_id: [1, 64],
  private_ip: [1, 128],
  public_ip: [1, 128],
  ip_addr: [1, 128],
  group_id: [1, 64],
  group_name: [1, 64],
  policy_group_id: [0, 128],
  policy_group_name: [0, 256],
  label: [1, 64],
  server_group: [1, 64],
  cluster_id: [1, 64],
  vpc_id: [1, 128],
};

const BOOLEANS = [
  'refresh',
  'above_version',
  'outside_host',
  'has_intrusion',
  'has_vul',
  'has_baseline',
  'agent_upgradable',
  'protect_interrupt',
  'protect_degradation',
  'incluster',
  'binding_key',
  'get_common_login_locations',
  'install_mode',
];
/** Comma-separated batches: [most items, longest item]. */
const LISTS: Record<string, [number, number]> = {
  host_name_list: [60, 64],
  host_id_list: [100, 36],
  private_ip_list: [100, 39],
  public_ip_list: [100, 39],
};
const INTEGERS: Record<string, [number, number]> = { limit: [0, 200], offset: [0, 2000000] };

/** Expects 400 HSS.0001 whose message names the parameter. */
async function rejects(t: Test, app: Parameters<typeof listHosts>[0], query: string, parameter: string, why: RegExp) {
  const { status, body, headers } = await listHosts(app, query);
  t.equal(status, 400, `${query}: 400`);
  t.equal(body.error_code, 'HSS.0001', `${query}: HSS.0001`);
  t.match(body.error_msg, new RegExp(`^Invalid parameter\\. ${parameter}: `), `${query}: names ${parameter}`);
  t.match(body.error_msg, why, `${query}: says why`);
  t.notOk('request_id' in body, 'a service error has no request_id in its body');
  t.match(headers['x-request-id'], /^[0-9a-f]{32}$/);
}

async function accepts(t: Test, app: Parameters<typeof listHosts>[0], query: string) {
  const { status, body } = await listHosts(app, query);
  t.equal(status, 200, `${query}: 200 ${status === 200 ? '' : JSON.stringify(body)}`);
}

for (const [name, values] of Object.entries(ENUMS)) {
  t.test(`${name}: every documented value, and nothing else`, async (t) => {
    const app = testApp(t);
    for (const value of values) await accepts(t, app, `${name}=${value}`);
    await rejects(t, app, `${name}=bogus`, name, /must be one of: /);
    await rejects(t, app, `${name}=${values[0]!.toUpperCase()}x`, name, /must be one of: /);
    await rejects(t, app, `${name}=`, name, /must be one of: /);
  });
}

for (const [name, [min, max]] of Object.entries(LENGTHS)) {
  t.test(`${name}: ${min} to ${max} characters`, async (t) => {
    const app = testApp(t);
    await accepts(t, app, `${name}=${'x'.repeat(max)}`);
    await accepts(t, app, `${name}=${'é'.repeat(max)}`);
    await rejects(t, app, `${name}=${'x'.repeat(max + 1)}`, name, new RegExp(`must be at most ${max} characters`));
    if (min === 1) await rejects(t, app, `${name}=`, name, /must not be empty/);
    else await accepts(t, app, `${name}=`);
  });
}

for (const name of BOOLEANS) {
  t.test(`${name}: true or false`, async (t) => {
    const app = testApp(t);
    await accepts(t, app, `${name}=true`);
    await accepts(t, app, `${name}=false`);
    for (const bad of ['1', '0', 'yes', 'TRUE', '']) await rejects(t, app, `${name}=${bad}`, name, /must be true or false/);
  });
}

for (const [name, [min, max]] of Object.entries(INTEGERS)) {
  t.test(`${name}: an integer from ${min} to ${max}`, async (t) => {
    const app = testApp(t);
    await accepts(t, app, `${name}=${min}`);
    await accepts(t, app, `${name}=${max}`);
    await accepts(t, app, `${name}=%2B${min + 1}`);
    await rejects(t, app, `${name}=${max + 1}`, name, new RegExp(`must be at most ${max}$`));
    await rejects(t, app, `${name}=-1`, name, /must be at least 0$/);
    await rejects(t, app, `${name}=99999999999999999999999`, name, new RegExp(`must be at most ${max}$`));
    for (const bad of ['1.5', '1e2', '0x10', ' 5', '5 ', 'ten', '', 'Infinity', 'NaN']) {
      await rejects(t, app, `${name}=${encodeURIComponent(bad)}`, name, /must be an integer/);
    }
  });
}

t.test('a documented parameter given twice is rejected; an unknown one is ignored', async (t) => {
  const app = testApp(t);
  for (const name of [...Object.keys(ENUMS), ...Object.keys(LENGTHS), ...BOOLEANS, ...Object.keys(INTEGERS), ...Object.keys(LISTS)]) {
    await rejects(t, app, `${name}=a&${name}=a`, name, /must be given only once/);
  }
  const plain = await listHosts(app, '');
  for (const query of ['unknown=1', 'unknown=1&unknown=2', 'Sort_Key=host_name', 'LIMIT=500', 'limit[]=3']) {
    const answer = await listHosts(app, query);
    t.equal(answer.status, 200, `${query}: ignored`);
    t.same(answer.body, plain.body, `${query}: same answer as without it`);
  }
});

t.test('defaults: limit 10, offset 0, the default enterprise project', async (t) => {
  const app = testApp(t, { hosts: 60 });
  const { body } = await listHosts(app, '');
  t.equal(body.data_list.length, 10);
  const explicit = await listHosts(app, 'limit=10&offset=0&enterprise_project_id=0');
  t.same(body, explicit.body);
});

t.test('values are decoded leniently, as form data', async (t) => {
  const app = testApp(t);
  await accepts(t, app, 'host_name=web+prod');
  await accepts(t, app, 'host_name=web%20prod');
  await accepts(t, app, "host_name=a*()!'b");
  await accepts(t, app, 'host_name=%E4%B8%BB%E6%9C%BA');
  await accepts(t, app, 'host_name=100%');
  await accepts(t, app, 'host_name=%zz%');
  await accepts(t, app, 'host_name=%C3%28');
  // Lengths count characters after decoding: 64 three-byte characters are 64, not 576.
  await accepts(t, app, `label=${encodeURIComponent('主'.repeat(64))}`);
  await rejects(t, app, `label=${encodeURIComponent('主'.repeat(65))}`, 'label', /at most 64/);
});

t.test('project_id: 1 to 256 characters', async (t) => {
  const app = testApp(t);
  const at = (id: string) => `/v5/${id}/host-management/hosts`;
  t.equal((await listHosts(app, '', undefined, at('p'.repeat(256)))).status, 200);
  t.equal((await listHosts(app, '', undefined, at(encodeURIComponent('项'.repeat(256))))).status, 200, 'counted in characters');
  const tooLong = await listHosts(app, '', undefined, at('p'.repeat(257)));
  t.equal(tooLong.status, 400);
  t.equal(tooLong.body.error_code, 'HSS.0001');
  t.match(tooLong.body.error_msg, /^Invalid parameter\. project_id: must be at most 256 characters$/);
  const empty = await listHosts(app, '', undefined, at(''));
  t.equal(empty.status, 400);
  t.match(empty.body.error_msg, /^Invalid parameter\. project_id: must not be empty$/);
});

t.test('order of checks: an unauthenticated bad request is a 401, an unknown path a 404', async (t) => {
  const app = testApp(t);
  const noToken = await listHosts(app, 'limit=999', {});
  t.equal(noToken.status, 401);
  const unknown = await listHosts(app, 'limit=999', {}, '/v5/p/host-management/nope');
  t.equal(unknown.status, 404);
});

t.test('the answer has exactly the documented fields', async (t) => {
  const app = testApp(t, { hosts: 50 });
  const { body } = await listHosts(app, 'enterprise_project_id=all_granted_eps&limit=200');
  t.same(Object.keys(body), ['total_num', 'data_list']);
  const documented = new Set(
    `host_name host_id agent_id private_ip public_ip enterprise_project_id enterprise_project_name host_status
     agent_status install_result_code version protect_status os_image os_type os_bit detect_result charging_mode
     resource_id outside_host group_id group_name policy_group_id policy_group_name asset vulnerability baseline
     intrusion asset_value labels agent_create_time agent_update_time agent_version upgrade_status
     upgrade_result_code upgradable expire_time
     os_name os_version kernel_version open_time protect_interrupt interrupt_reason protect_degradation
     degradation_reason host_sources key_name auto_open_version install_progress vpc_id cluster_id cluster_name
     container_type ransom_protection_status wtp_protect_status two_factor_auth data_center_tag
     service_provider_name mode cpu_limit mem_limit`.split(/\s+/),
  );
  const undocumented = body.data_list.flatMap((host) => Object.keys(host).filter((field) => !documented.has(field)));
  t.same(undocumented, [], 'no field beyond the documented ones');
  const withLogins = (await listHosts(app, 'enterprise_project_id=all_granted_eps&limit=200&get_common_login_locations=true')).body.data_list;
  t.ok(withLogins.some((host) => host.common_login_area_codes !== undefined), 'get_common_login_locations=true: some hosts carry their usual login locations');
  const nodes = (await listHosts(app, 'enterprise_project_id=all_granted_eps&limit=200&incluster=true')).body.data_list;
  const reported = (host: (typeof nodes)[number]) => host.agent_status === 'online' || host.agent_status === 'offline';
  t.ok(nodes.some((host) => host.node_runtime_info !== undefined), 'incluster given: cluster nodes carry their runtimes');
  t.ok(nodes.every((host) => (host.node_runtime_info !== undefined) === reported(host)), 'every node whose agent has reported them');
  t.notOk(body.data_list.some((host) => host.common_login_area_codes !== undefined || host.node_runtime_info !== undefined), 'otherwise no host does');
});

for (const [name, [items, length]] of Object.entries(LISTS)) {
  t.test(`${name}: 1 to ${items} comma-separated items of 1 to ${length} characters, never trimmed`, async (t) => {
    const app = testApp(t);
    const item = (i: number, size = Math.min(length, 8)) => `${i}`.padStart(size, 'x');
    await accepts(t, app, `${name}=${item(1)}`);
    await accepts(t, app, `${name}=${Array.from({ length: items }, (_, i) => item(i)).join(',')}`);
    await accepts(t, app, `${name}=${item(1, length)}`);
    await accepts(t, app, `${name}=${encodeURIComponent(' a ,b ')}`);
    await rejects(t, app, `${name}=${Array.from({ length: items + 1 }, (_, i) => item(i)).join(',')}`, name, new RegExp(`at most ${items} comma-separated items \\(got ${items + 1}\\)`));
    await rejects(t, app, `${name}=${item(1, length + 1)}`, name, new RegExp(`item 1 must be 1 to ${length} characters`));
    for (const [list, position] of [[',a', 1], ['a,', 2], ['a,,b', 2]] as const) {
      await rejects(t, app, `${name}=${list}`, name, new RegExp(`item ${position} must be 1 to ${length} characters`));
    }
    await rejects(t, app, `${name}=`, name, /item 1 must be/);
  });
}
