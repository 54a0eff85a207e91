// The parameters today's SDKs send (docs/api.md, section 2), each against a brute-force filter
// written here over the same hosts: both values of every boolean, batches at and over their
// limits, combined with the older filters; and sorted walks, page by page, in both directions.
import t, { type Test } from 'tap';
import type { Host } from '../../src/contract/schemas.js';
import { listHosts, testApp, type App } from '../helpers.js';

const PATH = '/v5/p/host-management/hosts';
const ALL = 'enterprise_project_id=all_granted_eps';

/** A generated fleet, plus hosts that leave fields out (a saved answer, stored verbatim). */
async function fleet(t: Test): Promise<{ app: App; hosts: Host[] }> {
  const app = testApp(t, { hosts: 400, seed: 3 });
  const sparse: Host[] = [
    { host_id: 'bare-1', host_name: 'Bare-One', enterprise_project_id: '0' },
    { host_id: 'bare-2', host_name: 'bare-two', enterprise_project_id: '0', upgradable: false, protect_interrupt: false, vulnerability: 0 },
    { host_id: 'bare-3', host_name: 'bare,three', enterprise_project_id: '0', cluster_id: 'c-x', cluster_name: 'x', key_name: 'k', vpc_id: 'v-x' },
  ];
  const added = await app.inject({ method: 'POST', url: '/_mock/projects/p/hosts', payload: { total_num: 3, data_list: sparse } });
  t.equal(added.statusCode, 201);
  const hosts = (await app.inject({ url: '/_mock/projects/p/hosts' })).json() as Host[];
  return { app, hosts };
}

async function idsOf(app: App, query: string): Promise<{ total: number; ids: string[] }> {
  const { status, body } = await listHosts(app, `${ALL}&limit=200&${query}`, undefined, PATH);
  if (status !== 200) throw new Error(`${query}: ${status} ${JSON.stringify(body)}`);
  const ids = body.data_list.map((host) => host.host_id!);
  for (let offset = 200; offset < body.total_num; offset += 200) {
    const page = await listHosts(app, `${ALL}&limit=200&offset=${offset}&${query}`, undefined, PATH);
    ids.push(...page.body.data_list.map((host) => host.host_id!));
  }
  return { total: body.total_num, ids };
}

/** The brute-force rule of each boolean filter, from docs/api.md: an absent count is 0, an absent flag false. */
const BOOLEAN_RULES: Record<string, (host: Host) => boolean> = {
  has_vul: (host) => (host.vulnerability ?? 0) > 0,
  has_baseline: (host) => (host.baseline ?? 0) > 0,
  has_intrusion: (host) => (host.intrusion ?? 0) > 0,
  agent_upgradable: (host) => host.upgradable === true,
  protect_interrupt: (host) => host.protect_interrupt === true,
  protect_degradation: (host) => host.protect_degradation === true,
  incluster: (host) => host.cluster_id !== undefined,
  binding_key: (host) => host.key_name !== undefined,
};

t.test('every boolean filter, both values, alone and with older filters', async (t) => {
  const { app, hosts } = await fleet(t);
  for (const [name, rule] of Object.entries(BOOLEAN_RULES)) {
    for (const value of [true, false]) {
      const expected = hosts.filter((host) => rule(host) === value).map((host) => host.host_id);
      const { total, ids } = await idsOf(app, `${name}=${value}`);
      t.same(ids, expected, `${name}=${value}: ${expected.length} hosts`);
      t.equal(total, expected.length);
      t.ok(expected.length > 0, `${name}=${value} selects some hosts of this fleet`);
      const linux = hosts.filter((host) => rule(host) === value && host.os_type === 'Linux' && host.agent_status !== 'online');
      t.same((await idsOf(app, `${name}=${value}&os_type=Linux&agent_status=not_online`)).ids, linux.map((host) => host.host_id), `${name}=${value} AND older filters`);
    }
  }
  const both = hosts.filter((host) => BOOLEAN_RULES.has_vul!(host) && !BOOLEAN_RULES.incluster!(host) && BOOLEAN_RULES.binding_key!(host));
  t.same((await idsOf(app, 'has_vul=true&incluster=false&binding_key=true')).ids, both.map((host) => host.host_id), 'several together');
});

t.test('cluster_id and vpc_id: exact', async (t) => {
  const { app, hosts } = await fleet(t);
  for (const field of ['cluster_id', 'vpc_id'] as const) {
    const values = [...new Set(hosts.map((host) => host[field]).filter((value) => value !== undefined))] as string[];
    t.ok(values.length >= 2, `several ${field}s`);
    for (const value of values) t.same((await idsOf(app, `${field}=${encodeURIComponent(value)}`)).ids, hosts.filter((host) => host[field] === value).map((host) => host.host_id), `${field}=${value}`);
    t.same((await idsOf(app, `${field}=${encodeURIComponent(values[0]!.toUpperCase())}`)).ids, [], `${field}: case matters`);
    t.same((await idsOf(app, `${field}=${encodeURIComponent(values[0]!.slice(0, 8))}`)).ids, [], `${field}: a part is not a match`);
  }
});

