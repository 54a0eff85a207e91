// The hosts of every project, in SQLite. Knows SQL and hosts; knows nothing of HTTP.
// Every change is one transaction: it happens whole or not at all.
import Database from 'better-sqlite3';
import { StartupError } from './errors.js';
import { conditionsOf } from './filters.js';
import { EDITIONS, serializeHost, type Host, type ListHostsQuery } from './schemas.js';

/** A page of hosts, each already serialized by the Host schema. */
export interface HostPage {
  total: number;
  hosts: string[];
}

/** The hosts a project starts with, on first use and after a reset. */
export type StartingFleet = (projectId: string) => Iterable<Host>;

/** A write would give two hosts of one project the same host_id. */
export class DuplicateHostError extends Error {
  constructor(
    readonly projectId: string,
    readonly hostId: string,
  ) {
    super(`project ${projectId} already has a host ${hostId}`);
  }
}

/** Bumped whenever the tables change; a file of another version is refused, not misread. */
const SCHEMA_VERSION = 1;

/** Filterable columns, each read from a host. The host itself is stored whole in `doc`. */
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
};
const COLUMN_NAMES = Object.keys(COLUMNS);

const SCHEMA = `
  CREATE TABLE projects (
    project_id TEXT PRIMARY KEY,
    writes INTEGER NOT NULL DEFAULT 0 -- control API writes so far: names the draw that completes partial hosts
  ) WITHOUT ROWID;
  CREATE TABLE hosts (
    id INTEGER PRIMARY KEY, -- API order within a project
    project_id TEXT NOT NULL,
    ${COLUMN_NAMES.map((name) => `${name} ${name === 'edition_rank' || name === 'outside_host' ? 'INTEGER' : 'TEXT'}`).join(',\n    ')},
    doc TEXT NOT NULL
  );
  CREATE INDEX hosts_project ON hosts (project_id, id);
  CREATE UNIQUE INDEX hosts_host_id ON hosts (project_id, host_id);
  CREATE TABLE host_labels (host INTEGER NOT NULL, label TEXT NOT NULL);
  CREATE INDEX host_labels_label ON host_labels (label, host);
  CREATE INDEX host_labels_host ON host_labels (host);
  PRAGMA user_version = ${SCHEMA_VERSION};
`;
const TABLES = ['host_labels', 'hosts', 'projects'];

