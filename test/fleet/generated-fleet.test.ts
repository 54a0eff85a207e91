// Generated fleets: deterministic, isolated per project, realistic and coherent.
import { isIPv4 } from 'node:net';
import t from 'tap';
import { HostFactory } from '../../src/fleet/generator.js';
import type { Host } from '../../src/contract/schemas.js';
import { listHosts, testApp } from '../helpers.js';

const ALL = 'enterprise_project_id=all_granted_eps&limit=200';

function isPrivate(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

function isPublic(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return !isPrivate(ip) && a !== 0 && a !== 127 && a < 224 && !(a === 169 && b === 254) && !(a === 100 && b >= 64 && b <= 127);
}

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
  }
});

t.test('generated hosts are coherent', async (t) => {
  const hosts = [...new HostFactory(5, 'coherence').generate(3000)];
  const problems: string[] = [];
  const expect = (ok: boolean, what: string, host: Host) => {
    if (!ok) problems.push(`${host.host_name}: ${what}`);
  };
  for (const host of hosts) {
    const agent = host.agent_status === 'online' || host.agent_status === 'offline';
    const risks = host.asset! + host.vulnerability! + host.baseline! + host.intrusion!;
    if (!agent) {
      for (const field of ['agent_id', 'agent_version', 'agent_create_time', 'agent_update_time', 'upgrade_status', 'upgradable'] as const) {
        expect(host[field] === undefined, `no agent, yet ${field}`, host);
      }
      expect(host.protect_status === 'closed', 'no agent, yet protected', host);
      expect(host.version === 'hss.version.null', 'no agent, yet an edition', host);
      expect(host.detect_result === 'undetected', 'no agent, yet scanned', host);
      expect(risks === 0, 'no agent, yet risks', host);
    } else {
      expect(/^[0-9a-f]{64}$/.test(host.agent_id!), 'agent id', host);
      expect(/^\d+\.\d+\.\d+$/.test(host.agent_version!), 'agent version', host);
      expect(host.agent_create_time! <= host.agent_update_time!, 'agent updated before it was created', host);
      expect(host.agent_create_time! > Date.UTC(2020, 0, 1) && host.agent_update_time! < Date.UTC(2030, 0, 1), 'timestamps in milliseconds', host);
    }
    expect((host.detect_result === 'risk') === risks > 0, `detect_result ${host.detect_result} with ${risks} risks`, host);
    expect((host.upgrade_result_code !== undefined) === (host.upgrade_status === 'upgrade_failed'), 'upgrade_result_code', host);
    expect((host.version === 'hss.version.null') === (host.protect_status === 'closed'), 'edition and protection', host);
    expect((host.install_result_code !== undefined && host.install_result_code !== 'install_succeed') === (host.agent_status === 'install_failed'), 'install result', host);
    expect(host.os_image!.startsWith('Windows') === (host.os_type === 'Windows'), 'image matches os_type', host);
    expect(isIPv4(host.private_ip!) && isPrivate(host.private_ip!), `private ip ${host.private_ip}`, host);
    expect(host.public_ip === undefined || isPublic(host.public_ip), `public ip ${host.public_ip}`, host);
    expect(host.os_bit === '64', 'os_bit is the string "64"', host);
    expect(/^(ecs|win|idc)-[a-z0-9-]+-\d\d$/.test(host.host_name!), 'an ECS-like name', host);
    expect((host.enterprise_project_id === '0') === (host.enterprise_project_name === 'default'), 'enterprise project name', host);
    expect(host.policy_group_id === undefined || host.version !== 'hss.version.null', 'policy group without protection', host);
  }
  t.same(problems.slice(0, 10), [], 'no incoherent host');
  t.ok(hosts.some((host) => host.public_ip === undefined), 'some hosts have no public address');
  t.ok(hosts.some((host) => host.public_ip !== undefined), 'some hosts have one');
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
  t.equal(complete({ enterprise_project_id: '0' }).enterprise_project_name, 'default');
  const custom = complete({ enterprise_project_id: 'my-ep' });
  t.equal(custom.enterprise_project_id, 'my-ep');
  t.notOk('enterprise_project_name' in custom, 'an unknown enterprise project gets no invented name');
  t.equal(complete({ enterprise_project_id: 'my-ep', enterprise_project_name: 'Mine' }).enterprise_project_name, 'Mine');
});
