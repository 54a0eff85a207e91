// The hosts of every project, in SQLite. Knows SQL and hosts; knows nothing of HTTP.
import Database from 'better-sqlite3';
import { conditionsOf } from './filters.js';
import { EDITIONS, serializeHost, type Host, type ListHostsQuery } from './schemas.js';

/** A page of hosts, each already serialized by the Host schema. */
export interface HostPage {
  total: number;
  hosts: string[];
}

/** The hosts a project starts with, on first use and on reset. */
export type StartingFleet = (projectId: string) => Iterable<Host>;

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
  CREATE TABLE IF NOT EXISTS projects (project_id TEXT PRIMARY KEY) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS hosts (
    id INTEGER PRIMARY KEY, -- API order within a project
    project_id TEXT NOT NULL,
    ${COLUMN_NAMES.map((name) => `${name} ${name === 'edition_rank' || name === 'outside_host' ? 'INTEGER' : 'TEXT'}`).join(',\n    ')},
    doc TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS hosts_project ON hosts (project_id, id);
  CREATE UNIQUE INDEX IF NOT EXISTS hosts_host_id ON hosts (project_id, host_id);
  CREATE TABLE IF NOT EXISTS host_labels (host INTEGER NOT NULL, label TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS host_labels_label ON host_labels (label, host);
  CREATE INDEX IF NOT EXISTS host_labels_host ON host_labels (host);
`;

export class HostStore {
  private readonly db: Database.Database;
  private readonly statements;
  /** Prepared list queries by SQL text: one per combination of filters in use. */
  private readonly listQueries = new Map<string, Database.Statement>();

  /** `path` is a database file, or `:memory:`. */
  constructor(
    path: string,
    private readonly startingFleet: StartingFleet,
  ) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(SCHEMA);
    this.statements = {
      projectExists: this.db.prepare<[string], 1>('SELECT 1 FROM projects WHERE project_id = ?').pluck(),
      addProject: this.db.prepare<[string]>('INSERT INTO projects (project_id) VALUES (?)'),
      insertHost: this.db.prepare(
        `INSERT INTO hosts (project_id, ${COLUMN_NAMES.join(', ')}, doc) VALUES (?, ${COLUMN_NAMES.map(() => '?').join(', ')}, ?)`,
      ),
      insertLabel: this.db.prepare<[number | bigint, string]>('INSERT INTO host_labels (host, label) VALUES (?, ?)'),
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

  private insertHost(projectId: string, host: Host): void {
    const values = COLUMN_NAMES.map((name) => COLUMNS[name]!(host));
    const { lastInsertRowid } = this.statements.insertHost.run(projectId, ...values, serializeHost(host));
    for (const label of new Set(host.labels ?? [])) this.statements.insertLabel.run(lastInsertRowid, label);
  }
}
