// The hosts of every project, in SQLite. Knows SQL and hosts; knows nothing of HTTP.
//
// A project points to a fleet: its rows. A large write (a generated fleet of two million hosts)
// goes into a new fleet in batches of modest transactions, then one small transaction points the
// project to it: readers, and a restart after a crash, see the old hosts or the new ones, never a
// mix, and no transaction grows the write-ahead log by gigabytes. Fleets left behind (replaced,
// or half-written when the process died) are deleted in batches, at once or on the next start.
import Database from 'better-sqlite3';
import { StartupError } from '../contract/errors.js';
import { conditionsOf } from './filters.js';
import { labelsKey } from './labels.js';
import { ListCache } from './list-cache.js';
import { EDITIONS, serializeHost, type Host, type ListHostsQuery, type ProjectList } from '../contract/schemas.js';

/** A page of hosts: how many match in all, and the page's hosts, serialized by the Host schema and joined by commas. */
export interface HostPage {
  total: number;
  hostsJson: string;
}

/** The hosts a project starts with, on first use and after a reset. */
export type StartingFleet = (projectId: string) => Iterable<Host>;

/** A write would give two hosts of one project the same host_id. */
export class DuplicateHostError extends Error {
  override readonly name = 'DuplicateHostError';

  constructor(
    readonly projectId: string,
    readonly hostId: string,
  ) {
    super(`project ${projectId} already has a host ${hostId}`);
  }
}

/** Bumped whenever the tables change; a file of another version is refused, not misread. */
const SCHEMA_VERSION = 3;

/** Filterable columns, each read from a host. The host itself is stored whole, in `docs`. */
const COLUMNS: Record<string, (host: Host) => string | number | null> = {
  host_id: (h) => h.host_id ?? null,
  host_name_folded: (h) => h.host_name?.toLowerCase() ?? null,
  enterprise_project_id: (h) => h.enterprise_project_id ?? null,
  version: (h) => h.version ?? null,
  edition_rank: (h) => (h.version === undefined ? null : EDITIONS.indexOf(h.version)),
  agent_status: (h) => h.agent_status ?? null,
  detect_result: (h) => h.detect_result ?? null,
  host_status: (h) => h.host_status ?? null,
  os_type: (h) => h.os_type ?? null,
  private_ip: (h) => h.private_ip ?? null,
  public_ip: (h) => h.public_ip ?? null,
  protect_status: (h) => h.protect_status ?? null,
  group_id: (h) => h.group_id ?? null,
  group_name: (h) => h.group_name ?? null,
  policy_group_id: (h) => h.policy_group_id ?? null,
  policy_group_name: (h) => h.policy_group_name ?? null,
  charging_mode: (h) => h.charging_mode ?? null,
  outside_host: (h) => (h.outside_host === undefined ? null : Number(h.outside_host)),
  asset_value: (h) => h.asset_value ?? null,
  labels_key: (h) => (h.labels === undefined ? null : labelsKey(h.labels)),
};

const COLUMN_NAMES = Object.keys(COLUMNS);
/** Hosts a transaction writes or deletes, in large writes. */
const BATCH = 10_000;

const SCHEMA = `
  CREATE TABLE projects (
    project_id TEXT PRIMARY KEY,
    fleet INTEGER NOT NULL,
    writes INTEGER NOT NULL DEFAULT 0 -- control API writes so far: names the draw that completes partial hosts
  ) WITHOUT ROWID;
  -- Narrow rows, so that filtering and counting read little; the serialized hosts live in docs.
  CREATE TABLE hosts (
    id INTEGER PRIMARY KEY, -- API order within a fleet
    fleet INTEGER NOT NULL,
    ${COLUMN_NAMES.map((name) => `${name} ${name === 'edition_rank' || name === 'outside_host' ? 'INTEGER' : 'TEXT'}`).join(',\n    ')}
  );
  CREATE TABLE docs (id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
  -- Fleets being written, or no longer used: deleted unless a project comes to point to them.
  CREATE TABLE garbage (fleet INTEGER PRIMARY KEY);
  CREATE INDEX hosts_fleet ON hosts (fleet, id);
  CREATE UNIQUE INDEX hosts_host_id ON hosts (fleet, host_id);
  PRAGMA user_version = ${SCHEMA_VERSION};
`;
const TABLES = ['docs', 'hosts', 'garbage', 'projects'];

