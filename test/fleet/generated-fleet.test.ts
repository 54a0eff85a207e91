// Generated fleets: deterministic, isolated per project, realistic and coherent.
import t from 'tap';
import { HostFactory } from '../../src/fleet/generator.js';
import type { Host } from '../../src/contract/schemas.js';
import { listHosts, testApp } from '../helpers.js';

const ALL = 'enterprise_project_id=all_granted_eps&limit=200';

t.test('the same seed serves the same pages; another seed other hosts', async (t) => {
  const first = testApp(t, { seed: 42 });
  const second = testApp(t, { seed: 42 });
  const other = testApp(t, { seed: 43 });
  for (const query of [ALL, 'limit=5&offset=3', 'os_type=Linux&agent_status=online']) {
    t.same((await listHosts(first, query)).body, (await listHosts(second, query)).body, query);
  }
  t.not(JSON.stringify((await listHosts(first, ALL)).body), JSON.stringify((await listHosts(other, ALL)).body));
});

t.test('a host does not depend on the fleet size', async (t) => {
  const small = [...new HostFactory(7, 'p').generate(10)];
  const large = [...new HostFactory(7, 'p').generate(100)];
  t.same(large.slice(0, 10), small);
});

t.test('projects are isolated: each has its own hosts', async (t) => {
  const app = testApp(t);
  const a = await listHosts(app, ALL, undefined, '/v5/project-a/host-management/hosts');
  const b = await listHosts(app, ALL, undefined, '/v5/project-b/host-management/hosts');
  const idsA = new Set(a.body.data_list.map((host) => host.host_id));
  t.equal(a.body.total_num, 50, 'default: 50 hosts a project');
  t.equal(b.body.total_num, 50);
  t.notOk(b.body.data_list.some((host) => idsA.has(host.host_id)), 'no host in both');
  const b1 = await listHosts(app, `${ALL}&host_id=${a.body.data_list[0]!.host_id}`, undefined, '/v5/project-b/host-management/hosts');
  t.equal(b1.body.total_num, 0, "a project cannot find another's host");
});

t.test('--hosts sets the size of every fleet', async (t) => {
  const app = testApp(t, { hosts: 7 });
  t.equal((await listHosts(app, ALL)).body.total_num, 7);
});

t.test('a default fleet of 50 holds every value a filter can select, for any seed', async (t) => {
  for (const seed of [0, 1, 2, 99, 4294967295]) {
    const hosts = [...new HostFactory(seed, `project-${seed}`).generate(50)];
    const values = (field: keyof Host) => new Set(hosts.map((host) => host[field]));
    t.same([...values('agent_status')].sort(), ['install_failed', 'installing', 'not_installed', 'offline', 'online']);
    t.same([...values('host_status')].sort(), ['ACTIVE', 'BUILDING', 'ERROR', 'SHUTOFF']);
    t.same([...values('os_type')].sort(), ['Linux', 'Windows']);
    t.same([...values('detect_result')].sort(), ['clean', 'risk', 'scanning', 'undetected']);
    t.same([...values('protect_status')].sort(), ['closed', 'opened', 'protection_exception']);
    t.same([...values('asset_value')].sort(), ['common', 'important', 'test']);
    t.same([...values('outside_host')].sort(), [false, true]);
    t.ok(values('enterprise_project_id').size >= 2, 'several enterprise projects');
    t.ok(hosts.filter((host) => host.enterprise_project_id === '0').length > 25, 'most hosts in the default one');
    t.ok(values('group_id').size >= 2, 'several server groups');
    // Both values of every boolean filter of today's API.
    const both = (name: string, holds: (host: Host) => boolean) => t.same(new Set(hosts.map(holds)).size, 2, `${name}: true and false`);
    both('has_vul', (host) => (host.vulnerability ?? 0) > 0);
    both('has_baseline', (host) => (host.baseline ?? 0) > 0);
    both('has_intrusion', (host) => (host.intrusion ?? 0) > 0);
    both('agent_upgradable', (host) => host.upgradable === true);
    both('protect_interrupt', (host) => host.protect_interrupt === true);
    both('protect_degradation', (host) => host.protect_degradation === true);
    both('incluster', (host) => host.cluster_id !== undefined);
    both('binding_key', (host) => host.key_name !== undefined);
    t.ok(hosts.some((host) => host.common_login_area_codes !== undefined), 'some hosts have usual login locations');
  }
});

