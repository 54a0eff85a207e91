// The coherence rules of docs/api.md (section 5), written here as plain checks, and properties
// (fast-check, fixed seeds) that every generated host and every completed partial host obeys
// them, for many seeds and project ids.
import { isIPv4 } from 'node:net';
import fc from 'fast-check';
import t from 'tap';
import type { Host } from '../../src/contract/schemas.js';
import { HostFactory } from '../../src/fleet/generator.js';

const SEED = 20261201;
const has = (value: unknown) => value !== undefined;

function isPrivate(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

function isPublic(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return !isPrivate(ip) && a !== 0 && a !== 127 && a < 224 && !(a === 169 && b === 254) && !(a === 100 && b >= 64 && b <= 127);
}

const RANSOM_EDITIONS = ['hss.version.premium', 'hss.version.wtp', 'hss.version.container.enterprise'];
/** Fields only a host whose agent has reported (online or offline) carries. */
const REPORTED_ONLY = [
  'agent_id', 'agent_version', 'agent_create_time', 'agent_update_time', 'upgrade_status', 'upgrade_result_code', 'upgradable',
  'os_name', 'os_version', 'kernel_version', 'mode', 'cpu_limit', 'mem_limit', 'two_factor_auth', 'common_login_area_codes',
] as const;

/** Every rule a host breaks, as sentences. */
export function coherenceProblems(host: Host): string[] {
  const problems: string[] = [];
  const rule = (holds: boolean, what: string) => holds || problems.push(what);
  const reported = host.agent_status === 'online' || host.agent_status === 'offline';
  const risks = (host.asset ?? 0) + (host.vulnerability ?? 0) + (host.baseline ?? 0) + (host.intrusion ?? 0);
  if (!reported) {
    for (const field of REPORTED_ONLY) rule(!has(host[field]), `no agent, yet ${field}`);
    rule(host.protect_status === 'closed', 'no agent, yet protected');
    rule(host.version === 'hss.version.null', 'no agent, yet an edition');
    rule(host.detect_result === 'undetected', 'no agent, yet scanned');
    rule(risks === 0, 'no agent, yet risks');
  }
  rule((host.detect_result === 'risk') === risks > 0, `detect_result ${host.detect_result} with ${risks} risks`);
  rule(
    (has(host.install_result_code) && host.install_result_code !== 'install_succeed') === (host.agent_status === 'install_failed'),
    'a failed install result exactly with install_failed',
  );
  rule(host.install_result_code !== 'install_succeed' || reported, 'a successful install without an agent');
  rule(!has(host.agent_update_time) || !has(host.agent_create_time) || host.agent_create_time! <= host.agent_update_time!, 'the agent changed before it was installed');
  rule(has(host.upgrade_result_code) === (host.upgrade_status === 'upgrade_failed'), 'upgrade_result_code exactly with upgrade_failed');
  rule((host.version === 'hss.version.null') === (host.protect_status === 'closed'), 'an edition exactly when protected');
  rule(!has(host.policy_group_id) || host.version !== 'hss.version.null', 'a policy group without protection');
  rule(host.os_image === undefined || host.os_image.startsWith('Windows') === (host.os_type === 'Windows'), 'the image matches os_type');
  rule(host.private_ip === undefined || (isIPv4(host.private_ip) && isPrivate(host.private_ip)), `private ip ${host.private_ip}`);
  rule(host.public_ip === undefined || isPublic(host.public_ip), `public ip ${host.public_ip}`);
  // Protection exceptions: interrupted (the server stopped, or its agent silent) or degraded.
  rule(has(host.interrupt_reason) === (host.protect_interrupt === true), 'interrupt_reason exactly when interrupted');
  rule(has(host.degradation_reason) === (host.protect_degradation === true), 'degradation_reason exactly when degraded');
  rule(!(host.protect_interrupt === true && host.protect_degradation === true), 'never both interrupted and degraded');
  rule(
    (host.protect_status === 'protection_exception') === (host.protect_interrupt === true || host.protect_degradation === true),
    'a protection exception exactly when interrupted or degraded',
  );
  if (host.protect_interrupt === true) rule(host.host_status === 'SHUTOFF' || host.agent_status === 'offline', 'interrupted, yet running with an online agent');
  if (host.protect_degradation === true) rule(host.agent_status === 'online', 'degraded, yet the agent is not online');
  // Where the server is.
  rule((host.host_sources === 'outside') === (host.outside_host === true), "host_sources 'outside' exactly for outside hosts");
  if (host.outside_host === true) rule(!has(host.vpc_id), 'an outside host in a VPC');
  else rule(!has(host.data_center_tag) && !has(host.service_provider_name), 'a cloud host with a data center or provider');
  rule(!has(host.install_progress) || host.agent_status === 'installing', 'install_progress while not installing');
  // Clusters.
  rule(has(host.cluster_id) === has(host.cluster_name), 'cluster_id exactly with cluster_name');
  if (has(host.cluster_id)) {
    rule(host.os_type === 'Linux', 'a Windows cluster node');
    rule(host.container_type === undefined || host.container_type === 1, 'a cluster node without containers');
  }
  rule(!has(host.node_runtime_info) || has(host.cluster_id), 'runtimes on a host outside any cluster');
  rule(!has(host.auto_open_version) || has(host.cluster_id), 'auto_open_version on a host outside any cluster');
  // What the agent reports of the OS names the same OS as the image.
  if (has(host.os_name)) {
    rule((host.os_name === 'Windows') === (host.os_type === 'Windows'), `os_name ${host.os_name} on ${host.os_type}`);
    rule(host.os_image === undefined || host.os_image.startsWith(host.os_name!), `os_name ${host.os_name} with image ${host.os_image}`);
    if (has(host.os_version) && host.os_type === 'Linux') rule(host.os_image === undefined || host.os_image.includes(host.os_version!), `os_version ${host.os_version} with image ${host.os_image}`);
  }
  // Ransomware and web tamper protection come with their editions.
  if (host.ransom_protection_status !== undefined && host.ransom_protection_status !== 'closed') rule(RANSOM_EDITIONS.includes(host.version!), `ransomware protection on ${host.version}`);
  if (host.wtp_protect_status !== undefined && host.wtp_protect_status !== 'closed') rule(host.version === 'hss.version.wtp', `web tamper protection on ${host.version}`);
  if (host.protect_status === 'closed') {
    rule([undefined, 'closed'].includes(host.ransom_protection_status), 'ransomware protection without protection');
    rule([undefined, 'closed'].includes(host.wtp_protect_status), 'web tamper protection without protection');
    rule(!has(host.open_time), 'open_time without protection');
  }
  return problems;
}

const projectId = fc.oneof(fc.constantFrom('p', 'project-a', '0'), fc.string({ minLength: 1, maxLength: 20 }));
const seed = fc.integer({ min: 0, max: 4294967295 });

t.test('every generated host obeys every rule, for any seed and project id', async (t) => {
  await fc.assert(
    fc.property(seed, projectId, (seed, project) => {
      for (const host of new HostFactory(seed, project).generate(80)) {
        const problems = coherenceProblems(host);
        if (problems.length > 0) throw new Error(`${host.host_name}: ${problems.join('; ')}\n${JSON.stringify(host)}`);
      }
    }),
    { seed: SEED, numRuns: 150 },
  );
  t.pass('150 fleets of 80 hosts');
});

t.test('a partial host is completed around what it gives: the given fields kept, every rule obeyed', async (t) => {
  const partial = fc
    .tuple(seed, projectId, fc.nat({ max: 400 }), fc.nat(), fc.nat())
    .map(([seed, project, index, mask, other]) => {
      const source = new HostFactory(seed, project).host(index);
      const fields = Object.entries(source).filter(([, value]) => value !== undefined);
      const given = Object.fromEntries(fields.filter((_, i) => (mask >>> (i % 32)) & 1 && (other >>> ((i * 7) % 32)) & 1)) as Host;
      return { seed, project, given };
    });
  await fc.assert(
    fc.property(partial, ({ seed, project, given }) => {
      const host = new HostFactory(seed, project).completer('property')(structuredClone(given));
      for (const [field, value] of Object.entries(given)) {
        if (JSON.stringify(host[field as keyof Host]) !== JSON.stringify(value)) throw new Error(`${field} not kept: ${JSON.stringify(given)}`);
      }
      const problems = coherenceProblems(host);
      if (problems.length > 0) throw new Error(`${problems.join('; ')}\ngiven ${JSON.stringify(given)}\ngot ${JSON.stringify(host)}`);
    }),
    { seed: SEED, numRuns: 4000 },
  );
  t.pass('4000 partial hosts');
});

t.test('the rules can fail: each catches a host that breaks it', async (t) => {
  const base = new HostFactory(1, 'p').host(0);
  t.same(coherenceProblems(base), [], 'a coherent host');
  const broken: [Partial<Record<keyof Host, unknown>>, RegExp][] = [
    [{ agent_status: 'not_installed' }, /no agent, yet/],
    [{ detect_result: 'clean' }, /detect_result clean with/],
    [{ protect_interrupt: true, interrupt_reason: 'agent_offline' }, /exception exactly when|running with an online agent/],
    [{ host_sources: 'outside' }, /host_sources 'outside'/],
    [{ os_type: 'Windows' }, /image matches|Windows cluster node|os_name/],
    [{ cluster_name: undefined }, /cluster_id exactly with cluster_name/],
    [{ version: 'hss.version.basic', ransom_protection_status: 'opened' }, /ransomware protection on/],
    [{ install_progress: 10 }, /install_progress while not installing/],
    [{ public_ip: '10.0.0.1' }, /public ip/],
  ];
  for (const [change, problem] of broken) t.match(coherenceProblems({ ...base, ...change } as Host).join('; '), problem, JSON.stringify(change));
});
