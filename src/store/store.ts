// The hosts of every project, in SQLite. Knows SQL and hosts; knows nothing of HTTP.
//
// A project points to a fleet. A project nobody wrote to points to its starting fleet, made
// when first used and kept while there is room: when the data limit is reached, the starting
// fleets used least recently are dropped, and made again when next asked for. Written fleets are
// the user's data and are never dropped. A generated fleet keeps only the narrow rows filters
// read: the hosts themselves are made again, from (seed, generator, position), when a page
// shows them.
//
// Long writes (a starting or generated fleet, a large replace or add, dropping a fleet) go in
// slices of a few milliseconds, letting other requests in between: readers see the old hosts or
// the new ones, never a mix, and the health check keeps answering. Writes to one project are
// serialized; writes to different projects interleave.
import type Database from 'better-sqlite3';
import { InputError } from '../contract/errors.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { serializeHost, shapeHostJson, type AnswerShape, type Host, type ListHostsQuery, type ProjectList } from '../contract/schemas.js';
import { openDatabase, SORT_COLUMNS } from './database.js';
import { conditionsOf, FLEET, type Condition } from './filters.js';
import { ListCache, type Checkpoint } from './list-cache.js';
import { Dictionary, ROW_COLUMNS } from './rows.js';

/** A page of hosts: how many match in all, and the page's hosts as JSON, joined by commas. */
export interface HostPage {
  total: number;
  hostsJson: string;
}

/** What a project starts with: a generated fleet, or hosts (fixtures, already completed). */
export type StartingFleet = { seed: number; count: number } | { hosts: readonly Host[] };

export interface StoreOptions {
  /** A database file, or `:memory:`. */
  path: string;
  /** Empty an existing file. */
  reset: boolean;
  /** What a project starts with, on first use and after a reset. */
  startingFleet: (projectId: string) => StartingFleet;
  /** Host `pos` of the fleet the generator makes for (seed, project id). */
  generatedHost: (seed: number, generator: string, pos: number) => Host;
  /** Bytes the database may hold. */
  dataLimit: number;
  /** Bytes of generated hosts' JSON kept for pages to come. */
  generatedJsonBytes?: number;
}

/** What a generated host takes in the database, about (its row, its share of the indexes and counts). */
export const BYTES_PER_GENERATED_HOST = 240;

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

/** A full reset came while this write was running: it stopped, and wrote nothing. */
export class ResetError extends Error {
  override readonly name = 'ResetError';

  constructor() {
    super('a full reset came while this write was running; nothing was written');
  }
}

/** The data limit is reached, and nothing can be dropped to make room. */
export class DataLimitError extends Error {
  override readonly name = 'DataLimitError';
}

interface FleetInfo {
  fleet: number;
  generator: string;
  seed: number;
  generated: number;
  hosts: number;
  nextPos: number;
}

interface ProjectState {
  info: FleetInfo;
  written: boolean;
}

/** A host to write: the host, and its JSON unless the generator can make it again. */
interface WriteItem {
  host: Host;
  json: string | undefined;
}

/** Per host name substring, how many hosts of each combination hold it: kept in memory, never in the file. */
const SUBSTRINGS = `
  CREATE TEMP TABLE substrings (fleet INTEGER NOT NULL, substring TEXT NOT NULL, ep INTEGER NOT NULL, bits INTEGER NOT NULL, hosts INTEGER NOT NULL);
  CREATE INDEX temp.substrings_of ON substrings (fleet, substring);
`;
/** Substrings whose counts are kept, over every fleet. */
const SUBSTRINGS_KEPT = 256;
/** How long a slice of a long write keeps the event loop, at most (about). */
const SLICE_MS = 8;
/** Rows deleted in one statement when a fleet is dropped. */
const DROP_BATCH = 4096;
const COLUMN_LIST = ROW_COLUMNS.join(', ');

export class HostStore {
  private readonly db: Database.Database;
  private readonly statements;
  /** Prepared list queries by SQL text: one per combination of filters in use. */
  private readonly listQueries = new Map<string, Database.Statement>();
  /** Counts, pages and checkpoints of list queries, forgotten whenever a fleet changes. */
  private readonly cache = new ListCache();
  /** Projects in memory, least recently used first. */
  private readonly states = new Map<string, ProjectState>();
  /** Starting fleets being made, so that concurrent requests wait for the same one. */
  private readonly starting = new Map<string, Promise<ProjectState>>();
  /** The tail of each project's queue of writes. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Fleets in use by a long operation, never dropped meanwhile. */
  private readonly busy = new Map<number, number>();
  /** The substrings counted (`fleet\0substring` → fleet), oldest first. */
  private readonly substrings = new Map<string, number>();
  /** Generated hosts' JSON by `fleet:pos`, oldest first. */
  private readonly generatedJson = new Map<string, string>();
  private generatedJsonSize = 0;
  private readonly generatedJsonBytes: number;
  private nextFleet: number;
  /** Bumped by a full reset: long operations started before it stop. */
  private epoch = 0;
  private collecting: Promise<void> | undefined;
  private readonly pageSize: number;

