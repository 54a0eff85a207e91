// TypeBox schemas of the emulated API, with every limit of the official API page and the
// settled extras (docs/api.md).
// The same schemas validate requests, validate written hosts and serialize responses.
import fastJson from 'fast-json-stringify';
import { Type, type Static, type TOptional, type TSchema, type TString } from '@sinclair/typebox';

/** A string enum rendered as JSON Schema `enum` (clear validation messages, plain OpenAPI). */
function StringEnum<const T extends readonly string[]>(values: T, description: string) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], description });
}

function Text(minLength: number, maxLength: number, description: string) {
  return Type.String({ minLength, maxLength, description });
}

function Count(description: string) {
  return Type.Integer({ minimum: 0, maximum: 2097152, description });
}

function Timestamp(description: string) {
  return Type.Integer({ minimum: 0, maximum: 4824695185000, description });
}

/** Editions in ascending order: `above_version=true` matches the given edition and every later one. */
export const EDITIONS = [
  'hss.version.null',
  'hss.version.basic',
  'hss.version.advanced',
  'hss.version.enterprise',
  'hss.version.premium',
  'hss.version.wtp',
  'hss.version.container.enterprise',
] as const;
export const AGENT_STATUSES = ['not_installed', 'online', 'offline', 'install_failed', 'installing'] as const;
export const HOST_STATUSES = ['ACTIVE', 'SHUTOFF', 'BUILDING', 'ERROR'] as const;
export const OS_TYPES = ['Linux', 'Windows'] as const;
export const DETECT_RESULTS = ['undetected', 'clean', 'risk', 'scanning'] as const;
export const PROTECT_STATUSES = ['closed', 'opened', 'protection_exception'] as const;
export const CHARGING_MODES = ['on_demand', 'packet_cycle'] as const;
export const ASSET_VALUES = ['important', 'common', 'test'] as const;
export const INSTALL_RESULT_CODES = [
  'install_succeed',
  'network_access_timeout',
  'invalid_port',
  'auth_failed',
  'permission_denied',
  'no_available_vpc',
  'install_exception',
  'invalid_param',
  'install_failed',
  'package_unavailable',
  'os_type_not_support',
  'os_arch_not_support',
] as const;
export const UPGRADE_STATUSES = ['not_upgrade', 'upgrading', 'upgrade_failed', 'upgrade_succeed'] as const;
export const UPGRADE_RESULT_CODES = [
  'package_unavailable',
  'network_access_timeout',
  'agent_offline',
  'hostguard_abnormal',
  'insufficient_disk_space',
  'failed_to_replace_file',
] as const;

export const HOST_SOURCES = ['ecs', 'outside', 'workspace'] as const;
export const RANSOM_PROTECTION_STATUSES = ['closed', 'opened', 'opening', 'closing', 'protect_failed', 'protect_degraded'] as const;
export const WTP_PROTECT_STATUSES = ['closed', 'opened', 'opening', 'closing', 'open_failed', 'partial_protection', 'protection_pause'] as const;
export const RUNTIME_TYPES = ['docker', 'containerd', 'podman', 'isulad', 'crio', 'unknown'] as const;

/** A node's container runtime (RuntimeServiceInfo). */
const RuntimeServiceInfo = Type.Object(
  {
    runtime_type: StringEnum(RUNTIME_TYPES, 'Container runtime'),
    runtime_version: Text(0, 128, 'Runtime version'),
    storage_driver: Type.Array(Type.String({ maxLength: 128 }), { maxItems: 20, description: 'Storage drivers' }),
  },
  { additionalProperties: false },
);

/**
 * Table 5 of the API page, plus `expire_time` which its example shows, then the fields today's
 * SDKs read (docs/api.md, section 4). The two fields only some queries return
 * (`common_login_area_codes`, `node_runtime_info`) come last, so that a stored host's JSON loses
 * them by being cut short.
 */
