// A host as the hosts table keeps it: the narrow columns filters and orders read, with repeated
// texts as codes of the fleet's dictionary. The JSON of hosts the generator cannot make again
// (written, completed, patched) is kept beside, in docs.
import type { Host } from '../contract/schemas.js';
import { bitsOf } from './dimensions.js';
import { CODED_COLUMNS, type CodedColumn } from './filters.js';
import { labelsKey } from './labels.js';

/** The columns of a host row, in the order of `ROW_COLUMNS`. */
export type Row = (string | number | null)[];

export const ROW_COLUMNS = ['fleet', 'pos', 'bits', 'risk', 'scan', 'name', 'exact_name', 'host_id', 'private_ip', 'public_ip', ...CODED_COLUMNS] as const;

/** Each coded column's text in a host. */
const CODED_TEXT: Record<CodedColumn, (host: Host) => string | undefined> = {
  ep: (h) => h.enterprise_project_id,
  group_id: (h) => h.group_id,
  group_name: (h) => h.group_name,
  policy_group_id: (h) => h.policy_group_id,
  policy_group_name: (h) => h.policy_group_name,
  cluster_id: (h) => h.cluster_id,
  vpc_id: (h) => h.vpc_id,
  labels: (h) => (h.labels === undefined ? undefined : labelsKey(h.labels)),
};

const CODED_TEXTS = CODED_COLUMNS.map((column) => CODED_TEXT[column]);

/** Hosts by combination: by enterprise project, then bits. */
export type Combos = Map<number, Map<number, number>>;

/** Counts one more host of a combination. */
export function countCombo(combos: Combos, ep: number, bits: number): void {
  let byBits = combos.get(ep);
  if (!byBits) combos.set(ep, (byBits = new Map()));
  byBits.set(bits, (byBits.get(bits) ?? 0) + 1);
}

/** `risk_num`: every risk counted. */
export function riskOf(host: Host): number {
  return (host.asset ?? 0) + (host.vulnerability ?? 0) + (host.baseline ?? 0) + (host.intrusion ?? 0);
}

/** Where a dictionary's texts are: looked up, and added. */
export interface Texts {
  findCode: { get(fleet: number, kind: number, text: string): number | undefined };
  lastCode: { get(fleet: number, kind: number): number | null | undefined };
  addText: { run(fleet: number, kind: number, code: number, text: string): unknown };
}

/** The texts of a new fleet: none to look up; new ones go to `addText`. */
export function newTexts(addText: Texts['addText']): Texts {
  const none = { get: () => undefined };
  return { findCode: none, lastCode: none, addText };
}

/**
 * A fleet's dictionary of repeated texts, as one write sees it: codes read from the texts table
 * when first needed, new ones added to it. 0 stands for an absent field.
 */
export class Dictionary {
  /** The codes seen by this write, by kind (the index of the column in CODED_COLUMNS). */
  private readonly codes = CODED_COLUMNS.map(() => new Map<string, number>());
  private readonly next = new Map<number, number>();

  constructor(
    private readonly fleet: number,
    private readonly texts: Texts,
  ) {}

  code(kind: number, text: string | undefined): number {
    if (text === undefined) return 0;
    const known = this.codes[kind]!;
    let code = known.get(text);
    if (code !== undefined) return code;
    code = this.texts.findCode.get(this.fleet, kind, text);
    if (code === undefined) {
      code = (this.next.get(kind) ?? this.texts.lastCode.get(this.fleet, kind) ?? 0) + 1;
      this.next.set(kind, code);
      this.texts.addText.run(this.fleet, kind, code, text);
    }
    known.set(text, code);
    return code;
  }

  /** The row of a host at a position, and its combination (enterprise project and dimensions), which the counts key on. */
  row(pos: number, host: Host): { values: Row; ep: number; bits: number } {
    const name = host.host_name?.toLowerCase() ?? null;
    const bits = bitsOf(host);
    const codes = CODED_TEXTS.map((text, kind) => this.code(kind, text(host)));
    const values = [
      this.fleet,
      pos,
      bits,
      riskOf(host),
      host.agent_update_time ?? 0,
      name,
      host.host_name === undefined || host.host_name === name ? null : host.host_name,
      host.host_id ?? null,
      host.private_ip ?? null,
      host.public_ip ?? null,
      ...codes,
    ];
    return { values, ep: codes[0]!, bits };
  }
}