  constructor(private readonly options: StoreOptions) {
    this.db = openDatabase(options.path, options.reset);
    this.db.pragma('temp_store = MEMORY');
    this.db.exec(SUBSTRINGS);
    this.pageSize = this.db.pragma('page_size', { simple: true }) as number;
    this.generatedJsonBytes = options.generatedJsonBytes ?? 16 * 1024 * 1024;
    const db = this.db;
    this.statements = {
      project: db.prepare<[string], { fleet: number; written: number }>('SELECT fleet, written FROM projects WHERE project_id = ?'),
      fleet: db.prepare<[number], FleetInfo>('SELECT fleet, generator, seed, generated, hosts, next_pos AS nextPos FROM fleets WHERE fleet = ?'),
      addFleet: db.prepare<[number, string, number, number]>('INSERT INTO fleets (fleet, generator, seed, generated, hosts, next_pos) VALUES (?, ?, ?, ?, 0, 0)'),
      fleetSize: db.prepare<[number, number, number]>('UPDATE fleets SET hosts = ?, next_pos = ? WHERE fleet = ?'),
      pointProject: db.prepare<[string, number, number]>(
        'INSERT INTO projects (project_id, fleet, written, writes) VALUES (?, ?, ?, 0) ON CONFLICT (project_id) DO UPDATE SET fleet = excluded.fleet, written = excluded.written',
      ),
      markWritten: db.prepare<[number, string]>('UPDATE projects SET written = 1, writes = ? WHERE project_id = ?'),
      writes: db.prepare<[string], number>('SELECT writes FROM projects WHERE project_id = ?').pluck(),
      deleteProject: db.prepare<[string]>('DELETE FROM projects WHERE project_id = ?'),
      projectCount: db.prepare<[], number>('SELECT count(*) FROM projects').pluck(),
      projectPage: db.prepare<[number, number], { project_id: string; hosts: number }>(
        'SELECT project_id, hosts FROM projects JOIN fleets USING (fleet) ORDER BY project_id LIMIT ? OFFSET ?',
      ),
      unwritten: db.prepare<[], { project_id: string; fleet: number }>('SELECT project_id, fleet FROM projects WHERE written = 0'),
      addGarbage: db.prepare<[number]>('INSERT OR IGNORE INTO garbage (fleet) VALUES (?)'),
      removeGarbage: db.prepare<[number]>('DELETE FROM garbage WHERE fleet = ?'),
      garbage: db.prepare<[], number>('SELECT fleet FROM garbage').pluck(),
      lastFleet: db.prepare<[], number | null>('SELECT max(fleet) FROM (SELECT max(fleet) AS fleet FROM fleets UNION ALL SELECT max(fleet) FROM garbage)').pluck(),
      insertHost: db.prepare(`INSERT INTO hosts (${COLUMN_LIST}) VALUES (${ROW_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (fleet, host_id) DO NOTHING`),
      insertDoc: db.prepare<[number, number, string]>('INSERT INTO docs (fleet, pos, doc) VALUES (?, ?, ?) ON CONFLICT (fleet, pos) DO UPDATE SET doc = excluded.doc'),
      hostByHostId: db.prepare<[number, string], { pos: number; bits: number; ep: number }>('SELECT pos, bits, ep FROM hosts WHERE fleet = ? AND host_id = ?'),
      doc: db.prepare<[number, number], string>('SELECT doc FROM docs WHERE fleet = ? AND pos = ?').pluck(),
      deleteHost: db.prepare<[number, number]>('DELETE FROM hosts WHERE fleet = ? AND pos = ?'),
      deleteDoc: db.prepare<[number, number]>('DELETE FROM docs WHERE fleet = ? AND pos = ?'),
      countCombo: db.prepare<[number, number, number, number]>(
        'INSERT INTO combos (fleet, ep, bits, hosts) VALUES (?, ?, ?, ?) ON CONFLICT (fleet, ep, bits) DO UPDATE SET hosts = hosts + excluded.hosts',
      ),
      findCode: db.prepare<[number, number, string], number>('SELECT code FROM texts WHERE fleet = ? AND kind = ? AND text = ?').pluck(),
      lastCode: db.prepare<[number, number], number | null>('SELECT max(code) FROM texts WHERE fleet = ? AND kind = ?').pluck(),
      addText: db.prepare<[number, number, number, string]>('INSERT INTO texts (fleet, kind, code, text) VALUES (?, ?, ?, ?)'),
      positions: db.prepare<[number, number, number, number], number>('SELECT pos FROM hosts WHERE fleet = ? AND pos >= ? AND pos < ? ORDER BY pos LIMIT ?').pluck(),
      docsAt: db.prepare<[number, string], { pos: number; doc: string }>('SELECT pos, doc FROM docs WHERE fleet = ? AND pos IN (SELECT value FROM json_each(?))'),
      startAdding: db.prepare<[number, number]>('INSERT INTO adding (fleet, start) VALUES (?, ?)'),
      doneAdding: db.prepare<[number]>('DELETE FROM adding WHERE fleet = ?'),
      adding: db.prepare<[], { fleet: number; start: number }>('SELECT fleet, start FROM adding'),
      dropRows: db.prepare<[number, number, number]>('DELETE FROM hosts WHERE fleet = ? AND pos >= ? AND pos < ?'),
      dropDocs: db.prepare<[number, number, number]>('DELETE FROM docs WHERE fleet = ? AND pos >= ? AND pos < ?'),
      maxPos: db.prepare<[number], number | null>('SELECT max(pos) FROM hosts WHERE fleet = ?').pluck(),
      maxDocPos: db.prepare<[number], number | null>('SELECT max(pos) FROM docs WHERE fleet = ?').pluck(),
      dropFleet: db.prepare<[number]>('DELETE FROM fleets WHERE fleet = ?'),
      dropCombos: db.prepare<[number]>('DELETE FROM combos WHERE fleet = ?'),
      dropTexts: db.prepare<[number]>('DELETE FROM texts WHERE fleet = ?'),
      countSubstring: db.prepare<[number, string, number, number, string]>(
        'INSERT INTO substrings (fleet, substring, ep, bits, hosts) SELECT ?, ?, ep, bits, count(*) FROM hosts WHERE fleet = ? AND pos < ? AND instr(name, ?) > 0 GROUP BY ep, bits',
      ),
      forgetSubstring: db.prepare<[number, string]>('DELETE FROM substrings WHERE fleet = ? AND substring = ?'),
      forgetSubstrings: db.prepare<[number]>('DELETE FROM substrings WHERE fleet = ?'),
      pages: db.prepare<[], number>('PRAGMA page_count').pluck(),
      freePages: db.prepare<[], number>('PRAGMA freelist_count').pluck(),
    };
    this.nextFleet = (this.statements.lastFleet.get() ?? 0) + 1;
    this.recover();
  }