const hostFields = {
  host_name: Text(0, 128, 'Server name'),
  host_id: Text(0, 128, 'Server ID'),
  agent_id: Text(0, 128, 'Agent ID'),
  private_ip: Text(0, 128, 'Private IP address'),
  public_ip: Text(0, 128, 'Elastic IP address'),
  enterprise_project_id: Text(0, 256, 'Enterprise project ID; 0 is the default enterprise project'),
  enterprise_project_name: Text(0, 256, 'Enterprise project name'),
  host_status: StringEnum(HOST_STATUSES, 'Server status'),
  agent_status: StringEnum(AGENT_STATUSES, 'Agent status'),
  install_result_code: StringEnum(INSTALL_RESULT_CODES, 'Installation result, for agents installed in batches'),
  version: StringEnum(EDITIONS, 'HSS edition'),
  protect_status: StringEnum(PROTECT_STATUSES, 'Protection status'),
  os_image: Text(0, 128, 'System disk image'),
  os_type: StringEnum(OS_TYPES, 'OS type'),
  os_bit: Text(0, 128, 'OS bit version'),
  detect_result: StringEnum(DETECT_RESULTS, 'Server scan result'),
  charging_mode: StringEnum(CHARGING_MODES, 'Charging mode'),
  resource_id: Text(0, 128, 'Cloud service resource instance ID (UUID)'),
  outside_host: Type.Boolean({ description: 'Whether a server is a non-cloud server' }),
  group_id: Text(1, 128, 'Server group ID'),
  group_name: Text(1, 128, 'Server group name'),
  policy_group_id: Text(1, 128, 'Policy group ID'),
  policy_group_name: Text(1, 128, 'Policy group name'),
  asset: Count('Asset risk'),
  vulnerability: Count('Total number of vulnerabilities'),
  baseline: Count('Total number of baseline risks'),
  intrusion: Count('Total intrusion risks'),
  asset_value: StringEnum(ASSET_VALUES, 'Asset importance'),
  labels: Type.Array(Type.String({ minLength: 0, maxLength: 64 }), { maxItems: 100, description: 'Tag list' }),
  agent_create_time: Timestamp('Agent installation time, epoch milliseconds'),
  agent_update_time: Timestamp('Time the agent status changed, epoch milliseconds'),
  agent_version: Text(1, 32, 'Agent version'),
  upgrade_status: StringEnum(UPGRADE_STATUSES, 'Upgrade status'),
  upgrade_result_code: StringEnum(UPGRADE_RESULT_CODES, 'Upgrade failure cause, only with upgrade_failed'),
  upgradable: Type.Boolean({ description: 'Whether the agent of the server can be upgraded' }),
  expire_time: Type.Integer({ minimum: -1, maximum: 4824695185000, description: 'Quota expiry, epoch milliseconds; -1 when not a trial quota' }),
  os_name: Text(0, 128, 'OS name'),
  os_version: Text(0, 256, 'OS version'),
  kernel_version: Text(0, 256, 'Kernel version'),
  open_time: Timestamp('Time protection was enabled, epoch milliseconds'),
  protect_interrupt: Type.Boolean({ description: 'Protection interrupted' }),
  interrupt_reason: Text(1, 32, 'Why protection is interrupted, only when it is'),
  protect_degradation: Type.Boolean({ description: 'Protection degraded' }),
  degradation_reason: Text(1, 32, 'Why protection is degraded, only when it is'),
  host_sources: StringEnum(HOST_SOURCES, 'Where the server comes from: Huawei Cloud ECS, outside Huawei Cloud, Workspace'),
  key_name: Text(1, 32, 'Key pair the server is bound to'),
  auto_open_version: Text(1, 32, 'Edition enabled automatically on a CCE-purchased node'),
  install_progress: Type.Integer({ minimum: 0, maximum: 100, description: 'Agent installation progress, percent; only while installing' }),
  vpc_id: Text(0, 128, 'VPC ID'),
  cluster_id: Text(1, 128, 'Cluster ID, for cluster nodes'),
  cluster_name: Text(1, 128, 'Cluster name, for cluster nodes'),
  container_type: Type.Unsafe<0 | 1>({ type: 'integer', enum: [0, 1], description: 'Container environment present: 0 no, 1 yes' }),
  ransom_protection_status: StringEnum(RANSOM_PROTECTION_STATUSES, 'Ransomware protection status'),
  wtp_protect_status: StringEnum(WTP_PROTECT_STATUSES, 'Web tamper protection status'),
  two_factor_auth: Type.Boolean({ description: 'Two-factor authentication enabled' }),
  data_center_tag: Text(0, 128, 'Data center, for servers outside Huawei Cloud'),
  service_provider_name: Text(0, 128, 'Service provider, for servers outside Huawei Cloud'),
  mode: Text(0, 32, 'Agent resource limit mode: default, customized or adaptive'),
  cpu_limit: Text(0, 32, "The agent's CPU limit"),
  mem_limit: Text(0, 32, "The agent's memory limit"),
  common_login_area_codes: Type.Array(Type.Integer({ minimum: -2147483648, maximum: 2147483647 }), {
    maxItems: 100,
    description: 'Usual login locations (area codes); only with get_common_login_locations=true',
  }),
  node_runtime_info: Type.Array(RuntimeServiceInfo, { maxItems: 20, description: 'Container runtimes of a cluster node; only when incluster is given' }),
};
export const Host = Type.Partial(Type.Object(hostFields), {
  additionalProperties: false,
  description: 'A host; fields that do not apply are left out',
});
export type Host = Static<typeof Host>;