t.test('generated hosts look like a real fleet (their coherence: coherence.test.ts)', async (t) => {
  const hosts = [...new HostFactory(5, 'realistic').generate(3000)];
  const problems: string[] = [];
  const expect = (ok: boolean, what: string, host: Host) => {
    if (!ok) problems.push(`${host.host_name}: ${what}`);
  };
  for (const host of hosts) {
    if (host.agent_status === 'online' || host.agent_status === 'offline') {
      expect(/^[0-9a-f]{64}$/.test(host.agent_id!), 'agent id', host);
      expect(/^\d+\.\d+\.\d+$/.test(host.agent_version!), 'agent version', host);
      expect(host.agent_create_time! > Date.UTC(2020, 0, 1) && host.agent_update_time! < Date.UTC(2030, 0, 1), 'timestamps in milliseconds', host);
      expect(host.kernel_version !== undefined && host.os_version !== undefined, 'the agent reports its OS', host);
    }
    expect(host.os_bit === '64', 'os_bit is the string "64"', host);
    expect(/^(ecs|win|idc)-[a-z0-9-]+-\d\d$/.test(host.host_name!), 'an ECS-like name', host);
    expect((host.enterprise_project_id === '0') === (host.enterprise_project_name === 'default'), 'enterprise project name', host);
    expect(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(host.host_id!), `a UUID ${host.host_id}`, host);
  }
  t.same(problems.slice(0, 10), [], 'no host out of place');
  t.ok(hosts.some((host) => host.public_ip === undefined), 'some hosts have no public address');
  t.ok(hosts.some((host) => host.public_ip !== undefined), 'some hosts have one');
  t.ok(hosts.some((host) => host.host_sources === 'workspace'), 'some hosts come from Workspace');
  t.ok(hosts.some((host) => host.install_progress !== undefined), 'agents being installed say how far they are');
  t.ok(hosts.some((host) => host.auto_open_version !== undefined), 'some cluster nodes had their edition opened automatically');
  t.equal(new Set(hosts.map((host) => host.host_id)).size, hosts.length, 'host ids are unique');
});

t.test('partial hosts are completed coherently with what they give', async (t) => {
  const complete = new HostFactory(11, 'partial').completer('test');
  for (let round = 0; round < 40; round++) {
    const windowsImage = complete({ os_image: 'Windows Server 2019 Datacenter 64bit English' });
    t.equal(windowsImage.os_type, 'Windows', 'os_type follows a given image');
    t.equal(windowsImage.os_image, 'Windows Server 2019 Datacenter 64bit English');
    for (const partial of [{ agent_id: 'a'.repeat(64) }, { vulnerability: 5 }, { protect_status: 'opened' as const }, { version: 'hss.version.premium' as const }]) {
      const host = complete(partial);
      t.match(host, partial, 'given fields kept');
      t.ok(host.agent_status === 'online' || host.agent_status === 'offline', `${Object.keys(partial)[0]} implies an agent`);
    }
    t.not(complete({ protect_status: 'opened' }).version, 'hss.version.null', 'protection implies an edition');
    t.equal(complete({ vulnerability: 5 }).detect_result, 'risk', 'risks imply risk');
    const risky = complete({ detect_result: 'risk' });
    t.ok(risky.vulnerability! > 0, 'risk implies counted vulnerabilities');
    t.ok(['offline', 'not_installed'].includes(complete({ host_status: 'SHUTOFF' }).agent_status!), 'a stopped host has no online agent');
  }
  const custom_image = complete({ os_image: 'Windows Server 2025 Custom Build' });
  t.equal(custom_image.os_type, 'Windows', 'an image of your own names its OS by its first word');
  if (custom_image.agent_status === 'online' || custom_image.agent_status === 'offline') t.equal(custom_image.os_name, 'Windows');
  t.equal(custom_image.kernel_version, undefined, 'and no kernel is invented for it');
  const ubuntu = complete({ os_version: '22.04', agent_status: 'online' });
  t.match(ubuntu, { os_name: 'Ubuntu', os_image: 'Ubuntu 22.04 server 64bit', kernel_version: '5.15.0-126-generic' }, 'an OS version names its image');
  t.equal(complete({ os_name: 'Plan 9' }).os_name, 'Plan 9', 'an OS of your own is kept');
  const node = complete({ cluster_id: 'my-cluster-0001' });
  t.match(node, { cluster_id: 'my-cluster-0001', cluster_name: 'cluster-my-clust', os_type: 'Linux' }, 'a cluster of your own gets a name');
  t.match(complete({ cluster_name: 'mine' }), { cluster_name: 'mine', cluster_id: /^[0-9a-f-]{36}$/ }, 'and an id');
  t.equal(complete({ enterprise_project_id: '0' }).enterprise_project_name, 'default');
  const custom = complete({ enterprise_project_id: 'my-ep' });
  t.equal(custom.enterprise_project_id, 'my-ep');
  t.equal(custom.enterprise_project_name, undefined, 'an unknown enterprise project gets no invented name');
  t.equal(complete({ enterprise_project_id: 'my-ep', enterprise_project_name: 'Mine' }).enterprise_project_name, 'Mine');
});