  close(): void {
    this.epoch += 1;
    this.db.close();
  }

  /**
   * The page of a project's hosts that a query selects, and how many it selects in all. The count
   * is remembered until the fleet changes; a page starts from the nearest remembered position.
   */
  async listHosts(projectId: string, query: ListHostsQuery): Promise<HostPage> {
    const { info } = await this.project(projectId);
    // The filters (and order, and shape) as they were validated name what is remembered; SQL is
    // built only when something is not.
    const { limit, offset, refresh, ...filters } = query;
    const memo = this.cache.memo(info.fleet, JSON.stringify(filters));
    const order = orderOf(query);
    let sql: { where: string; params: unknown[]; conditions: Condition[] } | undefined;
    const filterSql = () => {
      if (!sql) {
        const conditions = conditionsOf(query);
        sql = {
          where: ['fleet = ?', 'pos < ?', ...conditions.map((condition) => condition.sql)].join(' AND '),
          params: [info.fleet, info.nextPos, ...conditions.flatMap((condition) => bind(condition.params, info.fleet))],
          conditions,
        };
      }
      return sql;
    };
    if (memo.total === undefined) memo.total = this.count(info, filterSql());
    if (limit === 0 || offset >= memo.total) return { total: memo.total, hostsJson: '' };
    const served = memo.page(offset, limit);
    if (served !== undefined) return { total: memo.total, hostsJson: served };
    const { where, params, conditions } = filterSql();
    const start = memo.nearest(offset);
    const skip = offset - start.offset;
    // Few matches, far apart: gather them through the combinations' index rather than step over
    // the rows between them (a scan reads about skip/selectivity rows, the index about 4 per match).
    const scanned = ((skip + limit) * info.hosts) / memo.total;
    const rows = (
      query.sort_key === undefined && conditions.length > 0 && conditions.every((condition) => condition.combos) && memo.total * 4 < scanned
        ? this.listQuery(
            `SELECT pos, pos AS key FROM hosts INDEXED BY hosts_combo WHERE fleet = ? AND pos >= ? AND pos < ? AND (ep, bits) IN (SELECT ep, bits FROM combos WHERE fleet = ? AND ${conditions.map((condition) => condition.sql).join(' AND ')}) ORDER BY pos LIMIT ? OFFSET ?`,
          ).all(info.fleet, start.pos, info.nextPos, info.fleet, ...conditions.flatMap((condition) => bind(condition.params, info.fleet)), limit, skip)
        : this.listQuery(`SELECT pos, ${order.key} AS key FROM hosts WHERE ${where} AND ${order.after} ORDER BY ${order.by} LIMIT ? OFFSET ?`).all(
            ...params,
            ...order.afterParams(start),
            limit,
            skip,
          )
    ) as { pos: number; key: number }[];
    const last = rows.at(-1)!;
    memo.remember({ offset, key: rows[0]!.key, pos: rows[0]!.pos });
    memo.remember({ offset: offset + rows.length, key: last.key, pos: last.pos + 1 });
    const hostsJson = this.hostsJson(info, rows.map((row) => row.pos), shapeOf(query)).join(',');
    memo.rememberPage(offset, limit, hostsJson);
    return { total: memo.total, hostsJson };
  }

