// Realistic, coherent hosts (docs/api.md, section 5), generated with faker from a seed so that a
// run can be repeated exactly. A project's fleet depends only on (seed, project id, count): hosts
// are drawn one after the other from one seeded stream, so host i is the same for any count > i.
import { createHash } from 'node:crypto';
// The base locale only: every faker call used here is locale-independent, and the full package
// takes a quarter of a second to import (every locale), which start-up time cannot afford.
import { faker as baseFaker } from '@faker-js/faker/locale/base';
import { AGENT_STATUSES, EDITIONS, INSTALL_RESULT_CODES, UPGRADE_RESULT_CODES, type Host } from '../contract/schemas.js';

type Edition = (typeof EDITIONS)[number];
type AgentStatus = (typeof AGENT_STATUSES)[number];

interface Group {
  id: string;
  name: string;
}

/** What the hosts of one project share: enterprise projects, server groups, policy groups, tags. */
interface ProjectWorld {
  enterpriseProjects: Group[];
  serverGroups: Group[];
  policyGroups: Map<Edition, Group>;
  tags: string[];
}

const LINUX_IMAGES = [
  'CentOS 7.9 64bit',
  'CentOS 8.2 64bit',
  'Ubuntu 20.04 server 64bit',
  'Ubuntu 22.04 server 64bit',
  'EulerOS 2.5 64bit',
  'Huawei Cloud EulerOS 2.0 Standard 64 bit',
  'Debian 11.1.0 64bit',
  'Rocky Linux 8.6 64bit',
];
const WINDOWS_IMAGES = [
  'Windows Server 2016 Datacenter 64bit English',
  'Windows Server 2019 Datacenter 64bit English',
  'Windows Server 2022 Datacenter 64bit Chinese',
];
const LINUX_ROLES = ['web', 'api', 'db', 'cache', 'mq', 'batch', 'k8s-node', 'jump', 'log', 'nginx', 'redis', 'kafka'];
const WINDOWS_ROLES = ['ad', 'sql', 'iis', 'rdp', 'file', 'exchange'];
const ENVIRONMENTS = ['prod', 'stg', 'dev', 'test'];
const ENTERPRISE_PROJECT_NAMES = ['production', 'finance', 'dev-sandbox', 'data-platform', 'marketing-web'];
const SERVER_GROUP_NAMES = ['web-servers', 'databases', 'middleware', 'bastion', 'big-data'];
const TAGS = ['production', 'staging', 'development', 'web', 'database', 'pci-dss', 'legacy', 'critical', 'k8s', 'backup'];
const AGENT_VERSIONS = ['3.2.7', '3.2.8', '3.2.9', '3.2.10', '3.2.11'];
/** First octets of public (non-reserved) IPv4 ranges, as elastic IPs are. */
const PUBLIC_FIRST_OCTETS = [49, 94, 110, 114, 119, 121, 122, 124, 139, 159, 188, 190];
const EPOCH_START = Date.UTC(2023, 0, 1);
const EPOCH_END = Date.UTC(2026, 5, 30);

/**
 * The first hosts of every generated fleet: together they hold every value of the enums a filter
 * can select, both kinds of `outside_host` and two enterprise projects (docs/api.md, section 5), whatever
 * the seed. Every later host is drawn at random.
 */
function coverage(world: ProjectWorld): Host[] {
  const [defaultProject, otherProject] = world.enterpriseProjects.map((ep) => ep.id);
  const shared = { enterprise_project_id: defaultProject, outside_host: false };
  return [
    { ...shared, agent_status: 'online', host_status: 'ACTIVE', os_type: 'Linux', detect_result: 'risk', protect_status: 'opened', asset_value: 'important' },
    { ...shared, agent_status: 'online', host_status: 'ACTIVE', os_type: 'Windows', detect_result: 'clean', protect_status: 'opened', asset_value: 'common', enterprise_project_id: otherProject },
    { ...shared, agent_status: 'offline', host_status: 'SHUTOFF', os_type: 'Linux', detect_result: 'scanning', protect_status: 'protection_exception', asset_value: 'test', outside_host: true },
    { ...shared, agent_status: 'not_installed', host_status: 'ACTIVE', os_type: 'Windows', asset_value: 'common' },
    { ...shared, agent_status: 'install_failed', host_status: 'ERROR', os_type: 'Linux', asset_value: 'test' },
    { ...shared, agent_status: 'installing', host_status: 'BUILDING', os_type: 'Linux', asset_value: 'common' },
  ];
}