/** Table 4. */
export const ListHostsResponse = Type.Object(
  {
    total_num: Count('Total number of records'),
    data_list: Type.Array(Host, { maxItems: 10241, description: 'Hosts of this page' }),
  },
  { additionalProperties: false },
);

export const ProjectParams = Type.Object({
  project_id: Text(1, 256, 'Project ID'),
});

export const SORT_KEYS = ['risk_num', 'recent_scan_time'] as const;

/** The comma-separated batch parameters: how many items each takes, and how long each item may be. */
export const LIST_PARAMETERS = {
  host_name_list: { maxItems: 60, maxLength: 64, description: 'Server names' },
  host_id_list: { maxItems: 100, maxLength: 36, description: 'Server IDs' },
  private_ip_list: { maxItems: 100, maxLength: 39, description: 'Private IP addresses' },
  public_ip_list: { maxItems: 100, maxLength: 39, description: 'Public IP addresses' },
} as const;
export type ListParameter = keyof typeof LIST_PARAMETERS;

/** Each batch parameter as a string whose pattern says what the list allows (items are never trimmed). */
function listParameters() {
  return Object.fromEntries(
    Object.entries(LIST_PARAMETERS).map(([name, { maxItems, maxLength, description }]) => [
      name,
      Type.Optional(
        Type.String({
          pattern: `^[^,]{1,${maxLength}}(,[^,]{1,${maxLength}}){0,${maxItems - 1}}$`,
          description: `${description}, comma-separated: 1 to ${maxItems} items of 1 to ${maxLength} characters; the host's value equals one of them`,
        }),
      ),
    ]),
  ) as Record<ListParameter, TOptional<TString>>;
}

/**
 * Table 2, with the values newer API versions add, then the parameters today's SDKs send
 * (docs/api.md, section 2). Unknown parameters are ignored.
 */
export const ListHostsQuery = Type.Object(
  {
    enterprise_project_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        default: '0',
        description: 'Enterprise project ID; 0 (default) is the default enterprise project, all_granted_eps is every one',
      }),
    ),
    version: Type.Optional(StringEnum(EDITIONS, 'HSS edition')),
    agent_status: Type.Optional(StringEnum([...AGENT_STATUSES, 'not_online', 'installed'], 'Agent status')),
    detect_result: Type.Optional(StringEnum(DETECT_RESULTS, 'Detection result')),
    host_name: Type.Optional(Text(1, 256, 'Server name (contains, case-insensitive)')),
    host_id: Type.Optional(Text(1, 64, 'Server ID')),
    host_status: Type.Optional(StringEnum(HOST_STATUSES, 'Host status')),
    os_type: Type.Optional(StringEnum(OS_TYPES, 'OS type')),
    private_ip: Type.Optional(Text(1, 128, 'Server private IP address')),
    public_ip: Type.Optional(Text(1, 128, 'Server public IP address')),
    ip_addr: Type.Optional(Text(1, 128, 'Public or private IP address')),
    protect_status: Type.Optional(StringEnum(PROTECT_STATUSES, 'Protection status')),
    group_id: Type.Optional(Text(1, 64, 'Server group ID')),
    group_name: Type.Optional(Text(1, 64, 'Server group name')),
    policy_group_id: Type.Optional(Text(0, 128, 'Policy group ID')),
    policy_group_name: Type.Optional(Text(0, 256, 'Policy group name')),
    charging_mode: Type.Optional(StringEnum(CHARGING_MODES, 'Charging mode')),
    refresh: Type.Optional(Type.Boolean({ description: 'Whether to forcibly synchronize servers from ECSs' })),
    above_version: Type.Optional(Type.Boolean({ description: 'Whether to return all the versions later than the current version' })),
    outside_host: Type.Optional(Type.Boolean({ description: 'Whether a server is a non-cloud server' })),
    asset_value: Type.Optional(StringEnum(ASSET_VALUES, 'Asset importance')),
    label: Type.Optional(Text(1, 64, 'Asset tag')),
    server_group: Type.Optional(Text(1, 64, 'Asset server group')),
    has_intrusion: Type.Optional(Type.Boolean({ description: 'true: hosts with intrusion risks; false: hosts without' })),
    has_vul: Type.Optional(Type.Boolean({ description: 'true: hosts with vulnerabilities; false: hosts without' })),
    has_baseline: Type.Optional(Type.Boolean({ description: 'true: hosts with baseline risks; false: hosts without' })),
    agent_upgradable: Type.Optional(Type.Boolean({ description: "The host's upgradable (absent: false)" })),
    protect_interrupt: Type.Optional(Type.Boolean({ description: "The host's protect_interrupt (absent: false)" })),
    protect_degradation: Type.Optional(Type.Boolean({ description: "The host's protect_degradation (absent: false)" })),
    incluster: Type.Optional(Type.Boolean({ description: 'true: cluster nodes; false: other hosts. Given either way, cluster nodes carry node_runtime_info' })),
    binding_key: Type.Optional(Type.Boolean({ description: 'true: hosts bound to a key pair; false: hosts without' })),
    cluster_id: Type.Optional(Text(1, 64, 'Cluster ID')),
    vpc_id: Type.Optional(Text(1, 128, 'VPC ID')),
    ...listParameters(),
    sort_key: Type.Optional(StringEnum(SORT_KEYS, 'Sort by risk_num (asset + vulnerability + baseline + intrusion) or recent_scan_time (agent_update_time)')),
    sort_dir: Type.Optional(StringEnum(['asc', 'desc'] as const, 'Sort direction with sort_key; default desc')),
    get_common_login_locations: Type.Optional(Type.Boolean({ description: 'true: hosts may carry common_login_area_codes' })),
    install_mode: Type.Optional(Type.Boolean({ description: 'Installation-mode scenario: accepted, filters nothing' })),
    limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, default: 10, description: 'Number of records on each page' })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2000000, default: 0, description: 'Rows to skip' })),
  },
  { additionalProperties: true },
);
/** The validated query: the schema's defaults make these three always present. */
export type ListHostsQuery = Static<typeof ListHostsQuery> & Required<Pick<Static<typeof ListHostsQuery>, 'enterprise_project_id' | 'limit' | 'offset'>>;