  /** Every host of a project, in API order, as JSON texts: a thousand at a time, so that any fleet can be listed. */
  async allHostsJson(projectId: string): Promise<AsyncIterable<string[]>> {
    const { info } = await this.project(projectId);
    return this.batches(info);
  }

  private async *batches(info: FleetInfo): AsyncGenerator<string[]> {
    this.hold(info.fleet);
    try {
      const next = (from: number) => this.statements.positions.all(info.fleet, from, info.nextPos, 1000);
      for (let positions = next(0); positions.length > 0; positions = next(positions.at(-1)! + 1)) {
        yield this.hostsJson(info, positions, { loginLocations: true, runtimes: true });
      }
    } finally {
      this.release(info.fleet);
    }
  }

  /** The projects in use (written, or whose starting fleet is kept), by id, with their host counts. */
  projects(offset: number, limit: number): ProjectList {
    return { total: this.statements.projectCount.get()!, projects: this.statements.projectPage.all(limit, offset) };
  }

  /**
   * Replaces every host of a project (with none, for an empty fleet). `make(write)` gives the
   * hosts, knowing which write this is (1, 2, ...); the write counts only if it succeeds.
   */
  replaceHosts(projectId: string, make: (write: number) => Host[]): Promise<Host[]> {
    return this.queued(projectId, async () => {
      const write = this.writesOf(projectId) + 1;
      const hosts = make(write);
      const info = this.newFleet(projectId, 0, 0);
      await this.fill(projectId, info, hosts.map((host) => ({ host, json: serializeHost(host) })));
      this.point(projectId, info, write);
      return hosts;
    });
  }

  /** Replaces the fleet with a generated one, written in slices. */
  generate(projectId: string, seed: number, count: number): Promise<void> {
    return this.queued(projectId, async () => {
      const info = this.newFleet(projectId, seed, count);
      await this.fill(projectId, info, this.generatedItems(info));
      this.point(projectId, info, this.writesOf(projectId) + 1);
    });
  }

  /** Adds hosts after the project's current ones, all or none; a project holds at most `max`. `make(write)` as for `replaceHosts`. */
  addHosts(projectId: string, make: (write: number) => Host[], max: number): Promise<Host[]> {
    return this.queued(projectId, async () => {
      const { info } = await this.materialized(projectId);
      const write = this.writesOf(projectId) + 1;
      const hosts = make(write);
      if (info.hosts + hosts.length > max) throw new InputError(`the project would hold ${info.hosts + hosts.length} hosts; at most ${max}`);
      const start = info.nextPos;
      this.statements.startAdding.run(info.fleet, start);
      try {
        await this.writeRows(projectId, info, hosts.map((host) => ({ host, json: serializeHost(host) })), start);
      } catch (error) {
        await this.dropRows(info.fleet, start, start + hosts.length);
        this.statements.doneAdding.run(info.fleet);
        throw error;
      }
      this.db.transaction(() => {
        this.statements.doneAdding.run(info.fleet);
        this.resize(info, info.hosts + hosts.length, start + hosts.length);
        this.statements.markWritten.run(write, projectId);
      })();
      this.changed(projectId, info);
      return hosts;
    });
  }

  /** Replaces one host, keeping its place; `change` gives the new host from the current one. Undefined when there is no such host. */
  updateHost(projectId: string, hostId: string, change: (current: Host) => Host): Promise<Host | undefined> {
    return this.queued(projectId, async () => {
      const { info } = await this.materialized(projectId);
      const row = this.statements.hostByHostId.get(info.fleet, hostId);
      if (!row) return undefined;
      const current = JSON.parse(this.hostsJson(info, [row.pos], { loginLocations: true, runtimes: true })[0]!) as Host;
      const host = change(current);
      const write = this.writesOf(projectId) + 1;
      this.db.transaction(() => {
        const updated = this.dictionary(info.fleet).row(row.pos, host);
        this.statements.deleteHost.run(info.fleet, row.pos);
        this.statements.insertHost.run(...updated.values);
        this.statements.insertDoc.run(info.fleet, row.pos, serializeHost(host));
        this.statements.countCombo.run(info.fleet, row.ep, row.bits, -1);
        this.statements.countCombo.run(info.fleet, updated.ep, updated.bits, 1);
        this.statements.markWritten.run(write, projectId);
      })();
      this.changed(projectId, info);
      return host;
    });
  }

