// The SQLite database: its tables, and opening a file safely. A file that is not hss-mock's, or
// is another version's, or is in use by another process, is refused before anything is written.
import Database from 'better-sqlite3';
import { StartupError } from '../contract/errors.js';

/** Bumped whenever the tables change; a file of another version is refused, not misread. */
export const SCHEMA_VERSION = 5;

/** The column each `sort_key` sorts by, with an index (fleet, column, pos) that walks it either way. */
export const SORT_COLUMNS = { risk_num: 'risk', recent_scan_time: 'scan' } as const;

/**
 * The tables of a schema: `main` (the file, or memory) holds what was written; with a file, an
 * attached in-memory `cache` holds the starting fleets, which are never written to the file. A
 * large generated fleet's own file has them too, its hosts' indexes made after its rows.
 */
function tablesOf(schema: string, hostIndexes = true): string {
  return `
  -- A fleet: hosts at positions (the API order). Positions below "generated" are the generator's
  -- hosts for (seed, generator) unless docs holds one; rows at next_pos and after are not yet
  -- committed (an add in progress, or one a crash cut short) and no query sees them.
  CREATE TABLE ${schema}.fleets (
    fleet INTEGER PRIMARY KEY,
    generator TEXT NOT NULL,
    seed INTEGER NOT NULL,
    generated INTEGER NOT NULL,
    hosts INTEGER NOT NULL,
    next_pos INTEGER NOT NULL
  );
  -- written = 0: the project's starting fleet, kept while there is room and made again when needed.
  CREATE TABLE ${schema}.projects (
    project_id TEXT PRIMARY KEY,
    fleet INTEGER NOT NULL,
    written INTEGER NOT NULL,
    writes INTEGER NOT NULL -- control API writes so far: names the draw that completes partial hosts
  ) WITHOUT ROWID;
  -- Narrow rows of what filters and orders read; texts that repeat are codes of the fleet's
  -- dictionary (texts), 0 where the host has no such field.
  CREATE TABLE ${schema}.hosts (
    fleet INTEGER NOT NULL,
    pos INTEGER NOT NULL,
    bits INTEGER NOT NULL,
    risk INTEGER NOT NULL,
    scan INTEGER NOT NULL,
    name TEXT,
    exact_name TEXT,
    host_id TEXT,
    private_ip TEXT,
    public_ip TEXT,
    ep INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    group_name INTEGER NOT NULL,
    policy_group_id INTEGER NOT NULL,
    policy_group_name INTEGER NOT NULL,
    cluster_id INTEGER NOT NULL,
    vpc_id INTEGER NOT NULL,
    labels INTEGER NOT NULL,
    PRIMARY KEY (fleet, pos)
  ) WITHOUT ROWID;
  -- Hosts as JSON, for every host that is not the generator's (written, completed, patched). A
  -- rowid table: an index's (or WITHOUT ROWID table's) cell keeps about 1 KB in its page and puts
  -- the rest of a 1.5 KB host in an overflow page of its own, 4.9 KB a host where this takes 2.
  CREATE TABLE ${schema}.docs (fleet INTEGER NOT NULL, pos INTEGER NOT NULL, doc TEXT NOT NULL);
  CREATE UNIQUE INDEX ${schema}.docs_at ON docs (fleet, pos);
  -- How many hosts of a fleet have each combination of enterprise project and dimensions.
  CREATE TABLE ${schema}.combos (fleet INTEGER NOT NULL, ep INTEGER NOT NULL, bits INTEGER NOT NULL, hosts INTEGER NOT NULL, PRIMARY KEY (fleet, ep, bits)) WITHOUT ROWID;
  CREATE TABLE ${schema}.texts (fleet INTEGER NOT NULL, kind INTEGER NOT NULL, code INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (fleet, kind, code)) WITHOUT ROWID;
  CREATE UNIQUE INDEX ${schema}.texts_text ON texts (fleet, kind, text);
  -- Adds in progress: the rows from "start" on are deleted if the process dies before they count.
  CREATE TABLE ${schema}.adding (fleet INTEGER PRIMARY KEY, start INTEGER NOT NULL);
  -- Fleets being written, or no longer used: deleted unless a project comes to point to them.
  CREATE TABLE ${schema}.garbage (fleet INTEGER PRIMARY KEY);
${hostIndexes ? hostIndexesOf(schema) : ''}`;
}