/** Table 3. Checked by authentication, not by parameter validation: a bad token is a 401, not a 400. */
export const AuthHeaders = Type.Object({
  'x-auth-token': Type.Optional(Text(1, 32768, 'User token (mandatory unless the request carries an AK/SK signature)')),
});

export const ErrorBody = Type.Object({
  error_code: Type.String(),
  error_msg: Type.String(),
  error_description: Type.Optional(Type.String({ description: 'Service (HSS.*) errors only: the same text as error_msg' })),
  request_id: Type.Optional(Type.String({ description: 'Gateway (APIGW.*) and control API (MOCK.*) errors only' })),
});

/** A host as JSON, by the Host schema: only its fields, in the schema's order. */
export const serializeHost: (host: Host) => string = fastJson(Host);

/** Which of the fields only some queries return a page carries. */
export interface AnswerShape {
  /** `get_common_login_locations=true`: `common_login_area_codes`. */
  loginLocations: boolean;
  /** `incluster` given: `node_runtime_info`. */
  runtimes: boolean;
}

const LOGIN_LOCATIONS = ',"common_login_area_codes":';
const RUNTIMES = ',"node_runtime_info":';

/**
 * A host's JSON (as `serializeHost` writes it) without the fields its query does not return.
 * Those two fields come last, in this order; outside a string a quote is never escaped, so
 * `,"name":` can only be a field of the host itself.
 */
export function shapeHostJson(json: string, shape: AnswerShape): string {
  let shaped = json;
  const runtimes = shaped.lastIndexOf(RUNTIMES);
  if (!shape.runtimes && runtimes !== -1) shaped = `${shaped.slice(0, runtimes)}}`;
  const login = shaped.lastIndexOf(LOGIN_LOCATIONS);
  if (!shape.loginLocations && login !== -1) {
    const after = shaped.indexOf(RUNTIMES, login);
    shaped = shaped.slice(0, login) + shaped.slice(after === -1 ? shaped.length - 1 : after);
  }
  return shaped;
}

// The control API (/_mock).

export const HostParams = Type.Object({
  project_id: Text(1, 256, 'Project ID'),
  host_id: Text(1, 128, 'Server ID'),
});

export const GenerateBody = Type.Object(
  {
    count: Type.Integer({ minimum: 0, maximum: 2000000, description: 'Hosts to generate' }),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'Seed; default: the --seed option' })),
  },
  { additionalProperties: false },
);

/** The most journal entries one answer lists. */
export const MAX_JOURNAL_PAGE = 1000;