  /** Deletes one host; false when there is no such host. */
  deleteHost(projectId: string, hostId: string): Promise<boolean> {
    return this.queued(projectId, async () => {
      const { info } = await this.materialized(projectId);
      const row = this.statements.hostByHostId.get(info.fleet, hostId);
      if (!row) return false;
      const write = this.writesOf(projectId) + 1;
      this.db.transaction(() => {
        this.statements.deleteHost.run(info.fleet, row.pos);
        this.statements.deleteDoc.run(info.fleet, row.pos);
        this.statements.countCombo.run(info.fleet, row.ep, row.bits, -1);
        this.resize(info, info.hosts - 1, info.nextPos);
        this.statements.markWritten.run(write, projectId);
      })();
      this.changed(projectId, info);
      return true;
    });
  }

  /** Forgets a project: its next use starts it afresh from its starting fleet. */
  resetProject(projectId: string): Promise<void> {
    return this.queued(projectId, async () => {
      const state = this.stateOf(projectId);
      if (!state) return;
      this.db.transaction(() => {
        this.statements.deleteProject.run(projectId);
        this.statements.addGarbage.run(state.info.fleet);
      })();
      this.forgetProject(projectId, state.info.fleet);
      void this.collectGarbage();
    });
  }

  /** Forgets every project, at once. */
  resetAll(): void {
    this.epoch += 1;
    this.cache.forget();
    this.states.clear();
    this.starting.clear();
    this.generatedJson.clear();
    this.generatedJsonSize = 0;
    this.substrings.clear();
    this.db.transaction(() => {
      for (const table of ['hosts', 'docs', 'combos', 'texts', 'fleets', 'projects', 'adding', 'garbage', 'substrings']) this.db.exec(`DELETE FROM ${table}`);
    })();
  }

  /** Resolves once the fleets no longer used are deleted (they are, in the background). */
  async settled(): Promise<void> {
    await this.collectGarbage();
  }

  /** Bytes the database holds now (pages in use), and may hold. */
  dataSize(): { data_bytes: number; data_limit_bytes: number } {
    return { data_bytes: this.bytesUsed(), data_limit_bytes: this.options.dataLimit };
  }

  private bytesUsed(): number {
    return (this.statements.pages.get()! - this.statements.freePages.get()!) * this.pageSize;
  }

  /**
   * The project's state, for a reader; a project used for the first time gets its starting fleet,
   * made in the project's queue (so that a write queued before it comes first).
   */
  private project(projectId: string): Promise<ProjectState> | ProjectState {
    const known = this.stateOf(projectId);
    if (known) return known;
    let making = this.starting.get(projectId);
    if (!making) {
      making = this.queued(projectId, () => this.materialized(projectId)).finally(() => this.starting.delete(projectId));
      this.starting.set(projectId, making);
    }
    return making;
  }

  /** The project's state, inside its queue: made now if it is not known. */
  private async materialized(projectId: string): Promise<ProjectState> {
    for (;;) {
      const known = this.stateOf(projectId);
      if (known) return known;
      try {
        return await this.makeStartingFleet(projectId);
      } catch (error) {
        // A full reset came meanwhile: start again, under the options as they are now.
        if (!(error instanceof ResetError)) throw error;
      }
    }
  }

  /** The project's state if it is known, in memory or in the database; marks it used. */
  private stateOf(projectId: string): ProjectState | undefined {
    let state = this.states.get(projectId);
    if (state) {
      this.states.delete(projectId);
    } else {
      const row = this.statements.project.get(projectId);
      if (!row) return undefined;
      state = { info: this.statements.fleet.get(row.fleet)!, written: row.written === 1 };
    }
    this.states.set(projectId, state);
    return state;
  }

  private async makeStartingFleet(projectId: string): Promise<ProjectState> {
    const starting = this.options.startingFleet(projectId);
    const generated = 'count' in starting;
    const info = this.newFleet(projectId, generated ? starting.seed : 0, generated ? starting.count : 0);
    await this.fill(projectId, info, generated ? this.generatedItems(info) : starting.hosts.map((host) => ({ host, json: serializeHost(host) })));
    this.db.transaction(() => {
      this.statements.pointProject.run(projectId, info.fleet, 0);
      this.statements.removeGarbage.run(info.fleet);
    })();
    const state = { info, written: false };
    this.states.set(projectId, state);
    return state;
  }

  /** Runs a write after the project's earlier writes. */
  private queued<T>(projectId: string, write: () => Promise<T>): Promise<T> {
    const before = this.queues.get(projectId) ?? Promise.resolve();
    const result = before.then(write, write);
    const tail = result.catch(() => undefined);
    this.queues.set(projectId, tail);
    void tail.then(() => {
      if (this.queues.get(projectId) === tail) this.queues.delete(projectId);
    });
    return result;
  }

