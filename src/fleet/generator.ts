// Realistic, coherent hosts (docs/api.md, section 5), generated with faker from a seed so that a
// run can be repeated exactly. Host i of a project's fleet depends only on (seed, project id, i):
// each host has a seed of its own, so any host can be made again alone, in any order, without
// the hosts before it. That is what lets the store keep a generated fleet's filter columns only,
// and make the hosts of a page when it serves them.
import { createHash } from 'node:crypto';
// The base locale only: every faker call used here is locale-independent, and the full package
// takes a quarter of a second to import (every locale), which start-up time cannot afford.
import { faker as baseFaker } from '@faker-js/faker/locale/base';
import {
  AGENT_STATUSES,
  EDITIONS,
  INSTALL_RESULT_CODES,
  RANSOM_PROTECTION_STATUSES,
  UPGRADE_RESULT_CODES,
  WTP_PROTECT_STATUSES,
  type Host,
} from '../contract/schemas.js';

type Edition = (typeof EDITIONS)[number];
type AgentStatus = (typeof AGENT_STATUSES)[number];

interface Group {
  id: string;
  name: string;
}

/** What the hosts of one project share: enterprise projects, groups, networks, clusters, key pairs, tags. */
interface ProjectWorld {
  enterpriseProjects: Group[];
  serverGroups: Group[];
  policyGroups: Map<Edition, Group>;
  vpcs: string[];
  clusters: Group[];
  keyPairs: string[];
}

/** An image and the OS an agent reports for it (version and kernel unknown for an image given by a user). */
interface Image {
  image: string;
  os: string;
  version?: string;
  kernel?: string;
}

const LINUX_IMAGES: Image[] = [
  { image: 'CentOS 7.9 64bit', os: 'CentOS', version: '7.9', kernel: '3.10.0-1160.119.1.el7.x86_64' },
  { image: 'CentOS 8.2 64bit', os: 'CentOS', version: '8.2', kernel: '4.18.0-193.28.1.el8_2.x86_64' },
  { image: 'Ubuntu 20.04 server 64bit', os: 'Ubuntu', version: '20.04', kernel: '5.4.0-200-generic' },
  { image: 'Ubuntu 22.04 server 64bit', os: 'Ubuntu', version: '22.04', kernel: '5.15.0-126-generic' },
  { image: 'EulerOS 2.5 64bit', os: 'EulerOS', version: '2.5', kernel: '3.10.0-862.14.1.5.h687.eulerosv2r7.x86_64' },
  { image: 'Huawei Cloud EulerOS 2.0 Standard 64 bit', os: 'Huawei Cloud EulerOS', version: '2.0', kernel: '5.10.0-60.18.0.50.r865_35.hce2.x86_64' },
  { image: 'Debian 11.1.0 64bit', os: 'Debian', version: '11.1', kernel: '5.10.0-33-amd64' },
  { image: 'Rocky Linux 8.6 64bit', os: 'Rocky Linux', version: '8.6', kernel: '4.18.0-372.9.1.el8.x86_64' },
];
const WINDOWS_IMAGES: Image[] = [
  { image: 'Windows Server 2016 Datacenter 64bit English', os: 'Windows', version: 'Server 2016 Datacenter', kernel: '10.0.14393' },
  { image: 'Windows Server 2019 Datacenter 64bit English', os: 'Windows', version: 'Server 2019 Datacenter', kernel: '10.0.17763' },
  { image: 'Windows Server 2022 Datacenter 64bit Chinese', os: 'Windows', version: 'Server 2022 Datacenter', kernel: '10.0.20348' },
];
const IMAGES = [...LINUX_IMAGES, ...WINDOWS_IMAGES];
const LINUX_ROLES = ['web', 'api', 'db', 'cache', 'mq', 'batch', 'k8s-node', 'jump', 'log', 'nginx', 'redis', 'kafka'];
const WINDOWS_ROLES = ['ad', 'sql', 'iis', 'rdp', 'file', 'exchange'];
const ENVIRONMENTS = ['prod', 'stg', 'dev', 'test'];
const ENTERPRISE_PROJECT_NAMES = ['production', 'finance', 'dev-sandbox', 'data-platform', 'marketing-web'];
const SERVER_GROUP_NAMES = ['web-servers', 'databases', 'middleware', 'bastion', 'big-data'];
const CLUSTER_NAMES = ['cce-prod', 'cce-staging', 'cce-data', 'cce-ai'];
const TAGS = ['production', 'staging', 'development', 'web', 'database', 'pci-dss', 'legacy', 'critical', 'k8s', 'backup'];
const AGENT_VERSIONS = ['3.2.7', '3.2.8', '3.2.9', '3.2.10', '3.2.11'];
const DATA_CENTERS = ['idc-shanghai-01', 'idc-beijing-02', 'idc-guangzhou-01', 'colo-frankfurt-03'];
const SERVICE_PROVIDERS = ['China Telecom', 'China Unicom', 'Equinix', 'on-premises'];
/** Area codes of usual login locations, as ListLoginCommonLocation gives them. */
const AREA_CODES = [11, 21, 31, 32, 33, 43, 44, 51, 61, 81];
const RUNTIMES = [
  { runtime_type: 'containerd', runtime_version: '1.6.14', storage_driver: ['overlayfs'] },
  { runtime_type: 'containerd', runtime_version: '1.7.22', storage_driver: ['overlayfs'] },
  { runtime_type: 'docker', runtime_version: '20.10.24', storage_driver: ['overlay2'] },
] as const;
/** Why protection stops: the server is stopped, or its agent no longer reports. */
const INTERRUPT_REASONS = { stopped: 'server_stopped', offline: 'agent_offline' } as const;
const DEGRADATION_REASONS = ['insufficient_memory', 'kernel_not_supported', 'high_cpu_usage'];
/** First octets of public (non-reserved) IPv4 ranges, as elastic IPs are. */
const PUBLIC_FIRST_OCTETS = [49, 94, 110, 114, 119, 121, 122, 124, 139, 159, 188, 190];
const EPOCH_START = Date.UTC(2023, 0, 1);
const EPOCH_END = Date.UTC(2026, 5, 30);