/** Opens the database, refusing (before writing anything) a file it cannot read as its own. */
function openDatabase(path: string, reset: boolean): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get() as number;
    if (reset) for (const table of TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
    else if (version === 0 && tables > 0) throw new StartupError(`${path}: not an hss-mock database (it has other tables)`);
    else if (version !== 0 && version !== SCHEMA_VERSION) {
      throw new StartupError(`${path}: written by another version of hss-mock (schema ${version}, this one reads ${SCHEMA_VERSION}); start with --reset-db to replace its data`);
    }
    db.pragma('journal_mode = WAL');
    // Survives a killed process (not a power cut) without a sync per write.
    db.pragma('synchronous = NORMAL');
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

  /** `path` is a database file, or `:memory:`; `reset` empties an existing file. */
  constructor(
    path: string,
    private readonly startingFleet: StartingFleet,
    reset = false,
  ) {
    this.db = openDatabase(path, reset);
    const db = this.db;
    this.statements = {
      projectExists: db.prepare<[string], 1>('SELECT 1 FROM projects WHERE project_id = ?').pluck(),
      addProject: db.prepare<[string]>('INSERT OR IGNORE INTO projects (project_id) VALUES (?)'),
      countWrite: db.prepare<[string], number>('UPDATE projects SET writes = writes + 1 WHERE project_id = ? RETURNING writes').pluck(),
      insertHost: db.prepare(
        `INSERT INTO hosts (project_id, ${COLUMN_NAMES.join(', ')}, doc) VALUES (?, ${COLUMN_NAMES.map(() => '?').join(', ')}, ?)
         ON CONFLICT (project_id, host_id) DO NOTHING`,
      ),
      insertLabel: db.prepare<[number | bigint, string]>('INSERT INTO host_labels (host, label) VALUES (?, ?)'),
      allDocs: db.prepare<[string], string>('SELECT doc FROM hosts WHERE project_id = ? ORDER BY id').pluck(),
      hostRow: db.prepare<[string, string], { id: number; doc: string }>('SELECT id, doc FROM hosts WHERE project_id = ? AND host_id = ?'),
      updateHost: db.prepare(`UPDATE hosts SET ${COLUMN_NAMES.map((name) => `${name} = ?`).join(', ')}, doc = ? WHERE id = ?`),
      deleteHost: db.prepare<[number]>('DELETE FROM hosts WHERE id = ?'),
      deleteLabelsOfHost: db.prepare<[number]>('DELETE FROM host_labels WHERE host = ?'),
      deleteHostsOf: db.prepare<[string]>('DELETE FROM hosts WHERE project_id = ?'),
      deleteLabelsOf: db.prepare<[string]>('DELETE FROM host_labels WHERE host IN (SELECT id FROM hosts WHERE project_id = ?)'),
      deleteProject: db.prepare<[string]>('DELETE FROM projects WHERE project_id = ?'),
    };
  }

  close(): void {
    this.db.close();
  }

  /** The page of a project's hosts that a query selects, and how many it selects in all. */
  listHosts(projectId: string, query: ListHostsQuery): HostPage {
    this.ensureProject(projectId);
    const conditions = conditionsOf(query);
    const where = ['project_id = ?', ...conditions.map(([sql]) => sql)].join(' AND ');
    const params = [projectId, ...conditions.flatMap(([, values]) => values)];
    const total = this.listQuery(`SELECT count(*) FROM hosts WHERE ${where}`).get(...params) as number;
    const hosts =
      query.limit === 0 || query.offset >= total
        ? []
        : (this.listQuery(`SELECT doc FROM hosts WHERE ${where} ORDER BY id LIMIT ? OFFSET ?`).all(
            ...params,
            query.limit,
            query.offset,
          ) as string[]);
    return { total, hosts };
  }

  /** Every host of a project, serialized, in API order. */
  allHosts(projectId: string): string[] {
    this.ensureProject(projectId);
    return this.statements.allDocs.all(projectId);
  }

  getHost(projectId: string, hostId: string): Host | undefined {
    this.ensureProject(projectId);
    const row = this.statements.hostRow.get(projectId, hostId);
    return row && (JSON.parse(row.doc) as Host);
  }

  /** Counts a control API write to a project and returns its number (1, 2, ...). */
  countWrite(projectId: string): number {
    this.ensureProject(projectId);
    return this.statements.countWrite.get(projectId)!;
  }

  /** Adds hosts after the project's current ones. */
  addHosts(projectId: string, hosts: Iterable<Host>): void {
    this.db.transaction(() => {
      this.ensureProject(projectId);
      for (const host of hosts) this.insertHost(projectId, host);
    })();
  }

  /** Replaces every host of the project (with none, for an empty fleet). */
  replaceHosts(projectId: string, hosts: Iterable<Host>): void {
    this.db.transaction(() => {
      this.statements.addProject.run(projectId);
      this.statements.deleteLabelsOf.run(projectId);
      this.statements.deleteHostsOf.run(projectId);
      for (const host of hosts) this.insertHost(projectId, host);
    })();
  }

  /** Replaces one host, keeping its place in the order; false when there is no such host. */
  updateHost(projectId: string, hostId: string, host: Host): boolean {
    return this.db.transaction(() => {
      const row = this.statements.hostRow.get(projectId, hostId);
      if (!row) return false;
      this.statements.updateHost.run(...this.columnValues(host), serializeHost(host), row.id);
      this.statements.deleteLabelsOfHost.run(row.id);
      this.insertLabels(row.id, host);
      return true;
    })();
  }

  /** Deletes one host; false when there is no such host. */
  deleteHost(projectId: string, hostId: string): boolean {
    return this.db.transaction(() => {
      this.ensureProject(projectId);
      const row = this.statements.hostRow.get(projectId, hostId);
      if (!row) return false;
      this.statements.deleteLabelsOfHost.run(row.id);
      this.statements.deleteHost.run(row.id);
      return true;
    })();
  }

  /** Forgets a project: its next use starts it afresh from its starting fleet. */
  resetProject(projectId: string): void {
    this.db.transaction(() => {
      this.statements.deleteLabelsOf.run(projectId);
      this.statements.deleteHostsOf.run(projectId);
      this.statements.deleteProject.run(projectId);
    })();
  }

  /** Forgets every project. */
  resetAll(): void {
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

  /** Creates a project with its starting fleet on first use; an existing project is kept as it is. */
  private ensureProject(projectId: string): void {
    if (this.statements.projectExists.get(projectId)) return;
    this.db.transaction(() => {
      this.statements.addProject.run(projectId);
      for (const host of this.startingFleet(projectId)) this.insertHost(projectId, host);
    })();
  }

  private columnValues(host: Host): (string | number | null)[] {
    return COLUMN_NAMES.map((name) => COLUMNS[name]!(host));
  }

  private insertHost(projectId: string, host: Host): void {
    const { changes, lastInsertRowid } = this.statements.insertHost.run(projectId, ...this.columnValues(host), serializeHost(host));
    if (changes === 0) throw new DuplicateHostError(projectId, host.host_id!);
    this.insertLabels(lastInsertRowid, host);
  }

  private insertLabels(id: number | bigint, host: Host): void {
    for (const label of new Set(host.labels ?? [])) this.statements.insertLabel.run(id, label);
  }
}
