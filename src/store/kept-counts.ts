// Counts gathered for queries, kept while they are used: a bound on entries and on rows, the
// least recently used forgotten first, so that however many different queries clients send, what
// is kept stays within a known size.

interface Entry<T> {
  fleet: number;
  rows: number;
  counts: T;
}

export class KeptCounts<T> {
  /** By key, least recently used first. */
  private readonly entries = new Map<string, Entry<T>>();
  private rows = 0;

  constructor(
    private readonly maxEntries: number,
    readonly maxRows: number,
  ) {}

  /** Rows kept, over every entry. */
  get size(): number {
    return this.rows;
  }

  /** The counts kept under a key, if they are. */
  get(key: string): T | undefined {
    const known = this.entries.get(key);
    if (!known) return undefined;
    this.entries.delete(key);
    this.entries.set(key, known);
    return known.counts;
  }

  /** The counts kept under a key of a fleet, or made by `make` (with how many rows they hold) and kept. */
  keep(fleet: number, key: string, make: () => { rows: number; counts: T }): T {
    const known = this.get(key);
    if (known !== undefined) return known;
    const entry = { fleet, ...make() };
    this.entries.set(key, entry);
    this.rows += entry.rows;
    for (const [oldest, { rows }] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.rows <= this.maxRows) break;
      if (oldest === key) break;
      this.entries.delete(oldest);
      this.rows -= rows;
    }
    return entry.counts;
  }

  /** Forgets the entries of a fleet. */
  forgetFleet(fleet: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.fleet !== fleet) continue;
      this.entries.delete(key);
      this.rows -= entry.rows;
    }
  }

  clear(): void {
    this.entries.clear();
    this.rows = 0;
  }
}