/**
 * The first hosts of every generated fleet: together they hold every value of the enums a filter
 * can select, both values of every boolean filter, both kinds of `outside_host` and two enterprise
 * projects (docs/api.md, section 5), whatever the seed. Every later host is drawn at random.
 */
function coverage(world: ProjectWorld): Host[] {
  const [defaultProject, otherProject] = world.enterpriseProjects.map((ep) => ep.id);
  const shared = { enterprise_project_id: defaultProject, outside_host: false };
  const cluster = world.clusters[0]!;
  return [
    {
      ...shared,
      agent_status: 'online',
      host_status: 'ACTIVE',
      os_type: 'Linux',
      protect_status: 'opened',
      asset_value: 'important',
      vulnerability: 12,
      baseline: 4,
      intrusion: 1,
      upgradable: true,
      cluster_id: cluster.id,
      key_name: world.keyPairs[0],
    },
    { ...shared, agent_status: 'online', host_status: 'ACTIVE', os_type: 'Windows', detect_result: 'clean', protect_status: 'opened', asset_value: 'common', enterprise_project_id: otherProject },
    { ...shared, agent_status: 'offline', host_status: 'SHUTOFF', os_type: 'Linux', detect_result: 'scanning', protect_status: 'protection_exception', protect_interrupt: true, asset_value: 'test', outside_host: true },
    { ...shared, agent_status: 'not_installed', host_status: 'ACTIVE', os_type: 'Windows', asset_value: 'common' },
    { ...shared, agent_status: 'install_failed', host_status: 'ERROR', os_type: 'Linux', asset_value: 'test' },
    { ...shared, agent_status: 'installing', host_status: 'BUILDING', os_type: 'Linux', asset_value: 'common' },
    { ...shared, agent_status: 'online', host_status: 'ACTIVE', os_type: 'Linux', detect_result: 'clean', protect_status: 'protection_exception', protect_degradation: true },
  ];
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

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
/** The editions that protect against ransomware (premium and above). */
const RANSOM_EDITIONS = new Set<Edition>(['hss.version.premium', 'hss.version.wtp', 'hss.version.container.enterprise']);
const EDITIONS_WITH_RANSOM = new Weighted<Edition>([['hss.version.premium', 6], ['hss.version.wtp', 1], ['hss.version.container.enterprise', 1]]);
const DETECT_RESULTS = new Weighted([['risk', 45], ['clean', 40], ['scanning', 5], ['undetected', 10]] as const);
/** For a host whose every risk count is given as 0. */
const RISKLESS_RESULTS = new Weighted([['clean', 40], ['scanning', 5], ['undetected', 10]] as const);
const COUNTS = ['vulnerability', 'baseline', 'intrusion', 'asset'] as const;
const UPGRADE_STATES = new Weighted([['not_upgrade', 80], ['upgrade_succeed', 12], ['upgrading', 3], ['upgrade_failed', 5]] as const);
const CHARGING = new Weighted([['on_demand', 7], ['packet_cycle', 3]] as const);
const ASSET_VALUES = new Weighted([['common', 60], ['important', 25], ['test', 15]] as const);
const RANSOM_STATES = new Weighted<(typeof RANSOM_PROTECTION_STATUSES)[number]>([['opened', 70], ['closed', 20], ['opening', 3], ['closing', 2], ['protect_failed', 3], ['protect_degraded', 2]]);
const WTP_STATES = new Weighted<(typeof WTP_PROTECT_STATUSES)[number]>([['opened', 70], ['closed', 10], ['opening', 3], ['closing', 2], ['open_failed', 5], ['partial_protection', 6], ['protection_pause', 4]]);
const MODES = new Weighted([['default', 80], ['customized', 15], ['adaptive', 5]] as const);
const INSTALL_FAILURES = INSTALL_RESULT_CODES.filter((code) => code !== 'install_succeed');

type Faker = typeof baseFaker;
const FakerClass = baseFaker.constructor as new (options: { locale: Faker['rawDefinitions']; randomizer: Randomizer }) => Faker;

/** faker's randomizer contract. */
interface Randomizer {
  next(): number;
  seed(seed: number | number[]): void;
}

/**
 * A small, fast generator (sfc32) behind faker: seeding it costs about 0.1 µs, where faker's
 * default Mersenne Twister costs tens of microseconds, and every host is seeded on its own.
 */
class Sfc32 implements Randomizer {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  /** Seeded by four 32-bit words (this module always seeds it so). */
  seed([a, b, c, d]: number[]): void {
    [this.a, this.b, this.c, this.d] = [a!, b!, c!, d!];
    for (let i = 0; i < 12; i++) this.next();
  }

  // A bound function: faker calls it detached from the object.
  readonly next = (): number => {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

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
    return min + Math.floor(this.fraction() * (max - min + 1));
  }

  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.fraction() * values.length)]!;
  }

  weighted<T>(table: Weighted<T>): T {
    return table.pick(this.fraction());
  }

  /** Two lower-case hex digits. */
  private byte(): string {
    return HEX_BYTES[Math.floor(this.fraction() * 256)]!;
  }

  /** Lower-case hex digits, 8 for each 32-bit word. */
  hex(words: number): string {
    let text = '';
    for (let i = 0; i < words * 4; i++) text += this.byte();
    return text;
  }

  /** A version 4 UUID. */
  uuid(): string {
    const variant = '89ab'[Math.floor(this.fraction() * 4)]!;
    return `${this.hex(1)}-${this.byte()}${this.byte()}-4${this.byte()}${this.byte().slice(1)}-${variant}${this.byte().slice(1)}${this.byte()}-${this.hex(1)}${this.byte()}${this.byte()}`;
  }

  /** `min` to `max` distinct values, in their order. */
  some<T>(values: readonly T[], min: number, max: number): T[] {
    const count = this.int(min, max);
    const chosen = new Set<T>();
    while (chosen.size < count) chosen.add(this.pick(values));
    return values.filter((value) => chosen.has(value));
  }
}