t.test('the batch parameters: one of the items, exactly; AND with the single-value filter of the field', async (t) => {
  const { app, hosts } = await fleet(t);
  const lists = { host_name_list: 'host_name', host_id_list: 'host_id', private_ip_list: 'private_ip', public_ip_list: 'public_ip' } as const;
  const limits = { host_name_list: 60, host_id_list: 100, private_ip_list: 100, public_ip_list: 100 };
  for (const [parameter, field] of Object.entries(lists) as [keyof typeof lists, (typeof lists)[keyof typeof lists]][]) {
    const values = [...new Set(hosts.map((host) => host[field]).filter((value): value is string => value !== undefined && !value.includes(',')))];
    const items = values.slice(0, limits[parameter]);
    const expected = hosts.filter((host) => items.includes(host[field]!)).map((host) => host.host_id);
    t.same((await idsOf(app, `${parameter}=${items.map(encodeURIComponent).join(',')}`)).ids, expected, `${parameter} at its limit of ${items.length} items`);
    const over = await listHosts(app, `${parameter}=${[...items, ...Array(limits[parameter] + 1 - items.length).fill('x')].map(encodeURIComponent).join(',')}`, undefined, PATH);
    t.equal(over.status, 400, `${parameter} over its limit: 400`);
    const withUnknown = `${items[0]},no-such-value`;
    t.same((await idsOf(app, `${parameter}=${encodeURIComponent(withUnknown).replace('%2C', ',')}`)).ids, hosts.filter((host) => host[field] === items[0]).map((host) => host.host_id), 'unknown items match nothing');
  }
  const names = ['Bare-One', 'bare-two', 'ecs-never'];
  t.same((await idsOf(app, `host_name_list=${names.join(',')}`)).ids, ['bare-1', 'bare-2'], 'names: exact and case-sensitive');
  t.same((await idsOf(app, 'host_name_list=bare-one')).ids, [], 'bare-one is not Bare-One');
  t.same((await idsOf(app, `host_name_list=${names.join(',')}&host_name=two`)).ids, ['bare-2'], 'AND with host_name (contains)');
  t.same((await idsOf(app, 'host_id_list=bare-1,bare-3&host_id=bare-3')).ids, ['bare-3'], 'AND with host_id');
  t.same((await idsOf(app, `host_name_list=${encodeURIComponent(' bare-two')}`)).ids, [], 'items are not trimmed');
});

t.test('install_mode filters nothing; get_common_login_locations shapes the answer only', async (t) => {
  const { app, hosts } = await fleet(t);
  const every = hosts.map((host) => host.host_id);
  for (const query of ['install_mode=true', 'install_mode=false', 'get_common_login_locations=true', 'get_common_login_locations=false', 'sort_dir=asc']) {
    t.same((await idsOf(app, query)).ids, every, `${query}: every host, in order`);
  }
});

t.test('sorted walks (limit 20, offset += page) in both directions: the order holds across pages, every match once', async (t) => {
  const { app, hosts } = await fleet(t);
  const riskNum = (host: Host) => (host.asset ?? 0) + (host.vulnerability ?? 0) + (host.baseline ?? 0) + (host.intrusion ?? 0);
  const scanTime = (host: Host) => host.agent_update_time ?? 0;
  const cases: [string, (host: Host) => number, string, ((host: Host) => boolean)?][] = [
    ['risk_num', riskNum, ''],
    ['recent_scan_time', scanTime, ''],
    ['risk_num', riskNum, '&os_type=Linux&has_vul=true', (host) => host.os_type === 'Linux' && (host.vulnerability ?? 0) > 0],
  ];
  for (const [key, value, filter, holds = () => true] of cases) {
    for (const direction of ['asc', 'desc', undefined]) {
      const sign = direction === 'asc' ? 1 : -1;
      // Array.prototype.sort is stable: ties keep the API order, as the contract says.
      const expected = hosts.filter(holds).sort((a, b) => sign * (value(a) - value(b))).map((host) => host.host_id);
      const walked: string[] = [];
      for (let offset = 0; ; ) {
        const query = `${ALL}&sort_key=${key}${direction ? `&sort_dir=${direction}` : ''}${filter}&limit=20&offset=${offset}`;
        const { body } = await listHosts(app, query, undefined, PATH);
        if (body.data_list.length === 0) break;
        walked.push(...body.data_list.map((host) => host.host_id!));
        offset += body.data_list.length;
      }
      t.same(walked, expected, `${key} ${direction ?? '(desc by default)'}${filter}: ${expected.length} hosts, in order, once each`);
    }
  }
  t.ok(new Set(hosts.map(riskNum)).size < hosts.length, 'there are ties to break');
});

t.test('sorted pages asked in any order, of any size: each is its slice of the whole order', async (t) => {
  const { app, hosts } = await fleet(t);
  const riskNum = (host: Host) => (host.asset ?? 0) + (host.vulnerability ?? 0) + (host.baseline ?? 0) + (host.intrusion ?? 0);
  const scanTime = (host: Host) => host.agent_update_time ?? 0;
  // Jumps forward and back, so that pages start past remembered positions by a few rows, by more
  // than a run of equal keys, and inside runs.
  const pages = [[0, 7], [30, 25], [3, 50], [200, 13], [90, 1], [91, 40], [399, 20], [150, 100], [5, 200]] as const;
  for (const [key, value] of [['risk_num', riskNum], ['recent_scan_time', scanTime]] as const) {
    for (const direction of ['asc', 'desc']) {
      const sign = direction === 'asc' ? 1 : -1;
      const expected = [...hosts].sort((a, b) => sign * (value(a) - value(b))).map((host) => host.host_id);
      for (const [offset, limit] of pages) {
        const { body } = await listHosts(app, `${ALL}&sort_key=${key}&sort_dir=${direction}&limit=${limit}&offset=${offset}`, undefined, PATH);
        t.same(
          body.data_list.map((host) => host.host_id),
          expected.slice(offset, offset + limit),
          `${key} ${direction}, offset ${offset}, limit ${limit}`,
        );
      }
    }
  }
});