  private writesOf(projectId: string): number {
    return this.statements.writes.get(projectId) ?? 0;
  }

  /** A new, empty fleet: garbage until a project points to it. */
  private newFleet(generator: string, seed: number, generated: number): FleetInfo {
    const fleet = this.nextFleet++;
    this.db.transaction(() => {
      this.statements.addGarbage.run(fleet);
      this.statements.addFleet.run(fleet, generator, seed, generated);
    })();
    return { fleet, generator, seed, generated, hosts: 0, nextPos: 0 };
  }

  /** Writes every host of a new fleet; on failure the fleet stays garbage and is dropped. */
  private async fill(projectId: string, info: FleetInfo, items: Iterable<WriteItem>): Promise<void> {
    this.hold(info.fleet);
    try {
      const written = await this.writeRows(projectId, info, items, 0);
      this.resize(info, written, written);
    } catch (error) {
      void this.collectGarbage();
      throw error;
    } finally {
      this.release(info.fleet);
    }
  }

  /** The generator's hosts of a fleet, without JSON: it can make them again. */
  private *generatedItems(info: FleetInfo): Generator<WriteItem> {
    for (let pos = 0; pos < info.generated; pos++) yield { host: this.options.generatedHost(info.seed, info.generator, pos), json: undefined };
  }

  /**
   * Writes hosts at positions from `start` on, in slices, and counts their combinations. Returns
   * how many were written. Stops with a DataLimitError when the data limit is reached and nothing
   * can be dropped, and with a DuplicateHostError on a host_id the fleet already has.
   */
  private async writeRows(projectId: string, info: FleetInfo, items: Iterable<WriteItem>, start: number): Promise<number> {
    const epoch = this.epoch;
    const iterator = items[Symbol.iterator]();
    const dictionary = this.dictionary(info.fleet);
    let pos = start;
    for (let done = false; !done; ) {
      const combos = new Map<string, number>();
      this.db.transaction(() => {
        const until = performance.now() + SLICE_MS;
        do {
          const next = iterator.next();
          if (next.done) {
            done = true;
            break;
          }
          const { host, json } = next.value;
          const { values, ep, bits } = dictionary.row(pos, host);
          if (this.statements.insertHost.run(...values).changes === 0) throw new DuplicateHostError(projectId, host.host_id!);
          if (json !== undefined) this.statements.insertDoc.run(info.fleet, pos, json);
          const combo = `${ep}:${bits}`;
          combos.set(combo, (combos.get(combo) ?? 0) + 1);
          pos += 1;
        } while ((pos & 63) !== 0 || performance.now() < until);
        for (const [combo, hosts] of combos) {
          const [ep, bits] = combo.split(':').map(Number) as [number, number];
          this.statements.countCombo.run(info.fleet, ep, bits, hosts);
        }
      })();
      if (!done) {
        await nextTurn();
        if (epoch !== this.epoch) throw new ResetError();
        await this.makeRoom(info.fleet);
      }
    }
    await this.makeRoom(info.fleet);
    if (epoch !== this.epoch) throw new ResetError();
    return pos - start;
  }

  /**
   * Drops the starting fleets used least recently, and the garbage, until the data fits the
   * limit; a DataLimitError when what is left is written data and fleets being written.
   */
  private async makeRoom(keep: number): Promise<void> {
    while (this.bytesUsed() > this.options.dataLimit) {
      const victim = [...this.states].find(([, state]) => !state.written && state.info.fleet !== keep && !this.busy.has(state.info.fleet));
      if (victim) {
        const [projectId, { info }] = victim;
        this.db.transaction(() => {
          this.statements.deleteProject.run(projectId);
          this.statements.addGarbage.run(info.fleet);
        })();
        this.forgetProject(projectId, info.fleet);
      } else if (!this.statements.garbage.all().some((fleet) => !this.busy.has(fleet))) {
        throw new DataLimitError(`the data limit (--data-limit ${Math.round(this.options.dataLimit / 2 ** 20)} MiB) is reached: written projects fill it`);
      }
      await this.collectGarbage();
    }
  }

  /** Points a project to a fleet, as written; its former fleet becomes garbage. */
  private point(projectId: string, info: FleetInfo, write: number): void {
    const former = this.stateOf(projectId)?.info.fleet;
    this.db.transaction(() => {
      this.statements.pointProject.run(projectId, info.fleet, 1);
      this.statements.markWritten.run(write, projectId);
      this.statements.removeGarbage.run(info.fleet);
      if (former !== undefined) this.statements.addGarbage.run(former);
    })();
    if (former !== undefined) this.cache.forget(former);
    this.states.delete(projectId);
    this.states.set(projectId, { info, written: true });
    void this.collectGarbage();
  }