/** Opens the database, refusing (before writing anything) a file it cannot read as its own. */
function openDatabase(path: string, reset: boolean): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get() as number;
    if (reset) for (const table of [...TABLES, 'host_labels']) db.exec(`DROP TABLE IF EXISTS ${table}`);
    else if (version === 0 && tables > 0) throw new StartupError(`${path}: not an hss-mock database (it has other tables)`);
    else if (version !== 0 && version !== SCHEMA_VERSION) {
      throw new StartupError(`${path}: written by another version of hss-mock (schema ${version}, this one reads ${SCHEMA_VERSION}); start with --reset-db to replace its data`);
    }
    db.pragma('journal_mode = WAL');
    // No fsync: what SQLite has written survives a killed process (the kernel holds it); only a
    // power cut could lose it, which an emulator does not guard against. Large fleets write fast.
    db.pragma('synchronous = OFF');
    // 64 MiB of pages in memory (the default is 2 MiB): large fleets are written and scanned whole.
    db.pragma('cache_size = -65536');
    if (reset || version === 0) db.exec(SCHEMA);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof StartupError) throw error;
    throw new StartupError(`${path}: ${(error as Error).message}`);
  }
}

export class HostStore {
  private readonly db: Database.Database;
  private readonly statements;
  /** Prepared list queries by SQL text: one per combination of filters in use. */
  private readonly listQueries = new Map<string, Database.Statement>();
  /** Counts, pages and checkpoints of list queries, forgotten whenever a project changes. */
  private readonly cache = new ListCache();
  /** The fleet of each project seen so far, so that a request does not ask the database. */
  private readonly fleets = new Map<string, number>();
  private nextFleet: number;

  /** `path` is a database file, or `:memory:`; `reset` empties an existing file. */
  constructor(
    path: string,
    private readonly startingFleet: StartingFleet,
    reset = false,
  ) {
    this.db = openDatabase(path, reset);
    const db = this.db;
    this.statements = {
      fleetOf: db.prepare<[string], number>('SELECT fleet FROM projects WHERE project_id = ?').pluck(),
      pointProject: db.prepare<[string, number]>(
        'INSERT INTO projects (project_id, fleet) VALUES (?, ?) ON CONFLICT (project_id) DO UPDATE SET fleet = excluded.fleet',
      ),
      projectCount: db.prepare<[], number>('SELECT count(*) FROM projects').pluck(),
      projectPage: db.prepare<[number, number], { project_id: string; hosts: number }>(
        'SELECT project_id, (SELECT count(*) FROM hosts WHERE hosts.fleet = projects.fleet) AS hosts FROM projects ORDER BY project_id LIMIT ? OFFSET ?',
      ),
      deleteProject: db.prepare<[string]>('DELETE FROM projects WHERE project_id = ?'),
      countWrite: db.prepare<[string], number>('UPDATE projects SET writes = writes + 1 WHERE project_id = ? RETURNING writes').pluck(),
      addGarbage: db.prepare<[number]>('INSERT OR IGNORE INTO garbage (fleet) VALUES (?)'),
      removeGarbage: db.prepare<[number]>('DELETE FROM garbage WHERE fleet = ?'),
      garbage: db.prepare<[], number>('SELECT fleet FROM garbage').pluck(),
      lastFleet: db.prepare<[], number | null>('SELECT max(fleet) FROM (SELECT max(fleet) AS fleet FROM projects UNION ALL SELECT max(fleet) FROM garbage)').pluck(),
      idsOfFleet: db.prepare<[number, number], number>('SELECT id FROM hosts WHERE fleet = ? LIMIT ?').pluck(),
      insertHost: db.prepare(
        `INSERT INTO hosts (fleet, ${COLUMN_NAMES.join(', ')}) VALUES (?, ${COLUMN_NAMES.map(() => '?').join(', ')})
         ON CONFLICT (fleet, host_id) DO NOTHING`,
      ),
      insertDoc: db.prepare<[number | bigint, string]>('INSERT INTO docs (id, doc) VALUES (?, ?)'),
      allDocs: db.prepare<[number], string>('SELECT doc FROM docs WHERE id IN (SELECT id FROM hosts WHERE fleet = ?) ORDER BY id').pluck(),
      hostRow: db.prepare<[number, string], { id: number; doc: string }>(
        'SELECT hosts.id, doc FROM hosts JOIN docs ON docs.id = hosts.id WHERE fleet = ? AND host_id = ?',
      ),
      updateHost: db.prepare(`UPDATE hosts SET ${COLUMN_NAMES.map((name) => `${name} = ?`).join(', ')} WHERE id = ?`),
      updateDoc: db.prepare<[string, number]>('UPDATE docs SET doc = ? WHERE id = ?'),
      deleteHost: db.prepare<[number]>('DELETE FROM hosts WHERE id = ?'),
      deleteDoc: db.prepare<[number]>('DELETE FROM docs WHERE id = ?'),
    };
    // Garbage has no hosts a fleet could still want: the next fleet number is past every fleet in use or in garbage.
    this.nextFleet = (this.statements.lastFleet.get() ?? 0) + 1;
    this.collectGarbage();
  }

