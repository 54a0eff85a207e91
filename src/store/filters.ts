// The host filters of GET /v5/{project_id}/host-management/hosts as one declarative table:
// query parameter → column and rule (docs/api.md, section 2). The store turns it into
// parameterized SQL, over the hosts or, when every filter is a dimension, over the counts kept
// per combination of dimensions.
import { EDITIONS, type ListHostsQuery } from '../contract/schemas.js';
import { enumMask, flagBit, type EnumName, type FlagName } from './dimensions.js';
import { labelsKey } from './labels.js';

/** Text columns kept as codes of a per-fleet dictionary (the `texts` table), by kind. */
export const CODED_COLUMNS = ['ep', 'group_id', 'group_name', 'policy_group_id', 'policy_group_name', 'cluster_id', 'vpc_id', 'labels'] as const;
export type CodedColumn = (typeof CODED_COLUMNS)[number];

type Filter =
  /** `0` is the default enterprise project, `all_granted_eps` every one of them. */
  | { rule: 'enterpriseProject' }
  /** An enum dimension: the value, or the values it stands for (`not_online`, `above_version`). */
  | { rule: 'enum'; dimension: EnumName; accepts?: (value: string, query: ListHostsQuery) => readonly (string | boolean | null)[] }
  /** A boolean dimension whose absence counts as false. */
  | { rule: 'flag'; dimension: FlagName }
  /** A text column kept as a dictionary code equals the value. */
  | { rule: 'coded'; column: CodedColumn }
  /** One of the host's labels equals the value. */
  | { rule: 'hasLabel' }
  /** The column equals the value. */
  | { rule: 'equals'; column: string }
  /** Either column equals the value. */
  | { rule: 'eitherEquals'; columns: [string, string] }
  /** The host name holds the value, ignoring case (the column keeps the case-folded name). */
  | { rule: 'nameContains' }
  /** The column equals one of the comma-separated items. */
  | { rule: 'oneOf'; column: string };

type FilterParam = Exclude<
  keyof ListHostsQuery,
  'limit' | 'offset' | 'above_version' | 'refresh' | 'install_mode' | 'sort_key' | 'sort_dir' | 'get_common_login_locations'
>;

/** The host name as given: `exact_name` holds it only where it differs from the folded one. */
const EXACT_NAME = 'coalesce(exact_name, name)';

/**
 * Every filter parameter. `above_version` modifies `version`; `refresh` has nothing to sync from
 * in an emulator and `install_mode` no definition anywhere; sort and answer-shaping parameters
 * are not filters.
 */
const HOST_FILTERS: Record<FilterParam, Filter> = {
  enterprise_project_id: { rule: 'enterpriseProject' },
  version: {
    rule: 'enum',
    dimension: 'version',
    accepts: (value, query) => (query.above_version ? EDITIONS.slice(EDITIONS.indexOf(value as (typeof EDITIONS)[number])) : [value]),
  },
  // `not_online` and `installed` also match a host without an agent status (null), as SQL's `IS NOT` does.
  agent_status: {
    rule: 'enum',
    dimension: 'agent_status',
    accepts: (value) =>
      value === 'not_online'
        ? ['not_installed', 'offline', 'install_failed', 'installing', null]
        : value === 'installed'
          ? ['online', 'offline', 'install_failed', 'installing', null]
          : [value],
  },
  detect_result: { rule: 'enum', dimension: 'detect_result' },
  host_name: { rule: 'nameContains' },
  host_id: { rule: 'equals', column: 'host_id' },
  host_status: { rule: 'enum', dimension: 'host_status' },
  os_type: { rule: 'enum', dimension: 'os_type' },
  private_ip: { rule: 'equals', column: 'private_ip' },
  public_ip: { rule: 'equals', column: 'public_ip' },
  ip_addr: { rule: 'eitherEquals', columns: ['private_ip', 'public_ip'] },
  protect_status: { rule: 'enum', dimension: 'protect_status' },
  group_id: { rule: 'coded', column: 'group_id' },
  group_name: { rule: 'coded', column: 'group_name' },
  policy_group_id: { rule: 'coded', column: 'policy_group_id' },
  policy_group_name: { rule: 'coded', column: 'policy_group_name' },
  charging_mode: { rule: 'enum', dimension: 'charging_mode' },
  outside_host: { rule: 'enum', dimension: 'outside_host' },
  asset_value: { rule: 'enum', dimension: 'asset_value' },
  label: { rule: 'hasLabel' },
  server_group: { rule: 'coded', column: 'group_name' },
  has_vul: { rule: 'flag', dimension: 'has_vul' },
  has_baseline: { rule: 'flag', dimension: 'has_baseline' },
  has_intrusion: { rule: 'flag', dimension: 'has_intrusion' },
  agent_upgradable: { rule: 'flag', dimension: 'upgradable' },
  protect_interrupt: { rule: 'flag', dimension: 'protect_interrupt' },
  protect_degradation: { rule: 'flag', dimension: 'protect_degradation' },
  incluster: { rule: 'flag', dimension: 'in_cluster' },
  binding_key: { rule: 'flag', dimension: 'has_key' },
  cluster_id: { rule: 'coded', column: 'cluster_id' },
  vpc_id: { rule: 'coded', column: 'vpc_id' },
  host_name_list: { rule: 'oneOf', column: EXACT_NAME },
  host_id_list: { rule: 'oneOf', column: 'host_id' },
  private_ip_list: { rule: 'oneOf', column: 'private_ip' },
  public_ip_list: { rule: 'oneOf', column: 'public_ip' },
};