  /** After a write in place: the project is written, what was remembered of its fleet is not true any more. */
  private changed(projectId: string, info: FleetInfo): void {
    this.cache.forget(info.fleet);
    this.forgetSubstrings(info.fleet);
    this.states.set(projectId, { info, written: true });
  }

  private forgetProject(projectId: string, fleet: number): void {
    this.states.delete(projectId);
    this.cache.forget(fleet);
  }

  private resize(info: FleetInfo, hosts: number, nextPos: number): void {
    info.hosts = hosts;
    info.nextPos = nextPos;
    this.statements.fleetSize.run(hosts, nextPos, info.fleet);
  }

  private dictionary(fleet: number): Dictionary {
    return new Dictionary(fleet, this.statements);
  }

  private hold(fleet: number): void {
    this.busy.set(fleet, (this.busy.get(fleet) ?? 0) + 1);
  }

  private release(fleet: number): void {
    const count = this.busy.get(fleet)! - 1;
    if (count === 0) this.busy.delete(fleet);
    else this.busy.set(fleet, count);
  }

  /**
   * The count of a query: a sum of the combination counts when every filter is a dimension (or
   * the enterprise project), of the counts remembered for a host name substring when one is
   * there too; else a count of the rows.
   */
  private count(info: FleetInfo, sql: { where: string; params: unknown[]; conditions: Condition[] }): number {
    const others = sql.conditions.filter((condition) => !condition.combos);
    const substring = others.length === 1 ? others[0]!.substring : undefined;
    if (others.length === 0 || substring !== undefined) {
      const counted = sql.conditions.filter((condition) => condition.combos);
      const where = ['fleet = ?', ...(substring === undefined ? [] : ['substring = ?']), ...counted.map((condition) => condition.sql)].join(' AND ');
      const params = [info.fleet, ...(substring === undefined ? [] : [substring]), ...counted.flatMap((condition) => bind(condition.params, info.fleet))];
      if (substring !== undefined) this.countSubstring(info, substring);
      return this.listQuery(`SELECT coalesce(sum(hosts), 0) FROM ${substring === undefined ? 'combos' : 'substrings'} WHERE ${where}`, true).get(...params) as number;
    }
    return this.listQuery(`SELECT count(*) FROM hosts WHERE ${sql.where}`, true).get(...sql.params) as number;
  }

  /**
   * Counts, once, the hosts whose name holds a substring, by combination: a dashboard's user
   * types a few letters, then clicks through the other filters.
   */
  private countSubstring(info: FleetInfo, substring: string): void {
    const key = `${info.fleet}\0${substring}`;
    if (this.substrings.delete(key)) return void this.substrings.set(key, info.fleet);
    if (this.substrings.size >= SUBSTRINGS_KEPT) {
      const [oldest, fleet] = this.substrings.entries().next().value!;
      this.substrings.delete(oldest);
      this.statements.forgetSubstring.run(fleet, oldest.slice(oldest.indexOf('\0') + 1));
    }
    this.statements.countSubstring.run(info.fleet, substring, info.fleet, info.nextPos, substring);
    this.substrings.set(key, info.fleet);
  }

  /** What was counted of a fleet's substrings is not true any more. */
  private forgetSubstrings(fleet: number): void {
    this.statements.forgetSubstrings.run(fleet);
    for (const [key, of] of this.substrings) if (of === fleet) this.substrings.delete(key);
  }

  /** The JSON of the hosts at these positions, in this order, shaped for the query. */
  private hostsJson(info: FleetInfo, positions: readonly number[], shape: AnswerShape): string[] {
    const docs = new Map<number, string>();
    for (const { pos, doc } of this.statements.docsAt.all(info.fleet, JSON.stringify(positions))) docs.set(pos, doc);
    return positions.map((pos) => shapeHostJson(docs.get(pos) ?? this.generatedHostJson(info, pos), shape));
  }

  /** A generated host's JSON, kept for a while: pages near the start of a fleet are asked for again and again. */
  private generatedHostJson(info: FleetInfo, pos: number): string {
    const key = `${info.fleet}:${pos}`;
    let json = this.generatedJson.get(key);
    if (json === undefined) {
      json = serializeHost(this.options.generatedHost(info.seed, info.generator, pos));
      this.generatedJsonSize += json.length;
      for (const [oldKey, old] of this.generatedJson) {
        if (this.generatedJsonSize <= this.generatedJsonBytes) break;
        this.generatedJson.delete(oldKey);
        this.generatedJsonSize -= old.length;
      }
    } else {
      this.generatedJson.delete(key);
    }
    this.generatedJson.set(key, json);
    return json;
  }

