// What the store remembers about a project's list queries until the project changes: the count
// of each filter combination, the pages served (so that a client polling the same query costs
// no SQL), and checkpoints (offset → id) so that a new deep page does not step over every row
// before it again. Bounded, so that memory stays flat.

export interface CacheLimits {
  projects: number;
  filtersPerProject: number;
  checkpointsPerFilter: number;
  /** Bytes of serialized hosts kept in pages, over every project. */
  pageBytes: number;
}

const DEFAULT_LIMITS: CacheLimits = { projects: 1000, filtersPerProject: 256, checkpointsPerFilter: 1024, pageBytes: 32 * 1024 * 1024 };

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

/** What is known of one filter combination of one project. */
export class FilterMemo {
  total: number | undefined;
  private readonly pages = new Map<string, string>();
  /** Sorted by offset: the matching row at `offset` (0-based) has id `id`, or is the first with a larger id. */
  private offsets: number[] = [0];
  private ids: number[] = [0];

  constructor(
    private readonly budget: PageBudget,
    private readonly maxCheckpoints: number,
  ) {}

  /** A page served before, by offset and limit. */
  page(offset: number, limit: number): string | undefined {
    return this.pages.get(`${offset}:${limit}`);
  }

  rememberPage(offset: number, limit: number, hostsJson: string): void {
    const key = `${offset}:${limit}`;
    this.budget.spend(this, key, hostsJson.length);
    this.pages.set(key, hostsJson);
  }

  forgetPage(key: string): void {
    this.pages.delete(key);
  }

  /** The checkpoint nearest below an offset: start there, and skip `offset - checkpoint.offset` rows. */
  nearest(offset: number): { offset: number; id: number } {
    let low = 0;
    let high = this.offsets.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.offsets[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { offset: this.offsets[low]!, id: this.ids[low]! };
  }

  /** Records that the matching row at `offset` has id `id` (or is the first with an id at least `id`). */
  remember(offset: number, id: number): void {
    if (this.nearest(offset).offset === offset) return;
    if (this.offsets.length >= this.maxCheckpoints) {
      this.offsets = [0];
      this.ids = [0];
    }
    const after = this.offsets.findIndex((known) => known > offset);
    const index = after === -1 ? this.offsets.length : after;
    this.offsets.splice(index, 0, offset);
    this.ids.splice(index, 0, id);
  }
}

export class ListCache {
  private readonly projects = new Map<string, Map<string, FilterMemo>>();
  private readonly budget: PageBudget;

  constructor(private readonly limits: CacheLimits = DEFAULT_LIMITS) {
    this.budget = new PageBudget(limits.pageBytes);
  }

  /** What is known of a filter combination (its validated filters, as one key) of a project. */
  memo(projectId: string, filterKey: string): FilterMemo {
    let filters = this.projects.get(projectId);
    if (!filters) {
      if (this.projects.size >= this.limits.projects) this.projects.clear();
      filters = new Map();
      this.projects.set(projectId, filters);
    }
    let memo = filters.get(filterKey);
    if (!memo) {
      if (filters.size >= this.limits.filtersPerProject) filters.clear();
      memo = new FilterMemo(this.budget, this.limits.checkpointsPerFilter);
      filters.set(filterKey, memo);
    }
    return memo;
  }

  /** Forgets what is known of a project (it changed), or of every project. */
  forget(projectId?: string): void {
    if (projectId === undefined) this.projects.clear();
    else this.projects.delete(projectId);
  }
}