/**
 * How a condition on dimensions or the enterprise project tests one combination of the counts
 * kept per combination: some of `bits` set (or none), or the enterprise project whose text is
 * given.
 */
export type ComboTest = { bits: number; set: boolean } | { enterpriseProject: string };

/**
 * A condition, ANDed with the others: SQL over the hosts table, with its values. `fleet` in
 * `params` stands for the fleet's number. `combo` is given for conditions that hold on the counts
 * table too (dimensions and enterprise projects), the same test; `substring` marks the host name
 * filter, which the store counts from what it remembers of each substring.
 */
export interface Condition {
  sql: string;
  params: unknown[];
  combo?: ComboTest;
  substring?: string;
}

export const FLEET = Symbol('fleet');

/** A code of a fleet's dictionary (in its schema), as a scalar subquery that is NULL when the text is unknown (so nothing matches). */
function code(schema: string, column: CodedColumn, value: string): [string, unknown[]] {
  return [`(SELECT code FROM ${schema}.texts WHERE fleet = ? AND kind = ${CODED_COLUMNS.indexOf(column)} AND text = ?)`, [FLEET, value]];
}

function conditionOf(filter: Filter, value: string | boolean, query: ListHostsQuery, schema: string): Condition | undefined {
  switch (filter.rule) {
    case 'enterpriseProject': {
      if (value === 'all_granted_eps') return undefined;
      const [subquery, params] = code(schema, 'ep', value as string);
      // `+ep`: a condition to test on each row, never a way into an index (the store chooses those).
      return { sql: `+ep = ${subquery}`, params, combo: { enterpriseProject: value as string } };
    }
    case 'enum': {
      const mask = enumMask(filter.dimension, filter.accepts ? filter.accepts(value as string, query) : [value]);
      return { sql: 'bits & ? != 0', params: [mask], combo: { bits: mask, set: true } };
    }
    case 'flag':
      return { sql: `bits & ? ${value ? '!=' : '='} 0`, params: [flagBit(filter.dimension)], combo: { bits: flagBit(filter.dimension), set: value as boolean } };
    case 'coded': {
      const [subquery, params] = code(schema, filter.column, value as string);
      return { sql: `${filter.column} = ${subquery}`, params };
    }
    case 'hasLabel':
      return {
        sql: `labels IN (SELECT code FROM ${schema}.texts WHERE fleet = ? AND kind = ${CODED_COLUMNS.indexOf('labels')} AND instr(text, ?) > 0)`,
        params: [FLEET, labelsKey([String(value)])],
      };
    case 'equals':
      return { sql: `${filter.column} = ?`, params: [value] };
    case 'eitherEquals':
      return { sql: `(${filter.columns[0]} = ? OR ${filter.columns[1]} = ?)`, params: [value, value] };
    case 'nameContains': {
      const folded = String(value).toLowerCase();
      return { sql: 'instr(name, ?) > 0', params: [folded], substring: folded };
    }
    case 'oneOf': {
      const items = [...new Set(String(value).split(','))];
      return { sql: `${filter.column} IN (${items.map(() => '?').join(', ')})`, params: items };
    }
  }
}

/**
 * The conditions a query sets, to be ANDed, over the tables of a schema (`main` or `cache`). An
 * empty value (allowed only where the minimum length is 0) filters nothing.
 */
export function conditionsOf(query: ListHostsQuery, schema: string): Condition[] {
  const conditions: Condition[] = [];
  for (const [param, filter] of Object.entries(HOST_FILTERS)) {
    const value = query[param as FilterParam];
    if (value === undefined || value === '') continue;
    const condition = conditionOf(filter, value, query, schema);
    if (condition) conditions.push(condition);
  }
  return conditions;
}
