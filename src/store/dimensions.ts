// The enum and boolean attributes of a host that filters select on ("dimensions"), packed into
// one integer per host: each enum value (and "absent") has a bit of its own, each boolean one bit.
// A filter on a dimension is then one test, `bits & mask != 0` (or `= 0`), and the store can keep
// a count per (enterprise project, bits) combination: a count for any mix of enum and boolean
// filters is a sum over those combinations, not a scan of the hosts.
import {
  AGENT_STATUSES,
  ASSET_VALUES,
  CHARGING_MODES,
  DETECT_RESULTS,
  EDITIONS,
  HOST_STATUSES,
  OS_TYPES,
  PROTECT_STATUSES,
  type Host,
} from '../contract/schemas.js';

type Value = string | boolean;

interface EnumDimension {
  kind: 'enum';
  values: readonly Value[];
  of: (host: Host) => Value | undefined;
}

/** A boolean whose absence counts as false: one bit, set when true. */
interface FlagDimension {
  kind: 'flag';
  of: (host: Host) => boolean;
}

type Dimension = EnumDimension & { offset: number } | FlagDimension & { offset: number };

const ENUMS = {
  version: { values: EDITIONS, of: (h: Host) => h.version },
  agent_status: { values: AGENT_STATUSES, of: (h: Host) => h.agent_status },
  detect_result: { values: DETECT_RESULTS, of: (h: Host) => h.detect_result },
  host_status: { values: HOST_STATUSES, of: (h: Host) => h.host_status },
  os_type: { values: OS_TYPES, of: (h: Host) => h.os_type },
  protect_status: { values: PROTECT_STATUSES, of: (h: Host) => h.protect_status },
  charging_mode: { values: CHARGING_MODES, of: (h: Host) => h.charging_mode },
  asset_value: { values: ASSET_VALUES, of: (h: Host) => h.asset_value },
  outside_host: { values: [false, true], of: (h: Host) => h.outside_host },
} as const;

const FLAGS = {
  has_vul: (h: Host) => (h.vulnerability ?? 0) > 0,
  has_baseline: (h: Host) => (h.baseline ?? 0) > 0,
  has_intrusion: (h: Host) => (h.intrusion ?? 0) > 0,
  upgradable: (h: Host) => h.upgradable === true,
  protect_interrupt: (h: Host) => h.protect_interrupt === true,
  protect_degradation: (h: Host) => h.protect_degradation === true,
  in_cluster: (h: Host) => h.cluster_id !== undefined,
  has_key: (h: Host) => h.key_name !== undefined,
} as const;

export type EnumName = keyof typeof ENUMS;
export type FlagName = keyof typeof FLAGS;

/** Every dimension with the position of its first bit. */
const DIMENSIONS = new Map<string, Dimension>();
let offset = 0;
for (const [name, { values, of }] of Object.entries(ENUMS)) {
  DIMENSIONS.set(name, { kind: 'enum', values, of, offset });
  offset += values.length + 1; // one bit more: absent
}
for (const [name, of] of Object.entries(FLAGS)) {
  DIMENSIONS.set(name, { kind: 'flag', of, offset });
  offset += 1;
}
/** Bits in use: they must stay within the integers a JavaScript number holds exactly. */
export const DIMENSION_BITS = offset;

/** Each enum dimension's bit by value (and when absent), each flag's bit: made once, read for every host written. */
const ENUM_BITS = [...DIMENSIONS.values()].flatMap((dimension) =>
  dimension.kind === 'enum'
    ? [{ of: dimension.of, bits: new Map(dimension.values.map((value, i) => [value, 2 ** (dimension.offset + i)])), absent: 2 ** (dimension.offset + dimension.values.length) }]
    : [],
);
const FLAG_BITS = [...DIMENSIONS.values()].flatMap((dimension) => (dimension.kind === 'flag' ? [{ of: dimension.of, bit: 2 ** dimension.offset }] : []));

/** The bits of a host: one per enum dimension (its value's, or "absent"), one per true flag. */
export function bitsOf(host: Host): number {
  let bits = 0;
  for (const { of, bits: byValue, absent } of ENUM_BITS) bits += byValue.get(of(host) as Value) ?? absent;
  for (const { of, bit } of FLAG_BITS) if (of(host)) bits += bit;
  return bits;
}

/** The mask of an enum dimension's values (null: absent): a host matches when `bits & mask != 0`. */
export function enumMask(name: EnumName, accepted: readonly (Value | null)[]): number {
  const dimension = DIMENSIONS.get(name) as EnumDimension & { offset: number };
  return accepted.reduce<number>((mask, value) => mask + 2 ** (dimension.offset + (value === null ? dimension.values.length : dimension.values.indexOf(value))), 0);
}

/** The bit of a flag: a host whose flag is true has it. */
export function flagBit(name: FlagName): number {
  return 2 ** DIMENSIONS.get(name)!.offset;
}
