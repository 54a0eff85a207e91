// The counts kept per combination of a fleet (its `combos` rows), copied into typed arrays for the
// fleets counted most recently: a count of any mix of dimension and enterprise project filters
// sums the matching combinations in a loop, several times faster than SQLite tests the same
// 18,000 rows (0.8 ms at 100,000 hosts). The table stays what is kept; a copy is read again from it
// after any change to the fleet. A fleet with more combinations than the bound is not copied.
import type { ComboTest } from './filters.js';

/** A combination's 50-odd bits, as two 32-bit halves: JavaScript's bitwise operators take 32 bits. */
const HALF = 2 ** 32;

/** 16 bytes a combination (a combination's hosts fit 32 bits: a project holds at most 2,000,000). */
interface Combos {
  ep: Int32Array;
  low: Int32Array;
  high: Int32Array;
  hosts: Int32Array;
}

/** A fleet's combinations in the table: how many, and each as (ep, bits, hosts). */
export interface ComboRows {
  size: () => number;
  rows: () => Iterable<readonly [number, number, number]>;
}

export class ComboArrays {
  /** By fleet, least recently used first. */
  private readonly fleets = new Map<number, Combos>();
  private rows = 0;

  /** At most `maxRows` combinations kept, over every fleet (16 bytes each). */
  constructor(private readonly maxRows: number) {}

  /**
   * The hosts of a fleet's combinations that pass every test; undefined when the fleet has more
   * combinations than the bound (count them in SQL). `table` gives the fleet's rows when they are
   * not kept; `codeOf` gives an enterprise project's code in the fleet's dictionary.
   */
  count(fleet: number, tests: readonly ComboTest[], table: ComboRows, codeOf: (enterpriseProject: string) => number | undefined): number | undefined {
    const combos = this.combosOf(fleet, table);
    if (!combos) return undefined;
    // The tests as flat arrays, and the enterprise project's code if one is tested (a query
    // names at most one): the loop below runs for every combination.
    const bitTests = tests.filter((test) => 'bits' in test);
    const low = Int32Array.from(bitTests, (test) => test.bits % HALF | 0);
    const high = Int32Array.from(bitTests, (test) => Math.floor(test.bits / HALF) | 0);
    const set = bitTests.map((test) => test.set);
    const epTest = tests.find((test) => 'enterpriseProject' in test);
    const ep = epTest && codeOf(epTest.enterpriseProject);
    if (epTest && ep === undefined) return 0;
    let total = 0;
    rows: for (let i = 0; i < combos.hosts.length; i++) {
      if (ep !== undefined && combos.ep[i] !== ep) continue;
      for (let t = 0; t < low.length; t++) {
        if ((((combos.low[i]! & low[t]!) | (combos.high[i]! & high[t]!)) !== 0) !== set[t]) continue rows;
      }
      total += combos.hosts[i]!;
    }
    return total;
  }

  /** The fleet's combinations changed, or the fleet is gone. */
  forget(fleet: number): void {
    const combos = this.fleets.get(fleet);
    if (!combos) return;
    this.fleets.delete(fleet);
    this.rows -= combos.hosts.length;
  }

  clear(): void {
    this.fleets.clear();
    this.rows = 0;
  }

  private combosOf(fleet: number, table: ComboRows): Combos | undefined {
    const kept = this.fleets.get(fleet);
    if (kept) {
      this.fleets.delete(fleet);
      this.fleets.set(fleet, kept);
      return kept;
    }
    const size = table.size();
    if (size > this.maxRows) return undefined;
    const combos: Combos = { ep: new Int32Array(size), low: new Int32Array(size), high: new Int32Array(size), hosts: new Int32Array(size) };
    let i = 0;
    for (const [ep, bits, hosts] of table.rows()) {
      combos.ep[i] = ep;
      combos.low[i] = bits % HALF | 0;
      combos.high[i] = Math.floor(bits / HALF) | 0;
      combos.hosts[i] = hosts;
      i += 1;
    }
    this.fleets.set(fleet, combos);
    this.rows += size;
    for (const [oldest, { hosts }] of this.fleets) {
      if (this.rows <= this.maxRows) break;
      this.fleets.delete(oldest);
      this.rows -= hosts.length;
    }
    return combos;
  }
}
