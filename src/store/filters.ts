// The host filters of GET /v5/{project_id}/host-management/hosts as one declarative table:
// query parameter → column and rule (docs/api.md, section 2). The store turns it into parameterized SQL.
import { EDITIONS, type ListHostsQuery } from '../contract/schemas.js';
import { labelsKey } from './labels.js';

type Filter =
  /** The column equals the value. */
  | { rule: 'equals'; column: string }
  /** The column holds the value, ignoring case (the column stores the case-folded text). */
  | { rule: 'contains'; column: string }
  /** Either column equals the value. */
  | { rule: 'eitherEquals'; columns: [string, string] }
  /** `0` is the default enterprise project, `all_granted_eps` every one of them. */
  | { rule: 'enterpriseProject'; column: string }
  /** `not_online` is every status but online, `installed` every status but not_installed. */
  | { rule: 'agentStatus'; column: string }
  /** One edition, or with `above_version=true` that edition and every later one (by rank). */
  | { rule: 'edition'; column: string; rankColumn: string }
  /** A boolean, stored as 0 or 1. */
  | { rule: 'flag'; column: string }
  /** One of the host's labels equals the value (the column holds them as `labelsKey` writes them). */
  | { rule: 'hasLabel'; column: string };

type FilterParam = Exclude<keyof ListHostsQuery, 'limit' | 'offset' | 'above_version' | 'refresh'>;

/** Every filter parameter. `above_version` modifies `version`; `refresh` has nothing to sync from in an emulator. */
const HOST_FILTERS: Record<FilterParam, Filter> = {
  enterprise_project_id: { rule: 'enterpriseProject', column: 'enterprise_project_id' },
  version: { rule: 'edition', column: 'version', rankColumn: 'edition_rank' },
  agent_status: { rule: 'agentStatus', column: 'agent_status' },
  detect_result: { rule: 'equals', column: 'detect_result' },
  host_name: { rule: 'contains', column: 'host_name_folded' },
  host_id: { rule: 'equals', column: 'host_id' },
  host_status: { rule: 'equals', column: 'host_status' },
  os_type: { rule: 'equals', column: 'os_type' },
  private_ip: { rule: 'equals', column: 'private_ip' },
  public_ip: { rule: 'equals', column: 'public_ip' },
  ip_addr: { rule: 'eitherEquals', columns: ['private_ip', 'public_ip'] },
  protect_status: { rule: 'equals', column: 'protect_status' },
  group_id: { rule: 'equals', column: 'group_id' },
  group_name: { rule: 'equals', column: 'group_name' },
  policy_group_id: { rule: 'equals', column: 'policy_group_id' },
  policy_group_name: { rule: 'equals', column: 'policy_group_name' },
  charging_mode: { rule: 'equals', column: 'charging_mode' },
  outside_host: { rule: 'flag', column: 'outside_host' },
  asset_value: { rule: 'equals', column: 'asset_value' },
  label: { rule: 'hasLabel', column: 'labels_key' },
  server_group: { rule: 'equals', column: 'group_name' },
};

/** A SQL condition and its bound values. */
export type Condition = [sql: string, params: unknown[]];

function conditionOf(filter: Filter, value: string | boolean, query: ListHostsQuery): Condition | undefined {
  switch (filter.rule) {
    case 'equals':
      return [`${filter.column} = ?`, [value]];
    case 'contains':
      return [`instr(${filter.column}, ?) > 0`, [String(value).toLowerCase()]];
    case 'eitherEquals':
      return [`(${filter.columns[0]} = ? OR ${filter.columns[1]} = ?)`, [value, value]];
    case 'enterpriseProject':
      return value === 'all_granted_eps' ? undefined : [`${filter.column} = ?`, [value]];
    case 'agentStatus':
      if (value === 'not_online') return [`${filter.column} IS NOT 'online'`, []];
      if (value === 'installed') return [`${filter.column} IS NOT 'not_installed'`, []];
      return [`${filter.column} = ?`, [value]];
    case 'edition':
      return query.above_version
        ? [`${filter.rankColumn} >= ?`, [EDITIONS.indexOf(value as (typeof EDITIONS)[number])]]
        : [`${filter.column} = ?`, [value]];
    case 'flag':
      return [`${filter.column} = ?`, [value ? 1 : 0]];
    case 'hasLabel':
      return [`instr(${filter.column}, ?) > 0`, [labelsKey([String(value)])]];
  }
}

/** The conditions a query sets, to be ANDed. An empty value (allowed only where the minimum length is 0) filters nothing. */
export function conditionsOf(query: ListHostsQuery): Condition[] {
  const conditions: Condition[] = [];
  for (const [param, filter] of Object.entries(HOST_FILTERS)) {
    const value = query[param as FilterParam];
    if (value === undefined || value === '') continue;
    const condition = conditionOf(filter, value, query);
    if (condition) conditions.push(condition);
  }
  return conditions;
}