/** Four 32-bit words derived from (seed, project id, purpose). */
function seedWords(seed: number, projectId: string, purpose: string): number[] {
  const digest = createHash('sha256').update(`${seed}\0${projectId}\0${purpose}`).digest();
  return [digest.readUInt32BE(0), digest.readUInt32BE(4), digest.readUInt32BE(8), digest.readUInt32BE(12)];
}

/** The words of item `index` of a stream: a different seed for every index, cheaply. */
function itemWords(words: readonly number[], index: number): number[] {
  return [words[0]! ^ index, (words[1]! + Math.imul(index, 0x9e3779b9)) | 0, words[2]! ^ Math.imul(index, 0x85ebca6b), words[3]!];
}

function hasAgent(status: AgentStatus | undefined): boolean {
  return status === 'online' || status === 'offline';
}

/** Fields that only a host whose agent reports can have. */
const AGENT_FIELDS = [
  'agent_id',
  'agent_version',
  'agent_create_time',
  'agent_update_time',
  'upgrade_status',
  'upgrade_result_code',
  'upgradable',
  'open_time',
  'os_name',
  'os_version',
  'kernel_version',
  'mode',
  'cpu_limit',
  'mem_limit',
  'two_factor_auth',
  'common_login_area_codes',
  'node_runtime_info',
  'container_type',
  'interrupt_reason',
  'degradation_reason',
  'auto_open_version',
] as const;

