// Counts gathered for queries (rows of a temporary table), kept while they are used: a bound on
// entries and on rows, the least recently used forgotten first, so that however many different
// queries clients send, what is kept stays within a known size.

interface Entry {
  fleet: number;
  rows: number;
  forget: () => void;
}

export class KeptCounts {
  /** By key, least recently used first. */
  private readonly entries = new Map<string, Entry>();
  private rows = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxRows: number,
  ) {}

  /** Rows kept, over every entry. */
  get size(): number {
    return this.rows;
  }

  /**
   * Keeps what `make` counts under a key of a fleet, unless it is kept already: `make` writes the
   * rows and gives how many, and how to delete them.
   */
  keep(fleet: number, key: string, make: () => { rows: number; forget: () => void }): void {
    const known = this.entries.get(key);
    if (known) {
      this.entries.delete(key);
      this.entries.set(key, known);
      return;
    }
    const entry = { fleet, ...make() };
    this.entries.set(key, entry);
    this.rows += entry.rows;
    for (const [oldest, { rows, forget }] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.rows <= this.maxRows) break;
      if (oldest === key) break;
      this.entries.delete(oldest);
      this.rows -= rows;
      forget();
    }
  }

  /** Forgets the entries of a fleet, whose rows the caller deletes. */
  forgetFleet(fleet: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.fleet !== fleet) continue;
      this.entries.delete(key);
      this.rows -= entry.rows;
    }
  }

  /** Forgets every entry, whose rows the caller deletes. */
  clear(): void {
    this.entries.clear();
    this.rows = 0;
  }
}