  close(): void {
    this.db.close();
  }

  /**
   * The page of a project's hosts that a query selects, and how many it selects in all. The count
   * is remembered until the project changes; a page starts from the nearest remembered position.
   */
  listHosts(projectId: string, query: ListHostsQuery): HostPage {
    const fleet = this.fleetOf(projectId);
    // The filters as they were validated name what is remembered (refresh changes nothing);
    // SQL is built only when something is not remembered.
    const { limit, offset, refresh, ...filters } = query;
    const memo = this.cache.memo(projectId, JSON.stringify(filters));
    let sql: { where: string; params: unknown[] } | undefined;
    const filterSql = () => {
      if (!sql) {
        const conditions = conditionsOf(query);
        sql = {
          where: ['fleet = ?', ...conditions.map(([condition]) => condition)].join(' AND '),
          params: [fleet, ...conditions.flatMap(([, values]) => values)],
        };
      }
      return sql;
    };
    if (memo.total === undefined) {
      const { where, params } = filterSql();
      memo.total = this.listQuery(`SELECT count(*) FROM hosts WHERE ${where}`).get(...params) as number;
    }
    if (limit === 0 || offset >= memo.total) return { total: memo.total, hostsJson: '' };
    const served = memo.page(offset, limit);
    if (served !== undefined) return { total: memo.total, hostsJson: served };
    const { where, params } = filterSql();
    const start = memo.nearest(offset);
    const ids = this.listQuery(`SELECT id FROM hosts WHERE ${where} AND id >= ? ORDER BY id LIMIT ? OFFSET ?`).all(
      ...params,
      start.id,
      limit,
      offset - start.offset,
    ) as number[];
    memo.remember(offset, ids[0]!);
    memo.remember(offset + ids.length, ids.at(-1)! + 1);
    const hostsJson = this.docs(ids).join(',');
    memo.rememberPage(offset, limit, hostsJson);
    return { total: memo.total, hostsJson };
  }

  /** The projects in use, by id, with their host counts. */
  projects(offset: number, limit: number): ProjectList {
    const total = this.statements.projectCount.get()!;
    const projects = this.statements.projectPage.all(limit, offset);
    return { total, projects };
  }

  /** Every host of a project, serialized, in API order. */
  allHosts(projectId: string): string[] {
    return this.statements.allDocs.all(this.fleetOf(projectId));
  }

  getHost(projectId: string, hostId: string): Host | undefined {
    const row = this.statements.hostRow.get(this.fleetOf(projectId), hostId);
    return row && (JSON.parse(row.doc) as Host);
  }

  /** Counts a control API write to a project and returns its number (1, 2, ...). */
  countWrite(projectId: string): number {
    this.fleetOf(projectId);
    return this.statements.countWrite.get(projectId)!;
  }

  /** Adds hosts after the project's current ones, in one transaction. */
  addHosts(projectId: string, hosts: Iterable<Host>): void {
    const fleet = this.fleetOf(projectId);
    this.cache.forget(projectId);
    this.db.transaction(() => {
      for (const host of hosts) this.insertHost(projectId, fleet, host);
    })();
  }

  /** Replaces every host of the project (with none, for an empty fleet): all at once, however many. */
  replaceHosts(projectId: string, hosts: Iterable<Host>): void {
    this.pointTo(projectId, this.writeFleet(projectId, hosts));
  }

  /** Replaces one host, keeping its place in the order; false when there is no such host. */
  updateHost(projectId: string, hostId: string, host: Host): boolean {
    const fleet = this.fleetOf(projectId);
    this.cache.forget(projectId);
    return this.db.transaction(() => {
      const row = this.statements.hostRow.get(fleet, hostId);
      if (!row) return false;
      this.statements.updateHost.run(...this.columnValues(host), row.id);
      this.statements.updateDoc.run(serializeHost(host), row.id);
      return true;
    })();
  }

