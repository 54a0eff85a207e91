// The benchmark's varied queries: every request a different one, drawn from a seed, as a
// dashboard whose user clicks through filters or a test suite whose every test asks something
// new would send them: 0 to 3 enum or boolean filters, a two-letter host_name in a quarter of
// them, all_granted_eps in half, limit 10 to 100, offset 0 to 2000.

/** The enum and boolean filters, with the values a client picks from. */
const CHOICES: Record<string, readonly string[]> = {
  version: ['hss.version.null', 'hss.version.basic', 'hss.version.enterprise', 'hss.version.premium', 'hss.version.wtp'],
  agent_status: ['online', 'offline', 'not_installed', 'installing', 'install_failed', 'not_online', 'installed'],
  detect_result: ['undetected', 'clean', 'risk', 'scanning'],
  host_status: ['ACTIVE', 'SHUTOFF', 'BUILDING', 'ERROR'],
  os_type: ['Linux', 'Windows'],
  protect_status: ['closed', 'opened', 'protection_exception'],
  charging_mode: ['on_demand', 'packet_cycle'],
  asset_value: ['important', 'common', 'test'],
  outside_host: ['true', 'false'],
  has_vul: ['true', 'false'],
  has_baseline: ['true', 'false'],
  has_intrusion: ['true', 'false'],
  agent_upgradable: ['true', 'false'],
  protect_interrupt: ['true', 'false'],
  protect_degradation: ['true', 'false'],
  incluster: ['true', 'false'],
  binding_key: ['true', 'false'],
};
const NAMES = Object.keys(CHOICES);
/** Words host names are made of; a client types two letters of one. */
const NAME_WORDS = ['ecs', 'win', 'idc', 'web', 'api', 'db', 'cache', 'batch', 'node', 'jump', 'log', 'nginx', 'redis', 'kafka', 'sql', 'iis', 'rdp', 'file', 'prod', 'stg', 'dev', 'test'];

export function variedQuery(random: () => number): string {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const params = new URLSearchParams();
  const filters = Math.floor(random() * 4);
  while ([...params.keys()].length < filters) {
    const name = pick(NAMES);
    params.set(name, pick(CHOICES[name]!));
  }
  if (random() < 0.25) {
    const word = pick(NAME_WORDS);
    const at = Math.floor(random() * (word.length - 1));
    params.set('host_name', word.slice(at, at + 2));
  }
  if (random() < 0.5) params.set('enterprise_project_id', 'all_granted_eps');
  params.set('limit', String(10 + Math.floor(random() * 91)));
  params.set('offset', String(Math.floor(random() * 2001)));
  return params.toString();
}
