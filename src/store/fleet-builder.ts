// What the worker thread that builds a fleet's database file does, for fleet-files.ts: it creates
// the tables, inserts the rows the main thread sends, then creates the hosts' indexes and closes
// the file. Rows inserted into tables without indexes cost about 4 µs each, the indexes built
// after them about 4 µs a row more, here, beside the main thread that draws the hosts.
// Runs nothing but the SQL it is given: it imports no module of the store.
import Database from 'better-sqlite3';
import type { MessagePort } from 'node:worker_threads';

/** What a build does: the file, and its statements. */
export interface BuildPlan {
  path: string;
  /** Creates the tables. */
  tables: string;
  /** The hosts table's columns, in the order of the values sent. */
  hostColumns: readonly string[];
  /** Inserts a dictionary text. */
  insertText: string;
  /** Creates the indexes, once every row is in. */
  indexes: string;
}

/**
 * Rows to insert, their values one after another in `hosts` (answered `written`), or the end of
 * the rows (answered `built`, then the port closes).
 */
export type BuildMessage = { hosts: unknown[]; texts: unknown[][] } | 'end';

/** Rows one insert statement takes (at most 32,766 values). */
const ROWS_A_STATEMENT = 64;

/** Builds the file of `plan` from the messages of `port`. */
export function serveBuild(plan: BuildPlan, port: Pick<MessagePort, 'on' | 'postMessage' | 'close'>): void {
  const db = new Database(plan.path);
  // Nobody reads the file until it is built, and a build that fails deletes it: no journal, no sync.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('temp_store = MEMORY');
  // The indexes read the whole table: mapped, a fifth faster than through SQLite's page cache.
  db.pragma('mmap_size = 4294967296');
  db.exec(plan.tables);
  const columns = plan.hostColumns.length;
  // Rows a statement at a time: a call into SQLite per row cost a third of the insert.
  const insertRows = (rows: number) => db.prepare(`INSERT INTO hosts (${plan.hostColumns.join(', ')}) VALUES ${Array(rows).fill(`(${plan.hostColumns.map(() => '?').join(', ')})`).join(', ')}`);
  const insertMany = insertRows(ROWS_A_STATEMENT);
  const insertOne = insertRows(1);
  const insertText = db.prepare(plan.insertText);
  const insert = db.transaction((hosts: unknown[], texts: unknown[][]) => {
    for (const text of texts) insertText.run(...text);
    let at = 0;
    for (const many = ROWS_A_STATEMENT * columns; at + many <= hosts.length; at += many) insertMany.run(...hosts.slice(at, at + many));
    for (; at < hosts.length; at += columns) insertOne.run(...hosts.slice(at, at + columns));
  });
  port.on('message', (message: BuildMessage) => {
    if (message !== 'end') {
      insert(message.hosts, message.texts);
      port.postMessage('written');
      return;
    }
    db.exec(plan.indexes);
    db.close();
    port.postMessage('built');
    port.close();
  });
}