  /** Deletes one host; false when there is no such host. */
  deleteHost(projectId: string, hostId: string): boolean {
    const fleet = this.fleetOf(projectId);
    this.cache.forget(projectId);
    return this.db.transaction(() => {
      const row = this.statements.hostRow.get(fleet, hostId);
      if (!row) return false;
      this.statements.deleteDoc.run(row.id);
      this.statements.deleteHost.run(row.id);
      return true;
    })();
  }

  /** Forgets a project: its next use starts it afresh from its starting fleet. */
  resetProject(projectId: string): void {
    this.cache.forget(projectId);
    this.fleets.delete(projectId);
    this.db.transaction(() => {
      const fleet = this.statements.fleetOf.get(projectId);
      if (fleet === undefined) return;
      this.statements.deleteProject.run(projectId);
      this.statements.addGarbage.run(fleet);
    })();
    this.collectGarbage();
  }

  /** Forgets every project. */
  resetAll(): void {
    this.cache.forget();
    this.fleets.clear();
    this.db.transaction(() => {
      for (const table of TABLES) this.db.exec(`DELETE FROM ${table}`);
    })();
  }

  private listQuery(sql: string): Database.Statement {
    let statement = this.listQueries.get(sql);
    if (!statement) {
      // Bounded: the texts are made from the filter table, but there are many combinations.
      if (this.listQueries.size >= 512) this.listQueries.clear();
      statement = this.db.prepare(sql).pluck();
      this.listQueries.set(sql, statement);
    }
    return statement;
  }

  /** The serialized hosts of these ids, in the same order. */
  private docs(ids: number[]): string[] {
    return this.listQuery(`SELECT doc FROM docs WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY id`).all(...ids) as string[];
  }

  /** The project's fleet; a project used for the first time gets its starting fleet. */
  private fleetOf(projectId: string): number {
    let fleet = this.fleets.get(projectId) ?? this.statements.fleetOf.get(projectId);
    if (fleet === undefined) {
      fleet = this.writeFleet(projectId, this.startingFleet(projectId));
      this.pointTo(projectId, fleet);
    }
    this.fleets.set(projectId, fleet);
    return fleet;
  }

  /** Writes hosts into a new fleet, in batches; until a project points to it, it is garbage. */
  private writeFleet(projectId: string, hosts: Iterable<Host>): number {
    const fleet = this.nextFleet++;
    this.statements.addGarbage.run(fleet);
    const iterator = hosts[Symbol.iterator]();
    try {
      let done = false;
      while (!done) {
        this.db.transaction(() => {
          for (let i = 0; i < BATCH; i++) {
            const next = iterator.next();
            if (next.done) return void (done = true);
            this.insertHost(projectId, fleet, next.value);
          }
        })();
      }
    } catch (error) {
      this.collectGarbage();
      throw error;
    }
    return fleet;
  }

  /** Points a project to a fleet in one transaction; its former fleet becomes garbage. */
  private pointTo(projectId: string, fleet: number): void {
    this.cache.forget(projectId);
    this.db.transaction(() => {
      const former = this.statements.fleetOf.get(projectId);
      this.statements.pointProject.run(projectId, fleet);
      this.statements.removeGarbage.run(fleet);
      if (former !== undefined) this.statements.addGarbage.run(former);
    })();
    this.fleets.set(projectId, fleet);
    this.collectGarbage();
  }

  /** Deletes the hosts of every fleet in garbage, in batches. */
  private collectGarbage(): void {
    for (const fleet of this.statements.garbage.all()) {
      let ids: number[];
      do {
        ids = this.statements.idsOfFleet.all(fleet, BATCH);
        this.db.transaction(() => {
          for (const id of ids) {
            this.statements.deleteDoc.run(id);
            this.statements.deleteHost.run(id);
          }
        })();
      } while (ids.length === BATCH);
      this.statements.removeGarbage.run(fleet);
    }
  }

  private columnValues(host: Host): (string | number | null)[] {
    return COLUMN_NAMES.map((name) => COLUMNS[name]!(host));
  }

  private insertHost(projectId: string, fleet: number, host: Host): void {
    const { changes, lastInsertRowid } = this.statements.insertHost.run(fleet, ...this.columnValues(host));
    if (changes === 0) throw new DuplicateHostError(projectId, host.host_id!);
    this.statements.insertDoc.run(lastInsertRowid, serializeHost(host));
  }
}