  /** A prepared list query; `pluck` for those that give one value. */
  private listQuery(sql: string, pluck = false): Database.Statement {
    let statement = this.listQueries.get(sql);
    if (!statement) {
      // Bounded: the texts are made from the filter table, but there are many combinations.
      if (this.listQueries.size >= 512) this.listQueries.clear();
      statement = this.db.prepare(sql).pluck(pluck);
      this.listQueries.set(sql, statement);
    }
    return statement;
  }

  /** At start: rows of adds a crash cut short are deleted, starting fleets (derived from options) are dropped. */
  private recover(): void {
    for (const { fleet, start } of this.statements.adding.all()) {
      this.db.transaction(() => {
        this.statements.dropRows.run(fleet, start, Number.MAX_SAFE_INTEGER);
        this.statements.dropDocs.run(fleet, start, Number.MAX_SAFE_INTEGER);
        this.statements.doneAdding.run(fleet);
      })();
    }
    this.db.transaction(() => {
      for (const { project_id, fleet } of this.statements.unwritten.all()) {
        this.statements.deleteProject.run(project_id);
        this.statements.addGarbage.run(fleet);
      }
    })();
    void this.collectGarbage();
  }

  /** Deletes the rows of adds that failed. */
  private async dropRows(fleet: number, from: number, to: number): Promise<void> {
    for (let low = from; low < to; low += DROP_BATCH) {
      this.db.transaction(() => {
        this.statements.dropRows.run(fleet, low, Math.min(low + DROP_BATCH, to));
        this.statements.dropDocs.run(fleet, low, Math.min(low + DROP_BATCH, to));
      })();
      await nextTurn();
    }
  }

  /** Deletes every fleet in garbage (but those being written), in slices; one pass at a time. */
  private collectGarbage(): Promise<void> {
    this.collecting ??= this.collect().finally(() => (this.collecting = undefined));
    return this.collecting;
  }

  private async collect(): Promise<void> {
    while (this.db.open) {
      const fleets = this.statements.garbage.all().filter((fleet) => !this.busy.has(fleet));
      if (fleets.length === 0) return;
      for (const fleet of fleets) await this.dropFleet(fleet);
    }
  }

  /** Deletes a fleet in slices; stops where it is when the database closes (the next start goes on). */
  private async dropFleet(fleet: number): Promise<void> {
    if (!this.db.open) return;
    const end = Math.max(this.statements.maxPos.get(fleet) ?? -1, this.statements.maxDocPos.get(fleet) ?? -1) + 1;
    for (let low = 0; low < end; low += DROP_BATCH) {
      this.db.transaction(() => {
        this.statements.dropRows.run(fleet, low, low + DROP_BATCH);
        this.statements.dropDocs.run(fleet, low, low + DROP_BATCH);
      })();
      await nextTurn();
      if (!this.db.open) return;
    }
    this.forgetSubstrings(fleet);
    this.db.transaction(() => {
      this.statements.dropCombos.run(fleet);
      this.statements.dropTexts.run(fleet);
      this.statements.dropFleet.run(fleet);
      this.statements.removeGarbage.run(fleet);
    })();
    for (const key of this.generatedJson.keys()) {
      if (key.startsWith(`${fleet}:`)) {
        this.generatedJsonSize -= this.generatedJson.get(key)!.length;
        this.generatedJson.delete(key);
      }
    }
  }
}

/** The fleet's number in place of its placeholder. */
function bind(params: readonly unknown[], fleet: number): unknown[] {
  return params.map((param) => (param === FLEET ? fleet : param));
}

/** Which optional fields a query's hosts carry. */
function shapeOf(query: ListHostsQuery): AnswerShape {
  return { loginLocations: query.get_common_login_locations === true, runtimes: query.incluster !== undefined };
}

/**
 * How a query orders its matches: by position, or by a sort key with position breaking ties in
 * either direction; and how a page starts at a checkpoint. Descending, the index on (key, pos) is
 * walked by key only, positions sorted within each key (SQLite sorts such runs one at a time).
 */
function orderOf(query: ListHostsQuery): {
  key: string;
  by: string;
  after: string;
  afterParams: (start: Checkpoint) => number[];
} {
  if (query.sort_key === undefined) return { key: 'pos', by: 'pos', after: 'pos >= ?', afterParams: (start) => [start.pos] };
  const column = SORT_COLUMNS[query.sort_key];
  // Sort keys are counts and epoch milliseconds: never negative, never past 2^53.
  if (query.sort_dir === 'asc') {
    return { key: column, by: `${column}, pos`, after: `(${column}, pos) >= (?, ?)`, afterParams: ({ key, pos }) => [key ?? -1, pos] };
  }
  return {
    key: column,
    by: `${column} DESC, pos`,
    after: `${column} <= ? AND (${column} < ? OR pos >= ?)`,
    afterParams: ({ key, pos }) => [key ?? Number.MAX_SAFE_INTEGER, key ?? Number.MAX_SAFE_INTEGER, pos],
  };
}