/**
 * The indexes of the hosts table. A fleet built in a file of its own builds them after its rows
 * (fleet-files.ts): about 4 µs a row, where keeping them while inserting costs 15.
 */
function hostIndexesOf(schema: string): string {
  return `
  CREATE UNIQUE INDEX ${schema}.hosts_host_id ON hosts (fleet, host_id);
  -- The hosts of a combination, in order: pages of few matches far apart are gathered through it.
  -- With the name, it answers a host name substring's count by combination on its own, in
  -- combination order: no sort (at 100,000 hosts, about a tenth of the time of the table's scan).
  CREATE INDEX ${schema}.hosts_combo ON hosts (fleet, ep, bits, pos, name);
  CREATE INDEX ${schema}.hosts_risk ON hosts (fleet, risk, pos);
  CREATE INDEX ${schema}.hosts_scan ON hosts (fleet, scan, pos);
`;
}

/** A fleet built in a file of its own: its tables, then the indexes on its hosts once its rows are in. */
export const FLEET_FILE_SQL = { tables: tablesOf('main', false), indexes: hostIndexesOf('main') };

const TABLES = ['adding', 'combos', 'docs', 'fleets', 'garbage', 'hosts', 'projects', 'texts'];
/** The tables of every version of hss-mock's file so far: --reset-db empties such a file, never another program's. */
const ANY_VERSION_TABLES = new Set([...TABLES, 'host_labels']);

/**
 * Opens the database, refusing (before writing anything) a file it cannot use as its own. With a
 * file, the schema `cache` is there too, in memory.
 */
export function openDatabase(path: string, reset: boolean): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: 0 });
    if (path !== ':memory:') {
      // One process per file: the lock is taken now and held until the process ends (or dies).
      db.pragma('locking_mode = EXCLUSIVE');
      try {
        db.exec('BEGIN EXCLUSIVE; COMMIT');
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new StartupError(`${path}: in use by another process (one hss-mock per --db file)`);
        throw error;
      }
    }
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    if ((version === 0 && tables.length > 0) || tables.some((table) => !ANY_VERSION_TABLES.has(table))) {
      throw new StartupError(`${path}: not an hss-mock database (it has other tables)`);
    }
    if (!reset && version !== 0 && version !== SCHEMA_VERSION) {
      throw new StartupError(`${path}: written by another version of hss-mock (schema ${version}, this one reads ${SCHEMA_VERSION}); start with --reset-db to replace its data`);
    }
    if (!reset && version === SCHEMA_VERSION && tables.join(',') !== TABLES.join(',')) throw new StartupError(`${path}: not an hss-mock database (its tables are not hss-mock's)`);
    if (path !== ':memory:') {
      db.pragma('journal_mode = WAL');
      // No fsync: what SQLite has written survives a killed process (the kernel holds it); only a
      // power cut could lose it, which an emulator does not guard against. Large fleets write fast.
      db.pragma('synchronous = OFF');
      // 64 MiB of pages in memory (the default is 2 MiB): large fleets are written and scanned whole.
      db.pragma('cache_size = -65536');
    }
    if (reset) {
      for (const table of tables) db.exec(`DROP TABLE ${table}`);
      db.exec('VACUUM');
    }
    if (reset || version === 0) db.exec(`${tablesOf('main')}\nPRAGMA user_version = ${SCHEMA_VERSION};`);
    if (path !== ':memory:') db.exec(`ATTACH DATABASE ':memory:' AS cache;\n${tablesOf('cache')}`);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof StartupError) throw error;
    throw new StartupError(`${path}: ${(error as Error).message}`);
  }
}