/** Values and their relative weights, prepared once for drawing. */
class Weighted<T> {
  private readonly cumulative: number[] = [];
  private readonly values: T[] = [];

  constructor(entries: readonly (readonly [T, number])[]) {
    let total = 0;
    for (const [value, weight] of entries) {
      total += weight;
      this.values.push(value);
      this.cumulative.push(total);
    }
    this.cumulative = this.cumulative.map((sum) => sum / total);
  }

  pick(random: number): T {
    let i = 0;
    while (random >= this.cumulative[i]!) i++;
    return this.values[i]!;
  }
}

const OS_TYPES = new Weighted([['Linux', 3], ['Windows', 1]] as const);
const HOST_STATES = new Weighted([['ACTIVE', 80], ['SHUTOFF', 12], ['BUILDING', 4], ['ERROR', 4]] as const);
const AGENT_STATES = new Weighted<AgentStatus>([['online', 60], ['offline', 10], ['not_installed', 20], ['install_failed', 5], ['installing', 5]]);
const INSTALLED_AGENT_STATES = new Weighted<AgentStatus>([['online', 5], ['offline', 1]]);
const STOPPED_AGENT_STATES = new Weighted<AgentStatus>([['offline', 3], ['not_installed', 1]]);
const PAID_EDITIONS: [Edition, number][] = [
  ['hss.version.enterprise', 40],
  ['hss.version.premium', 30],
  ['hss.version.basic', 8],
  ['hss.version.advanced', 7],
  ['hss.version.wtp', 5],
  ['hss.version.container.enterprise', 5],
];
const EDITIONS_OF_AGENTS = new Weighted<Edition>([...PAID_EDITIONS, ['hss.version.null', 5]]);
const EDITIONS_OF_PROTECTED = new Weighted<Edition>(PAID_EDITIONS);
const DETECT_RESULTS = new Weighted([['risk', 45], ['clean', 40], ['scanning', 5], ['undetected', 10]] as const);
const UPGRADE_STATES = new Weighted([['not_upgrade', 80], ['upgrade_succeed', 12], ['upgrading', 3], ['upgrade_failed', 5]] as const);
const CHARGING = new Weighted([['on_demand', 7], ['packet_cycle', 3]] as const);
const ASSET_VALUES = new Weighted([['common', 60], ['important', 25], ['test', 15]] as const);
const INSTALL_FAILURES = INSTALL_RESULT_CODES.filter((code) => code !== 'install_succeed');

/**
 * Random draws, all from faker's seeded number generator. Identifiers are built from 32-bit
 * numbers rather than faker's character-by-character helpers: the same randomness, ten times
 * faster, which matters at two million hosts.
 */
class Draw {
  constructor(private readonly faker: Faker) {}

  fraction(): number {
    return this.faker.number.float();
  }

  chance(probability: number): boolean {
    return this.fraction() < probability;
  }

  int(min: number, max: number): number {
    return this.faker.number.int({ min, max });
  }

  pick<T>(values: readonly T[]): T {
    return values[this.faker.number.int(values.length - 1)]!;
  }

  weighted<T>(table: Weighted<T>): T {
    return table.pick(this.fraction());
  }

  /** Lower-case hex digits, 8 for each 32-bit word. */
  hex(words: number): string {
    let text = '';
    for (let i = 0; i < words; i++) text += this.faker.number.int(0xffffffff).toString(16).padStart(8, '0');
    return text;
  }

