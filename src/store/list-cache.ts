// What the store remembers about a fleet's list queries until the fleet changes: the count of
// each filter combination, the pages served (so that a client polling the same query costs no
// SQL), and checkpoints (offset → row) so that the next page of a walk, or a new deep page, does
// not step over every row before it again. Bounded, so that memory stays flat.

export interface CacheLimits {
  fleets: number;
  filtersPerFleet: number;
  checkpointsPerFilter: number;
  /** Checkpoints over every memo (each about 50 bytes). */
  checkpoints: number;
  /** Bytes of serialized hosts kept in pages, over every project. */
  pageBytes: number;
}

const DEFAULT_LIMITS: CacheLimits = { fleets: 1000, filtersPerFleet: 256, checkpointsPerFilter: 1024, checkpoints: 500_000, pageBytes: 32 * 1024 * 1024 };

/** A budget of bytes shared by every memo's pages; when it runs out, the oldest pages are forgotten first. */
class PageBudget {
  private used = 0;
  /** Pages in the order they were remembered. */
  private readonly pages: { memo: FilterMemo; key: string; bytes: number }[] = [];
  private oldest = 0;

  constructor(private readonly limit: number) {}

  spend(memo: FilterMemo, key: string, bytes: number): void {
    while (this.used + bytes > this.limit && this.oldest < this.pages.length) {
      const page = this.pages[this.oldest++]!;
      page.memo.forgetPage(page.key);
      this.used -= page.bytes;
    }
    // Compact now and then, so that the queue does not keep what it has already let go of.
    if (this.oldest > 1024 && this.oldest * 2 > this.pages.length) {
      this.pages.splice(0, this.oldest);
      this.oldest = 0;
    }
    this.pages.push({ memo, key, bytes });
    this.used += bytes;
  }
}

/**
 * Where the matching row at an offset is, in the order of the query: the row with this sort key
 * and position, or the first after it (`key` null: before every key).
 */
export interface Checkpoint {
  offset: number;
  key: number | null;
  pos: number;
}

/** Before the first row, in any order. */
const START: Checkpoint = { offset: 0, key: null, pos: 0 };

/** What is known of one filter combination (and order) of one fleet. */
export class FilterMemo {
  total: number | undefined;
  private readonly pages = new Map<string, Buffer>();
  /** Sorted by offset. */
  private checkpoints: Checkpoint[] = [START];

  constructor(
    private readonly budget: PageBudget,
    private readonly maxCheckpoints: number,
    /** Checkpoints over every memo of the cache. */
    private readonly tally: { checkpoints: number },
  ) {}

  /** Checkpoints remembered (the start aside). */
  get checkpointCount(): number {
    return this.checkpoints.length - 1;
  }

  /** A page served before, by offset and limit. */
  page(offset: number, limit: number): Buffer | undefined {
    return this.pages.get(`${offset}:${limit}`);
  }

  rememberPage(offset: number, limit: number, json: Buffer): void {
    const key = `${offset}:${limit}`;
    this.budget.spend(this, key, json.length);
    this.pages.set(key, json);
  }

  forgetPage(key: string): void {
    this.pages.delete(key);
  }

  /** The checkpoint nearest below an offset: start there, and skip `offset - checkpoint.offset` rows. */
  nearest(offset: number): Checkpoint {
    let low = 0;
    let high = this.checkpoints.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.checkpoints[middle]!.offset <= offset) low = middle;
      else high = middle - 1;
    }
    return this.checkpoints[low]!;
  }

  /** Records where the matching row at an offset is. */
  remember(checkpoint: Checkpoint): void {
    if (this.nearest(checkpoint.offset).offset === checkpoint.offset) return;
    if (this.checkpoints.length >= this.maxCheckpoints) {
      this.tally.checkpoints -= this.checkpointCount;
      this.checkpoints = [START];
    }
    this.tally.checkpoints += 1;
    const after = this.checkpoints.findIndex((known) => known.offset > checkpoint.offset);
    this.checkpoints.splice(after === -1 ? this.checkpoints.length : after, 0, checkpoint);
  }
}

export class ListCache {
  private readonly fleets = new Map<number, Map<string, FilterMemo>>();
  private readonly budget: PageBudget;
  private readonly tally = { checkpoints: 0 };

  constructor(private readonly limits: CacheLimits = DEFAULT_LIMITS) {
    this.budget = new PageBudget(limits.pageBytes);
  }

  /** What is known of a filter combination (its validated filters and order, as one key) of a fleet. */
  memo(fleet: number, filterKey: string): FilterMemo {
    if (this.tally.checkpoints > this.limits.checkpoints) this.forget();
    let filters = this.fleets.get(fleet);
    if (!filters) {
      if (this.fleets.size >= this.limits.fleets) this.forget();
      filters = new Map();
      this.fleets.set(fleet, filters);
    }
    let memo = filters.get(filterKey);
    if (!memo) {
      if (filters.size >= this.limits.filtersPerFleet) this.forgetMemos(filters);
      memo = new FilterMemo(this.budget, this.limits.checkpointsPerFilter, this.tally);
      filters.set(filterKey, memo);
    }
    return memo;
  }

  /** Forgets what is known of a fleet (it changed), or of every fleet. */
  forget(fleet?: number): void {
    if (fleet === undefined) {
      this.fleets.clear();
      this.tally.checkpoints = 0;
      return;
    }
    const filters = this.fleets.get(fleet);
    if (filters) this.forgetMemos(filters);
    this.fleets.delete(fleet);
  }

  private forgetMemos(filters: Map<string, FilterMemo>): void {
    for (const memo of filters.values()) this.tally.checkpoints -= memo.checkpointCount;
    filters.clear();
  }
}

/**
 * Texts by key within a budget of characters, the least recently used leaving first (about): two
 * generations, the older dropped whole when the younger holds half the budget; a text used from
 * the older moves to the younger. Constant time a use, where trimming a Map from its start steps
 * over every entry deleted before (a tenth of the time of a varied load went there).
 */
export class TextCache {
  private younger = new Map<string, string>();
  private older = new Map<string, string>();
  private youngerSize = 0;

  constructor(private readonly budget: number) {}

  get(key: string): string | undefined {
    const text = this.younger.get(key);
    if (text !== undefined) return text;
    const old = this.older.get(key);
    if (old !== undefined) {
      this.older.delete(key);
      this.set(key, old);
    }
    return old;
  }

  set(key: string, text: string): void {
    this.younger.set(key, text);
    this.youngerSize += text.length;
    if (this.youngerSize * 2 > this.budget) {
      this.older = this.younger;
      this.younger = new Map();
      this.youngerSize = 0;
    }
  }

  /** Forgets the texts whose keys pass `test`. */
  forget(test: (key: string) => boolean): void {
    for (const generation of [this.younger, this.older]) {
      for (const [key, text] of generation) {
        if (!test(key)) continue;
        generation.delete(key);
        if (generation === this.younger) this.youngerSize -= text.length;
      }
    }
  }

  clear(): void {
    this.younger.clear();
    this.older.clear();
    this.youngerSize = 0;
  }
}