export const JournalQuery = Type.Object(
  {
    project_id: Type.Optional(Text(1, 256, 'Only requests to this project')),
    status: Type.Optional(Type.Integer({ minimum: 0, maximum: 599, description: 'Only requests answered with this status; 0: connections a fault dropped' })),
    order: Type.Optional(StringEnum(['asc', 'desc'] as const, 'asc (default): oldest first; desc: newest first')),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Matching entries to skip (default 0)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_JOURNAL_PAGE, description: `Entries to list (default ${MAX_JOURNAL_PAGE})` })),
  },
  { additionalProperties: true },
);
export type JournalQuery = Static<typeof JournalQuery>;

export const ProjectsQuery = Type.Object(
  {
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0, description: 'Projects to skip' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Projects to list' })),
  },
  { additionalProperties: true },
);

export const ProjectList = Type.Object({
  total: Type.Integer({ description: 'Projects in use' }),
  projects: Type.Array(Type.Object({ project_id: Type.String(), hosts: Type.Integer({ description: 'Hosts it holds' }) })),
});
export type ProjectList = Static<typeof ProjectList>;

function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

export const HostList = Type.Array(Host);

export const GenerateResult = Type.Object({
  project_id: Type.String(),
  count: Type.Integer(),
  seed: Type.Integer(),
});

export const Health = Type.Object({
  status: Type.Literal('ok'),
  version: Type.String(),
  uptime_seconds: Type.Number(),
  data_bytes: Type.Integer({ description: 'Bytes the hosts database holds now' }),
  data_limit_bytes: Type.Integer({ description: 'Bytes it may hold (--data-limit)' }),
});

/** A request to the emulated API, as the journal shows it. */
export const JournalEntry = Type.Object({
  time: Type.String({ format: 'date-time' }),
  method: Type.String(),
  path: Type.String(),
  query: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]), { description: 'The query string as received, decoded' }),
  project_id: Nullable(Type.String()),
  auth: StringEnum(['token', 'aksk', 'none'], 'How the caller authenticated'),
  caller: Nullable(Type.String({ description: 'The access key, or a fingerprint of the token' })),
  region: Nullable(Type.String({ description: 'The region header' })),
  status: Type.Integer({ description: 'The status answered; 0 when a fault dropped the connection without an answer' }),
  error_code: Nullable(Type.String()),
  fault: Nullable(Type.String({ description: 'The fault rule that fired, or header for X-Mock-Fault/X-Mock-Delay' })),
  request_id: Type.String(),
});
export type JournalEntry = Static<typeof JournalEntry>;

export const Journal = Type.Object({
  total: Type.Integer({ description: 'Matching entries, over every page' }),
  requests: Type.Array(JournalEntry),
});

// Faults (/_mock/faults and --faults FILE).

/** The documented errors a fault can answer with. */
export const FaultStatus = Object.assign(
  Type.Unsafe<401 | 403 | 429 | 500 | 502 | 504>({ type: 'integer', enum: [401, 403, 429, 500, 502, 504], description: 'A documented error status' }),
  { enum: [401, 403, 429, 500, 502, 504] as const },
);
export type FaultStatus = Static<typeof FaultStatus>;

export const FaultRule = Type.Object(
  {
    project_id: Type.Optional(Text(1, 256, 'Only requests to this project')),
    query: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Only requests with these query parameters (decoded values)' })),
    caller: Type.Optional(Text(1, 256, "Only this caller: an access key, or a token's fingerprint as the journal shows it")),
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'Let this many matching requests through first' })),
    times: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Then fire for this many only' })),
    fraction: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Fire for this seeded fraction of matching requests' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'Seed of fraction and delay ranges; default: --seed' })),
    action: StringEnum(['error', 'delay', 'reset', 'stall'] as const, 'Answer with an error, delay the answer, reset the connection, or never answer'),
    status: Type.Optional(FaultStatus),
    delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 60000, description: 'Milliseconds to wait before answering' })),
    delay_max_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 60000, description: 'With delay_ms: a delay drawn from the seed between the two' })),
  },
  { additionalProperties: false },
);
export type FaultRuleInput = Static<typeof FaultRule>;

export const FaultRuleView = Type.Composite([
  Type.Object({ id: Type.String() }),
  FaultRule,
  Type.Object({ matched: Type.Integer(), fired: Type.Integer() }),
]);

export const FaultList = Type.Object({ total: Type.Integer(), faults: Type.Array(FaultRuleView) });

export const FaultParams = Type.Object({ id: Text(1, 64, 'A fault rule id') });