/** Whether given fields say an agent is installed and reports, when `agent_status` itself is not given. */
function impliesAgent(host: Host): boolean {
  return (
    AGENT_FIELDS.some((field) => host[field] !== undefined) ||
    host.protect_interrupt === true ||
    host.protect_degradation === true ||
    (host.version !== undefined && host.version !== 'hss.version.null') ||
    host.policy_group_id !== undefined ||
    host.policy_group_name !== undefined ||
    host.install_result_code === 'install_succeed' ||
    (host.protect_status !== undefined && host.protect_status !== 'closed') ||
    (host.detect_result !== undefined && host.detect_result !== 'undetected') ||
    (host.ransom_protection_status !== undefined && host.ransom_protection_status !== 'closed') ||
    (host.wtp_protect_status !== undefined && host.wtp_protect_status !== 'closed') ||
    riskTotal(host) > 0
  );
}

function riskTotal(host: Host): number {
  return (host.asset ?? 0) + (host.vulnerability ?? 0) + (host.baseline ?? 0) + (host.intrusion ?? 0);
}

/** The kind of protection exception given fields ask for, if any. */
function givenException(host: Host): 'interrupted' | 'degraded' | undefined {
  if (host.protect_interrupt === true || host.interrupt_reason !== undefined) return 'interrupted';
  if (host.protect_degradation === true || host.degradation_reason !== undefined) return 'degraded';
  return undefined;
}

/**
 * One faker for every factory: making one costs about 0.1 ms, as much as completing a few hosts,
 * and a write to a new project makes a factory. Safe to share: every use seeds it first and
 * draws all it needs without awaiting.
 */
const sharedFaker = new FakerClass({ locale: baseFaker.rawDefinitions, randomizer: new Sfc32() });

export class HostFactory {
  private readonly faker = sharedFaker;
  private readonly draw = new Draw(sharedFaker);
  private readonly world: ProjectWorld;
  private readonly fleetWords: number[];
  private readonly firstHosts: Host[];

  constructor(
    private readonly seed: number,
    private readonly projectId: string,
  ) {
    this.faker.seed(seedWords(seed, projectId, 'world'));
    this.world = this.makeWorld();
    this.fleetWords = seedWords(seed, projectId, 'fleet');
    this.firstHosts = coverage(this.world);
  }

  /** Host `index` of the generated fleet: the same whatever the fleet's size, and whatever else was made before. */
  host(index: number): Host {
    this.faker.seed(itemWords(this.fleetWords, index));
    return this.complete(this.firstHosts[index] ?? {});
  }

  /** The generated fleet: `count` hosts, the first of them covering every value a filter selects. */
  *generate(count: number): Generator<Host> {
    for (let i = 0; i < count; i++) yield this.host(i);
  }

