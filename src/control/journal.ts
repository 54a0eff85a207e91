// The request journal: the last N requests to the emulated API, oldest first, in a ring so that
// memory stays bounded however long the emulator runs.
import { parse as parseQueryString } from 'node:querystring';
import { MAX_JOURNAL_PAGE, type JournalEntry as JournalView, type JournalQuery } from '../contract/schemas.js';

/** A journal entry as recorded: the time is formatted, and the URL split into path and decoded query, only when listed. */
export type JournalEntry = Omit<JournalView, 'time' | 'path' | 'query'> & {
  /** Epoch milliseconds. */
  at: number;
  /** The path and query string as received. */
  url: string;
};
export type { JournalView };

/**
 * The most of each free-text value an entry keeps, in characters: longer values are cut and end in
 * CUT_MARK. Every other value is short by construction, so an entry stays under about 2 KB (README, Limits).
 */
export const JOURNAL_TEXT_LIMITS = { url: 1024, project_id: 256, region: 128, caller: 128 } as const;
export const CUT_MARK = '...(cut)';

/** The first `limit` characters and the mark, as a string of its own: a slice would keep the whole value alive. */
function cut<T extends string | null>(text: T, limit: number): T {
  if (text === null || text.length <= limit) return text;
  return Buffer.from(`${text.slice(0, limit)}${CUT_MARK}`).toString() as T;
}

export class RequestJournal {
  private entries: JournalEntry[] = [];
  /** Where the oldest entry is, once the ring is full. */
  private oldest = 0;

  constructor(private readonly capacity: number) {}

  record(recorded: JournalEntry): void {
    if (this.capacity === 0) return;
    const { url, project_id, region, caller } = JOURNAL_TEXT_LIMITS;
    const entry = {
      ...recorded,
      url: cut(recorded.url, url),
      project_id: cut(recorded.project_id, project_id),
      region: cut(recorded.region, region),
      caller: cut(recorded.caller, caller),
    };
    if (this.entries.length < this.capacity) {
      this.entries.push(entry);
    } else {
      this.entries[this.oldest] = entry;
      this.oldest = (this.oldest + 1) % this.capacity;
    }
  }

  /** A page of the entries that match the filters, oldest first (or newest first), and how many match in all. */
  list(query: JournalQuery = {}): { total: number; requests: JournalView[] } {
    const { project_id, status, order = 'asc', offset = 0, limit = MAX_JOURNAL_PAGE } = query;
    const ordered = [...this.entries.slice(this.oldest), ...this.entries.slice(0, this.oldest)];
    const matching = ordered.filter((entry) => (project_id === undefined || entry.project_id === project_id) && (status === undefined || entry.status === status));
    if (order === 'desc') matching.reverse();
    return { total: matching.length, requests: matching.slice(offset, offset + limit).map(view) };
  }

  clear(): void {
    this.entries = [];
    this.oldest = 0;
  }
}

/** An entry as listed: the time formatted, the URL split into path and decoded query. */
function view({ url, at, method, ...rest }: JournalEntry): JournalView {
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  const query = mark === -1 ? {} : { ...parseQueryString(url.slice(mark + 1)) };
  return { time: new Date(at).toISOString(), method, path, query, ...rest } as JournalView;
}