  /** A version 4 UUID. */
  uuid(): string {
    const h = this.hex(4);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) & 3]}${h.slice(17, 20)}-${h.slice(20)}`;
  }

  /** Up to `max` distinct values, in their order. */
  some<T>(values: readonly T[], max: number): T[] {
    const count = this.int(0, max);
    const chosen = new Set<T>();
    while (chosen.size < count) chosen.add(this.pick(values));
    return values.filter((value) => chosen.has(value));
  }
}

/** Integers derived from (seed, project id, purpose), to seed faker. */
function seedWords(seed: number, projectId: string, purpose: string): number[] {
  const digest = createHash('sha256').update(`${seed}\0${projectId}\0${purpose}`).digest();
  return Array.from({ length: 8 }, (_, i) => digest.readUInt32BE(i * 4));
}

function hasAgent(status: AgentStatus | undefined): boolean {
  return status === 'online' || status === 'offline';
}

/** Fields whose presence says an agent is installed, when `agent_status` itself is not given. */
function impliesAgent(host: Host): boolean {
  return (
    host.agent_id !== undefined ||
    host.agent_version !== undefined ||
    (host.version !== undefined && host.version !== 'hss.version.null') ||
    (host.protect_status !== undefined && host.protect_status !== 'closed') ||
    (host.detect_result !== undefined && host.detect_result !== 'undetected') ||
    riskTotal(host) > 0
  );
}

function riskTotal(host: Host): number {
  return (host.asset ?? 0) + (host.vulnerability ?? 0) + (host.baseline ?? 0) + (host.intrusion ?? 0);
}

type Faker = typeof baseFaker;
const FakerClass = baseFaker.constructor as new (options: { locale: Faker['rawDefinitions'] }) => Faker;

export class HostFactory {
  private readonly faker = new FakerClass({ locale: baseFaker.rawDefinitions });
  private readonly draw = new Draw(this.faker);
  private readonly world: ProjectWorld;

  constructor(
    private readonly seed: number,
    private readonly projectId: string,
  ) {
    this.faker.seed(seedWords(seed, projectId, 'world'));
    this.world = this.makeWorld();
  }

  /** The generated fleet: `count` hosts, the first of them covering every enum value. */
  *generate(count: number): Generator<Host> {
    this.faker.seed(seedWords(this.seed, this.projectId, 'fleet'));
    const firstHosts = coverage(this.world);
    for (let i = 0; i < count; i++) yield this.complete(firstHosts[i] ?? {});
  }

  /**
   * A function that completes partial hosts coherently, keeping every given field. `stream` names
   * the draw (e.g. `fixtures`), so that the same partial hosts are completed the same way every time.
   */
  completer(stream: string): (partial: Host) => Host {
    this.faker.seed(seedWords(this.seed, this.projectId, stream));
    return (partial) => this.complete(partial);
  }

  private makeWorld(): ProjectWorld {
    const draw = this.draw;
    const group = (name: string): Group => ({ id: draw.uuid(), name });
    const pickNames = (names: readonly string[], count: number) => {
      const chosen = new Set<string>();
      while (chosen.size < count) chosen.add(draw.pick(names));
      return [...chosen];
    };
    return {
      enterpriseProjects: [{ id: '0', name: 'default' }, ...pickNames(ENTERPRISE_PROJECT_NAMES, 2).map(group)],
      serverGroups: [group('default'), ...pickNames(SERVER_GROUP_NAMES, 3).map(group)],
      policyGroups: new Map(
        EDITIONS.filter((e) => e !== 'hss.version.null').map((edition) => {
          const short = edition.replace('hss.version.', '').replace('.', '_');
          return [edition, { id: draw.hex(8), name: `default_${short}_policy_group` }];
        }),
      ),
      tags: TAGS,
    };
  }

  private complete(given: Host): Host {
    const draw = this.draw;
    const os_type = given.os_type ?? (given.os_image?.startsWith('Windows') ? 'Windows' : draw.weighted(OS_TYPES));
    const windows = os_type === 'Windows';
    const outside_host = given.outside_host ?? draw.chance(0.08);
    const host_status = given.host_status ?? draw.weighted(HOST_STATES);
    const agent_status: AgentStatus =
      given.agent_status ??
      draw.weighted(impliesAgent(given) ? INSTALLED_AGENT_STATES : host_status === 'SHUTOFF' ? STOPPED_AGENT_STATES : AGENT_STATES);
    const agent = hasAgent(agent_status);
    const protectionGiven = given.protect_status !== undefined && given.protect_status !== 'closed';
    const version: Edition =
      given.version ?? (agent ? draw.weighted(protectionGiven ? EDITIONS_OF_PROTECTED : EDITIONS_OF_AGENTS) : 'hss.version.null');
    const protectedHost = version !== 'hss.version.null';
    const protect_status =
      given.protect_status ?? (!protectedHost ? 'closed' : agent_status === 'offline' && draw.chance(0.2) ? 'protection_exception' : 'opened');
    const detect_result = given.detect_result ?? (riskTotal(given) > 0 ? 'risk' : !agent ? 'undetected' : draw.weighted(DETECT_RESULTS));
    const risky = detect_result === 'risk';
    // At risk means some risk is counted: vulnerabilities, at least, and perhaps others.
    const risk = (min: number, max: number) => (risky ? draw.int(min, max) : 0);

    const enterprise = this.enterpriseProject(given);
    const serverGroup = draw.pick(this.world.serverGroups);
    const policyGroup = protectedHost ? this.world.policyGroups.get(version) : undefined;
    const created = draw.int(EPOCH_START, EPOCH_END);
    const upgrade_status = agent ? draw.weighted(UPGRADE_STATES) : undefined;
    const prefix = outside_host ? 'idc' : windows ? 'win' : 'ecs';
    const number = String(draw.int(1, 99)).padStart(2, '0');
    const privateNetwork = draw.chance(0.5);

    const generated: Host = {
      host_name: `${prefix}-${draw.pick(windows ? WINDOWS_ROLES : LINUX_ROLES)}-${draw.pick(ENVIRONMENTS)}-${number}`,
      host_id: draw.uuid(),
      agent_id: agent ? draw.hex(8) : undefined,
      private_ip: privateNetwork
        ? `10.${draw.int(0, 255)}.${draw.int(0, 255)}.${draw.int(1, 254)}`
        : `192.168.${draw.int(0, 255)}.${draw.int(1, 254)}`,
      public_ip: !outside_host && draw.chance(0.6) ? this.publicIp() : undefined,
      enterprise_project_id: enterprise.id,
      enterprise_project_name: enterprise.name,
      host_status,
      agent_status,
      install_result_code:
        agent_status === 'install_failed' ? draw.pick(INSTALL_FAILURES) : agent && draw.chance(0.3) ? 'install_succeed' : undefined,
      version,
      protect_status,
      os_image: draw.pick(windows ? WINDOWS_IMAGES : LINUX_IMAGES),
      os_type,
      os_bit: '64',
      detect_result,
      charging_mode: draw.weighted(CHARGING),
      resource_id: draw.uuid(),
      outside_host,
      group_id: serverGroup.id,
      group_name: serverGroup.name,
      policy_group_id: policyGroup?.id,
      policy_group_name: policyGroup?.name,
      asset: risk(0, 5),
      vulnerability: risk(1, 120),
      baseline: risk(0, 40),
      intrusion: risk(0, 3),
      asset_value: draw.weighted(ASSET_VALUES),
      labels: draw.some(this.world.tags, 3),
      agent_create_time: agent ? created : undefined,
      agent_update_time: agent ? draw.int(created, EPOCH_END) : undefined,
      agent_version: agent ? draw.pick(AGENT_VERSIONS) : undefined,
      upgrade_status,
      upgrade_result_code: upgrade_status === 'upgrade_failed' ? draw.pick(UPGRADE_RESULT_CODES) : undefined,
      upgradable: agent ? draw.chance(0.3) : undefined,
      expire_time: protectedHost ? -1 : undefined,
    };
    return completed(generated, given);
  }

  private enterpriseProject(given: Host): { id: string; name?: string } {
    const { enterprise_project_id: id, enterprise_project_name: name } = given;
    if (id !== undefined) return { id, name: name ?? this.world.enterpriseProjects.find((ep) => ep.id === id)?.name };
    const [defaultProject, ...others] = this.world.enterpriseProjects;
    return this.draw.chance(0.7) ? defaultProject! : this.draw.pick(others);
  }

  private publicIp(): string {
    const octet = () => this.draw.int(1, 254);
    return `${this.draw.pick(PUBLIC_FIRST_OCTETS)}.${octet()}.${octet()}.${octet()}`;
  }
}

/** The generated fields that are defined (absent fields stay absent in storage and JSON), then the given ones. */
function completed(generated: Host, given: Host): Host {
  const host: Record<string, unknown> = {};
  for (const field in generated) {
    const value = generated[field as keyof Host];
    if (value !== undefined) host[field] = value;
  }
  for (const field in given) host[field] = given[field as keyof Host];
  return host as Host;
}