  /**
   * A function that completes partial hosts coherently, keeping every given field. `stream` names
   * the draw (e.g. `fixtures`), so that the same partial hosts are completed the same way every
   * time: the n-th host completed has a seed of its own.
   */
  completer(stream: string): (partial: Host) => Host {
    const words = seedWords(this.seed, this.projectId, stream);
    let index = 0;
    return (partial) => {
      this.faker.seed(itemWords(words, index++));
      return this.complete(partial);
    };
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
      vpcs: [draw.uuid(), draw.uuid()],
      clusters: pickNames(CLUSTER_NAMES, 2).map(group),
      keyPairs: ['KeyPair-ops', 'KeyPair-deploy', `KeyPair-${draw.hex(1).slice(0, 4)}`],
    };
  }

  private complete(given: Host): Host {
    const draw = this.draw;
    const world = this.world;
    const image = this.image(given);
    const os_type = given.os_type ?? (image ? (image.os === 'Windows' ? 'Windows' : 'Linux') : givenCluster(given) ? 'Linux' : draw.weighted(OS_TYPES));
    const windows = os_type === 'Windows';
    const osImage = image ?? draw.pick(windows ? WINDOWS_IMAGES : LINUX_IMAGES);
    const outside_host =
      given.outside_host ??
      (given.host_sources !== undefined
        ? given.host_sources === 'outside'
        : given.data_center_tag !== undefined || given.service_provider_name !== undefined
          ? true
          : given.vpc_id !== undefined || givenCluster(given)
            ? false
            : draw.chance(0.08));
    // Which kinds of protection exception the given fields leave possible, and which one they ask for.
    const allowed = { interrupted: given.protect_interrupt !== false, degraded: given.protect_degradation !== false };
    const exception = givenException(given) ?? (given.protect_status === 'protection_exception' ? this.exceptionKind(given, allowed) : undefined);
    const host_status = given.host_status ?? (exception === 'degraded' ? 'ACTIVE' : draw.weighted(HOST_STATES));
    const agent_status: AgentStatus =
      given.agent_status ??
      (exception === 'interrupted'
        ? 'offline'
        : exception === 'degraded'
          ? 'online'
          : given.install_progress !== undefined
            ? 'installing'
            : given.install_result_code !== undefined && given.install_result_code !== 'install_succeed'
              ? 'install_failed'
          : draw.weighted(impliesAgent(given) ? INSTALLED_AGENT_STATES : host_status === 'SHUTOFF' ? STOPPED_AGENT_STATES : AGENT_STATES));
    const agent = hasAgent(agent_status);
    const protectionGiven =
      exception !== undefined ||
      (given.protect_status !== undefined && given.protect_status !== 'closed') ||
      given.open_time !== undefined ||
      given.policy_group_id !== undefined ||
      given.policy_group_name !== undefined;
    const ransomGiven = given.ransom_protection_status !== undefined && given.ransom_protection_status !== 'closed';
    const version: Edition =
      given.version ??
      (given.wtp_protect_status !== undefined && given.wtp_protect_status !== 'closed'
        ? 'hss.version.wtp'
        : ransomGiven
          ? draw.weighted(EDITIONS_WITH_RANSOM)
          : agent && given.protect_status !== 'closed'
            ? draw.weighted(protectionGiven ? EDITIONS_OF_PROTECTED : EDITIONS_OF_AGENTS)
            : 'hss.version.null');
    const protectedHost = version !== 'hss.version.null';
    const stopped = host_status === 'SHUTOFF' || agent_status === 'offline';
    const protect_status =
      given.protect_status ??
      (!protectedHost
        ? 'closed'
        : exception !== undefined ||
            (stopped && allowed.interrupted && draw.chance(0.2)) ||
            (!stopped && agent_status === 'online' && allowed.degraded && draw.chance(0.03))
          ? 'protection_exception'
          : 'opened');
    // A protection exception is an interruption (the server stopped, or its agent went silent) or a degradation.
    const kind = protect_status !== 'protection_exception' ? undefined : (exception ?? (stopped ? 'interrupted' : 'degraded'));
    const countsGiven = COUNTS.filter((count) => given[count] !== undefined);
    const detect_result =
      given.detect_result ??
      (riskTotal(given) > 0 ? 'risk' : !agent ? 'undetected' : draw.weighted(countsGiven.length === COUNTS.length ? RISKLESS_RESULTS : DETECT_RESULTS));
    const risky = detect_result === 'risk';
    // At risk means some risk is counted: vulnerabilities, at least, and perhaps others.
    const risk = (min: number, max: number) => (risky ? draw.int(min, max) : 0);
    const counts = {
      asset: given.asset ?? risk(0, 5),
      vulnerability: given.vulnerability ?? risk(1, 120),
      baseline: given.baseline ?? risk(0, 40),
      intrusion: given.intrusion ?? risk(0, 3),
    };
    const notGiven = COUNTS.find((count) => given[count] === undefined);
    if (risky && notGiven && riskTotal(counts) === 0) counts[notGiven] = 1;
    const cluster = this.cluster(given, windows, outside_host);

    const enterprise = this.enterpriseProject(given);
    const serverGroup = draw.pick(world.serverGroups);
    const policyGroup = protectedHost ? world.policyGroups.get(version) : undefined;
    const latest = given.agent_update_time ?? EPOCH_END;
    const created = given.agent_create_time ?? draw.int(Math.min(EPOCH_START, latest), latest);
    const upgrade_status = given.upgrade_status ?? (given.upgrade_result_code !== undefined ? 'upgrade_failed' : agent ? draw.weighted(UPGRADE_STATES) : undefined);
    const prefix = outside_host ? 'idc' : windows ? 'win' : 'ecs';
    const number = String(draw.int(1, 99)).padStart(2, '0');
    const privateNetwork = draw.chance(0.5);
    const mode = given.mode ?? (agent ? draw.weighted(MODES) : undefined);

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
      os_image: osImage.image,
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
      ...counts,
      asset_value: draw.weighted(ASSET_VALUES),
      labels: draw.some(TAGS, 0, 3),
      agent_create_time: agent ? created : undefined,
      agent_update_time: agent ? draw.int(created, Math.max(created, EPOCH_END)) : undefined,
      agent_version: agent ? draw.pick(AGENT_VERSIONS) : undefined,
      upgrade_status,
      upgrade_result_code: upgrade_status === 'upgrade_failed' ? draw.pick(UPGRADE_RESULT_CODES) : undefined,
      upgradable: agent ? draw.chance(0.3) : undefined,
      expire_time: protectedHost ? -1 : undefined,
      os_name: agent ? osImage.os : undefined,
      os_version: agent ? osImage.version : undefined,
      kernel_version: agent ? osImage.kernel : undefined,
      open_time: protect_status !== 'closed' ? draw.int(created, Math.max(created, EPOCH_END)) : undefined,
      protect_interrupt: agent ? kind === 'interrupted' : undefined,
      interrupt_reason: kind === 'interrupted' ? (host_status === 'SHUTOFF' ? INTERRUPT_REASONS.stopped : INTERRUPT_REASONS.offline) : undefined,
      protect_degradation: agent ? kind === 'degraded' : undefined,
      degradation_reason: kind === 'degraded' ? draw.pick(DEGRADATION_REASONS) : undefined,
      host_sources: outside_host ? 'outside' : draw.chance(0.05) ? 'workspace' : 'ecs',
      key_name: !outside_host && draw.chance(0.4) ? draw.pick(world.keyPairs) : undefined,
      auto_open_version: cluster && agent && version === 'hss.version.container.enterprise' && draw.chance(0.6) ? version : undefined,
      install_progress: agent_status === 'installing' ? draw.int(1, 99) : undefined,
      vpc_id: outside_host ? undefined : draw.pick(world.vpcs),
      cluster_id: cluster?.id,
      cluster_name: cluster?.name,
      container_type: agent ? (cluster || (!windows && draw.chance(0.2)) ? 1 : 0) : undefined,
      ransom_protection_status: agent ? (RANSOM_EDITIONS.has(version) && protect_status !== 'closed' ? draw.weighted(RANSOM_STATES) : 'closed') : undefined,
      wtp_protect_status: agent ? (version === 'hss.version.wtp' && protect_status !== 'closed' ? draw.weighted(WTP_STATES) : 'closed') : undefined,
      two_factor_auth: agent ? draw.chance(0.15) : undefined,
      data_center_tag: outside_host ? draw.pick(DATA_CENTERS) : undefined,
      service_provider_name: outside_host ? draw.pick(SERVICE_PROVIDERS) : undefined,
      mode,
      cpu_limit: mode === undefined ? undefined : mode === 'default' ? '10' : String(draw.int(5, 50)),
      mem_limit: mode === undefined ? undefined : mode === 'default' ? '300' : String(draw.int(2, 20) * 100),
      common_login_area_codes: agent && draw.chance(0.3) ? draw.some(AREA_CODES, 1, 3) : undefined,
      node_runtime_info: cluster && agent ? [structuredRuntime(draw.pick(RUNTIMES))] : undefined,
    };
    return completed(generated, given);
  }

  /** The kind of a given protection exception, as far as the given fields tell; drawn where they do not. */
  private exceptionKind(given: Host, allowed: { interrupted: boolean; degraded: boolean }): 'interrupted' | 'degraded' {
    if (!allowed.interrupted) return 'degraded';
    if (!allowed.degraded) return 'interrupted';
    if (given.agent_status === 'offline' || given.host_status === 'SHUTOFF') return 'interrupted';
    if (given.agent_status === 'online') return 'degraded';
    return this.draw.chance(0.5) ? 'interrupted' : 'degraded';
  }

  /** The image a host's given fields name (`os_image`, else what the agent reports of the OS), if any. */
  private image(given: Host): Image | undefined {
    if (given.os_image !== undefined) {
      return IMAGES.find((image) => image.image === given.os_image) ?? { image: given.os_image, os: given.os_image.split(' ')[0]! };
    }
    const { os_name: os, os_version: version, kernel_version: kernel, os_type: type } = given;
    if (os === undefined && version === undefined && kernel === undefined) return undefined;
    const same = IMAGES.filter(
      (image) =>
        (os === undefined || image.os === os) &&
        (version === undefined || image.version === version) &&
        (kernel === undefined || image.kernel === kernel) &&
        (type === undefined || (image.os === 'Windows') === (type === 'Windows')),
    );
    return same.length > 0 ? this.draw.pick(same) : undefined;
  }

  /** The cluster a host belongs to: the given one, or (for some Linux cloud hosts) one of the project's. */
  private cluster(given: Host, windows: boolean, outside: boolean): Group | undefined {
    const { cluster_id: id, cluster_name: name } = given;
    if (id !== undefined || name !== undefined) {
      const known = this.world.clusters.find((cluster) => cluster.id === id || cluster.name === name);
      return { id: id ?? known?.id ?? this.draw.uuid(), name: name ?? known?.name ?? `cluster-${id!.slice(0, 8)}` };
    }
    if (givenCluster(given)) return this.draw.pick(this.world.clusters);
    if (windows || outside || given.container_type === 0 || !this.draw.chance(0.15)) return undefined;
    return this.draw.pick(this.world.clusters);
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

/** Whether given fields say the host is a cluster node. */
function givenCluster(given: Host): boolean {
  return given.cluster_id !== undefined || given.cluster_name !== undefined || given.node_runtime_info !== undefined || given.auto_open_version !== undefined;
}

/** A fresh copy of a runtime (hosts never share mutable arrays). */
function structuredRuntime(runtime: (typeof RUNTIMES)[number]): NonNullable<Host['node_runtime_info']>[number] {
  return { runtime_type: runtime.runtime_type, runtime_version: runtime.runtime_version, storage_driver: [...runtime.storage_driver] };
}

/**
 * The generated fields with the given ones over them. A field that does not apply is undefined,
 * which every serializer leaves out: the host keeps one shape, and is made and written fast.
 */
function completed(generated: Host, given: Host): Host {
  return Object.assign(generated, given);
}
