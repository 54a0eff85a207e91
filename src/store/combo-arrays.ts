// The counts kept per combination of a fleet (its `combos` rows), copied into typed arrays for the
// fleets counted most recently: a count of any mix of dimension and enterprise project filters
// sums the matching combinations in a loop, about a hundred times faster than SQLite tests the same
// 18,000 rows (0.8 ms at 100,000 hosts). The table stays what is kept; a copy is read again from it
// after any change to the fleet.
import type { ComboTest } from './filters.js';

/** A combination's 50-odd bits, as two 32-bit halves: JavaScript's bitwise operators take 32 bits. */
const HALF = 2 ** 32;

interface Combos {
  ep: Int32Array;
  low: Int32Array;
  high: Int32Array;
  hosts: Float64Array;
}

export class ComboArrays {
  /** By fleet, least recently used first. */
  private readonly fleets = new Map<number, Combos>();
  private rows = 0;

  /** At most `maxRows` combinations kept, over every fleet (16 bytes each). */
  constructor(private readonly maxRows: number) {}

  /**
   * The hosts of a fleet's combinations that pass every test. `load` reads the fleet's rows when
   * they are not kept; `codeOf` gives an enterprise project's code in the fleet's dictionary.
   */
  count(
    fleet: number,
    tests: readonly ComboTest[],
    load: () => { ep: number; bits: number; hosts: number }[],
    codeOf: (enterpriseProject: string) => number | undefined,
  ): number {
    const combos = this.combosOf(fleet, load);
    // The tests as flat arrays, and the enterprise project's code if one is tested: the loop
    // below runs for every combination.
    const bitTests = tests.filter((test) => 'bits' in test);
    const low = Int32Array.from(bitTests, (test) => test.bits % HALF | 0);
    const high = Int32Array.from(bitTests, (test) => Math.floor(test.bits / HALF) | 0);
    const set = bitTests.map((test) => test.set);
    const codes = new Set(tests.flatMap((test) => ('enterpriseProject' in test ? [codeOf(test.enterpriseProject)] : [])));
    if (codes.has(undefined) || codes.size > 1) return 0;
    const ep = codes.size === 1 ? [...codes][0]! : undefined;
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

  private combosOf(fleet: number, load: () => { ep: number; bits: number; hosts: number }[]): Combos {
    const kept = this.fleets.get(fleet);
    if (kept) {
      this.fleets.delete(fleet);
      this.fleets.set(fleet, kept);
      return kept;
    }
    const rows = load();
    const combos: Combos = { ep: new Int32Array(rows.length), low: new Int32Array(rows.length), high: new Int32Array(rows.length), hosts: new Float64Array(rows.length) };
    rows.forEach(({ ep, bits, hosts }, i) => {
      combos.ep[i] = ep;
      combos.low[i] = bits % HALF | 0;
      combos.high[i] = Math.floor(bits / HALF) | 0;
      combos.hosts[i] = hosts;
    });
    this.fleets.set(fleet, combos);
    this.rows += rows.length;
    for (const [oldest, { hosts }] of this.fleets) {
      if (this.rows <= this.maxRows || oldest === fleet) break;
      this.fleets.delete(oldest);
      this.rows -= hosts.length;
    }
    return combos;
  }
}
