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
// slices of about 25 ms, letting other requests in between: readers see the old hosts or
// the new ones, never a mix, and the health check keeps answering. Writes to one project are
// serialized; writes to different projects interleave.
import type Database from 'better-sqlite3';
import { InputError } from '../contract/errors.js';
import { tmpdir } from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { serializeHost, shapeHostJson, type AnswerShape, type Host, type ListHostsQuery, type ProjectList } from '../contract/schemas.js';
import { openDatabase, SORT_COLUMNS } from './database.js';
import { ComboArrays, RowArrays, combosFrom, sumOf, type CombosInArrays } from './fleet-arrays.js';
import { ROWS_A_CLAIM } from './fleet-builder.js';
import { FleetFiles } from './fleet-files.js';
import { CODED_COLUMNS, conditionsOf, FLEET, type Condition } from './filters.js';
import { ListCache, TextCache, type Checkpoint } from './list-cache.js';
import { KeptCounts } from './kept-counts.js';
import { countCombo, Dictionary, newTexts, type Combos, type Row } from './rows.js';
import { prepareTables, type FleetRow, type Tables } from './tables.js';

/**
 * A page of hosts: how many match in all, and the page as the API answers it
 * (`{"total_num":…,"data_list":[…]}`) in UTF-8: a page served again is sent as it is kept, without
 * making or encoding it again (a third more answers a second when a client repeats a query).
 */
export interface HostPage {
  total: number;
  json: Buffer;
}

function pageJson(total: number, hostsJson: string): Buffer {
  const json = `{"total_num":${total},"data_list":[${hostsJson}]}`;
  // Not from Node's shared pool of small buffers: a kept page would hold a whole pool block.
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
  bytes.write(json);
  return bytes;
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
  /** Characters of generated hosts' JSON kept for pages to come (bytes: the JSON is ASCII but for some names). */
  generatedJsonBytes?: number;
  /** Combinations copied into typed arrays for counting, over every fleet. */
  comboRowsKept?: number;
  /** Host positions copied into typed arrays for finding pages, over every fleet. */
  hostRowsKept?: number;
  /** Generated fleets of this many hosts or more are built in files of their own (fleet-files.ts): starting fleets, and when all is in memory, generated ones. */
  fleetFileHosts?: number;
  /** Where the folder of those files is made: the OS's temporary folder unless given. */
  fleetFilesParent?: string;
  /**
   * The URL of the module whose `HostFactory(seed, generator).host(pos)` is `generatedHost`
   * (src/fleet/generator.ts): with it, the worker building a fleet's file draws part of its hosts.
   */
  generatorModule?: string;
}

/** What a generated host takes in the database, about (its row, its share of the indexes and counts). */
export const BYTES_PER_GENERATED_HOST = 250;

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

/** A fleet, and the tables that hold it: the main ones, or (with a file) the in-memory ones of starting fleets. */
interface FleetInfo extends FleetRow {
  tables: Tables;
}

interface ProjectState {
  info: FleetInfo;
  written: boolean;
}

/** A row of a page: its position, and its value of the page's order. */
interface PageRow {
  pos: number;
  key: number;
}

/** A host to write: the host, and its JSON unless the generator can make it again. */
interface WriteItem {
  host: Host;
  json: string | undefined;
}

/**
 * Substrings whose counts are kept over every fleet, and their rows at most (one a combination,
 * 16 bytes: 8 MiB): hundreds of substrings' worth at 2,000,000 hosts.
 */
const SUBSTRINGS_KEPT = { entries: 256, rows: 500_000 };
/** Combinations copied into typed arrays, over every fleet: 16 MiB (a generated fleet of 2,000,000 hosts has about 50,000). */
const COMBO_ROWS_KEPT = 1_000_000;
/**
 * Host positions copied into typed arrays, over every fleet: about 25 MiB (4 bytes and a name
 * each). A larger fleet is paged in SQL: copying one reads every row at once (0.25 s at 250,000).
 */
const HOST_ROWS_KEPT = 250_000;
/**
 * How long a slice of a long write keeps the event loop, at most (about). A slice is a
 * transaction, and committing one costs as much as a few hundred inserts: 8 ms slices spent a
 * fifth of a million-host generation committing, 25 ms slices a seventh.
 */
const SLICE_MS = 25;
/**
 * Generated fleets of this many hosts or more are built in files of their own: 0.9 s
 * against 1.4 in the shared tables at 100,000 hosts, 17 s against 41 at 2,000,000 (below, a worker
 * thread to start and a file cost about what they save).
 */
const FLEET_FILE_HOSTS = 100_000;
/** Rows a statement moves from the in-memory tables to the file's. */
const MOVE_BATCH = 2048;
/** Rows deleted in one statement when a fleet is dropped. */
const DROP_BATCH = 4096;

export class HostStore {
  private readonly db: Database.Database;
  private readonly statements;
  /** The tables of written fleets: in the file with --db. */
  private readonly mainTables: Tables;
  /** The tables of starting fleets: in memory, never in a file (the main tables when all is in memory). */
  private readonly startingTables: Tables;
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
  /**
   * Fleets that may have rows past their next position, which counts must leave out: an add in
   * progress, or its rows being dropped. A fleet leaves only once those rows count or are gone
   * (it stays if the database failed meanwhile).
   */
  private readonly growing = new Set<number>();
  /** The substrings counted, by key (`fleet\0substring`). */
  private readonly substrings = new KeptCounts<CombosInArrays>(SUBSTRINGS_KEPT.entries, SUBSTRINGS_KEPT.rows);
  /** The counts per combination of the fleets counted most recently, as typed arrays. */
  private readonly comboArrays: ComboArrays;
  /** Fleets' rows by position, in typed arrays, for finding pages. */
  private readonly rowArrays: RowArrays;
  /** Large generated fleets, in files of their own. */
  private readonly fleetFiles: FleetFiles;
  /** Generated hosts' JSON by `fleet:pos:shape`, the least recently used leaving first. */
  private readonly generatedJson: TextCache;
  private nextFleet: number;
  /** Bumped by a full reset: long operations started before it stop. */
  private epoch = 0;
  private collecting: Promise<void> | undefined;
  private readonly pageSize: number;

  constructor(private readonly options: StoreOptions) {
    this.db = openDatabase(options.path, options.reset);
    this.db.pragma('temp_store = MEMORY');
    this.pageSize = this.db.pragma('page_size', { simple: true }) as number;
    this.generatedJson = new TextCache(options.generatedJsonBytes ?? 16 * 1024 * 1024);
    this.comboArrays = new ComboArrays(options.comboRowsKept ?? COMBO_ROWS_KEPT);
    this.rowArrays = new RowArrays(options.hostRowsKept ?? HOST_ROWS_KEPT);
    const db = this.db;
    this.mainTables = prepareTables(db, 'main');
    this.startingTables = options.path === ':memory:' ? this.mainTables : prepareTables(db, 'cache');
    const projectsOf = (tables: Tables) => `SELECT project_id, hosts FROM ${tables.schema}.projects JOIN ${tables.schema}.fleets USING (fleet)`;
    const everyProject = [...this.allTables()].map(projectsOf).join(' UNION ALL ');
    this.statements = {
      projectCount: db.prepare<[], number>(`SELECT count(*) FROM (${everyProject})`).pluck(),
      projectPage: db.prepare<[number, number], { project_id: string; hosts: number }>(`${everyProject} ORDER BY project_id LIMIT ? OFFSET ?`),
      startAdding: db.prepare<[number, number]>('INSERT INTO main.adding (fleet, start) VALUES (?, ?)'),
      doneAdding: db.prepare<[number]>('DELETE FROM main.adding WHERE fleet = ?'),
      adding: db.prepare<[], { fleet: number; start: number }>('SELECT fleet, start FROM main.adding'),
    };
    this.fleetFiles = new FleetFiles(db, { parent: options.fleetFilesParent ?? tmpdir(), generatorModule: options.generatorModule }, this.startingTables);
    this.nextFleet = Math.max(...[...this.allTables()].map((tables) => tables.lastFleet.get() ?? 0)) + 1;
    this.recover();
  }

  /** Closes the database; resolves once the files of large fleets are deleted. */
  close(): Promise<void> {
    this.epoch += 1;
    this.db.close();
    return this.fleetFiles.close();
  }

  /**
   * The page of a project's hosts that a query selects, and how many it selects in all. The count
   * is remembered until the fleet changes; a page starts from the nearest remembered position.
   */
  listHosts(projectId: string, query: ListHostsQuery): Promise<HostPage> {
    return this.withState(projectId, (id) => this.project(id), ({ info }) => this.page(info, query));
  }

  private page(info: FleetInfo, query: ListHostsQuery): HostPage {
    // The filters (and order, and shape) as they were validated name what is remembered; SQL is
    // built only when something is not.
    const { limit, offset, refresh, ...filters } = query;
    const memo = this.cache.memo(info.fleet, JSON.stringify(filters));
    let sql: { where: string; params: unknown[]; conditions: Condition[] } | undefined;
    const filterSql = () => {
      if (!sql) {
        const conditions = conditionsOf(query, info.tables.schema);
        sql = {
          where: ['fleet = ?', 'pos < ?', ...conditions.map((condition) => condition.sql)].join(' AND '),
          params: [info.fleet, info.nextPos, ...conditions.flatMap((condition) => bind(condition.params, info.fleet))],
          conditions,
        };
      }
      return sql;
    };
    if (memo.total === undefined) memo.total = this.count(info, filterSql());
    if (limit === 0 || offset >= memo.total) return { total: memo.total, json: pageJson(memo.total, '') };
    const served = memo.page(offset, limit);
    if (served !== undefined) return { total: memo.total, json: served };
    const start = memo.nearest(offset);
    const rows = this.pageRows(info, query, filterSql(), start, { skip: offset - start.offset, limit, total: memo.total });
    const last = rows.at(-1)!;
    memo.remember({ offset, key: rows[0]!.key, pos: rows[0]!.pos });
    memo.remember({ offset: offset + rows.length, key: last.key, pos: last.pos + 1 });
    const json = pageJson(memo.total, this.hostsJson(info, rows.map((row) => row.pos), shapeOf(query)).join(','));
    memo.rememberPage(offset, limit, json);
    return { total: memo.total, json };
  }

  /**
   * The rows of a page, `skip` matches past a checkpoint: by position from the fleet's rows in
   * typed arrays where SQLite would step over many rows; gathered through the combinations' index
   * where few match, far apart (a scan reads about skip/selectivity rows, the index about 4 a
   * match); else in SQL, in the query's order.
   */
  private pageRows(
    info: FleetInfo,
    query: ListHostsQuery,
    { where, params, conditions }: { where: string; params: unknown[]; conditions: Condition[] },
    start: Checkpoint,
    { skip, limit, total }: { skip: number; limit: number; total: number },
  ): PageRow[] {
    const byPosition = query.sort_key === undefined;
    const scanned = (Math.min(skip + limit, total - start.offset) * info.hosts) / total;
    if (byPosition && conditions.every((condition) => condition.combo || condition.substring !== undefined)) {
      const positions = this.positionsInArrays(info, conditions, { from: start.pos, skip, limit, scanned });
      if (positions) return positions.map((pos) => ({ pos, key: pos }));
    }
    if (byPosition && conditions.length > 0 && conditions.every((condition) => condition.combo) && total * 4 < scanned) {
      const { schema } = info.tables;
      return this.listQuery(
        `SELECT pos, pos AS key FROM ${schema}.hosts INDEXED BY hosts_combo WHERE fleet = ? AND pos >= ? AND pos < ? AND (ep, bits) IN (SELECT ep, bits FROM ${schema}.combos WHERE fleet = ? AND ${conditions.map((condition) => condition.sql).join(' AND ')}) ORDER BY pos LIMIT ? OFFSET ?`,
      ).all(info.fleet, start.pos, info.nextPos, info.fleet, ...conditions.flatMap((condition) => bind(condition.params, info.fleet)), limit, skip) as PageRow[];
    }
    return this.rowsInOrder(info, query, { where, params }, start, skip, limit);
  }

  /** Every host of a project, in API order, as JSON texts: a thousand at a time, so that any fleet can be listed. */
  async allHostsJson(projectId: string): Promise<AsyncIterable<string[]>> {
    // Had once here, so that a failure (the data limit) comes before the first batch.
    await this.project(projectId);
    return this.batches(projectId);
  }

  private async *batches(projectId: string): AsyncGenerator<string[]> {
    const info = await this.withState(projectId, (id) => this.project(id), ({ info }) => {
      this.hold(info.fleet);
      return info;
    });
    try {
      const next = (from: number) => info.tables.positions.all(info.fleet, from, info.nextPos, 1000);
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
      const info = this.newFleet(this.mainTables, projectId, 0, 0);
      await this.fill(projectId, info, hosts.map((host) => ({ host, json: serializeHost(host) })), false, () => this.point(projectId, info, write));
      return hosts;
    });
  }

  /**
   * Replaces the fleet with a generated one, written in slices; a large one, when all is in
   * memory, in a file of its own (with a file, written fleets are the file's).
   */
  generate(projectId: string, seed: number, count: number): Promise<void> {
    return this.queued(projectId, async () => {
      const info = this.newFleet(this.mainTables, projectId, seed, count);
      const apart = this.startingTables === this.mainTables && this.large(count);
      await this.fill(projectId, info, this.generatedItems(info), apart, () => this.point(projectId, info, this.writesOf(projectId) + 1));
    });
  }

  /** Adds hosts after the project's current ones, all or none; a project holds at most `max`. `make(write)` as for `replaceHosts`. */
  addHosts(projectId: string, make: (write: number) => Host[], max: number): Promise<Host[]> {
    return this.queued(projectId, () => this.withState(projectId, (id) => this.writable(id), (state) => this.add(projectId, state.info, make, max)));
  }

  /** An add to a fleet had this turn; it holds the fleet before its first await. */
  private async add(projectId: string, info: FleetInfo, make: (write: number) => Host[], max: number): Promise<Host[]> {
    const write = this.writesOf(projectId) + 1;
    const hosts = make(write);
    if (info.hosts + hosts.length > max) throw new InputError(`the project would hold ${info.hosts + hosts.length} hosts; at most ${max}`);
    const start = info.nextPos;
    // Held, so that another project's write cannot drop this fleet to make room while it grows.
    this.hold(info.fleet);
    this.growing.add(info.fleet);
    try {
      this.statements.startAdding.run(info.fleet, start);
      let combos: Combos;
      try {
        ({ combos } = await this.writeRows(projectId, info, hosts.map((host) => ({ host, json: serializeHost(host) })), start, false));
      } catch (error) {
        await this.dropRows(info, start, start + hosts.length);
        this.statements.doneAdding.run(info.fleet);
        this.growing.delete(info.fleet);
        throw error;
      }
      // Counted with the add's end, so that no count ever includes rows readers cannot see.
      this.db.transaction(() => {
        this.statements.doneAdding.run(info.fleet);
        this.countCombos(info, combos);
        this.resize(info, info.hosts + hosts.length, start + hosts.length);
        this.mainTables.markWritten.run(write, projectId);
      })();
      this.growing.delete(info.fleet);
    } finally {
      this.release(info.fleet);
    }
    this.changed(projectId, info);
    return hosts;
  }

  /** Replaces one host, keeping its place; `change` gives the new host from the current one. Undefined when there is no such host. */
  updateHost(projectId: string, hostId: string, change: (current: Host) => Host): Promise<Host | undefined> {
    return this.queued(projectId, async () => {
      if (!(await this.holds(projectId, hostId))) return undefined;
      return this.withState(projectId, (id) => this.writable(id), ({ info }) => {
        const { tables } = info;
        const row = tables.hostByHostId.get(info.fleet, hostId)!;
        const current = JSON.parse(this.hostsJson(info, [row.pos], { loginLocations: true, runtimes: true })[0]!) as Host;
        const host = change(current);
        const write = this.writesOf(projectId) + 1;
        this.db.transaction(() => {
          const updated = new Dictionary(info.fleet, tables).row(row.pos, host);
          tables.deleteHost.run(info.fleet, row.pos);
          tables.insertHost.run(...updated.values);
          tables.insertDoc.run(info.fleet, row.pos, serializeHost(host));
          tables.countCombo.run(info.fleet, row.ep, row.bits, -1);
          tables.countCombo.run(info.fleet, updated.ep, updated.bits, 1);
          tables.markWritten.run(write, projectId);
        })();
        this.changed(projectId, info);
        return host;
      });
    });
  }

  /** Deletes one host; false when there is no such host. */
  deleteHost(projectId: string, hostId: string): Promise<boolean> {
    return this.queued(projectId, async () => {
      if (!(await this.holds(projectId, hostId))) return false;
      return this.withState(projectId, (id) => this.writable(id), ({ info }) => {
        const { tables } = info;
        const row = tables.hostByHostId.get(info.fleet, hostId)!;
        const write = this.writesOf(projectId) + 1;
        this.db.transaction(() => {
          tables.deleteHost.run(info.fleet, row.pos);
          tables.deleteDoc.run(info.fleet, row.pos);
          tables.countCombo.run(info.fleet, row.ep, row.bits, -1);
          this.resize(info, info.hosts - 1, info.nextPos);
          tables.markWritten.run(write, projectId);
        })();
        this.changed(projectId, info);
        return true;
      });
    });
  }

  /** Forgets a project: its next use starts it afresh from its starting fleet. */
  resetProject(projectId: string): Promise<void> {
    return this.queued(projectId, async () => {
      const state = this.stateOf(projectId);
      if (!state) return;
      this.drop(projectId, state.info);
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
    this.substrings.clear();
    this.comboArrays.clear();
    this.rowArrays.clear();
    this.db.transaction(() => {
      for (const { schema } of this.allTables()) {
        for (const table of ['hosts', 'docs', 'combos', 'texts', 'fleets', 'projects', 'adding', 'garbage']) this.db.exec(`DELETE FROM ${schema}.${table}`);
      }
    })();
    this.fleetFiles.dropAll();
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
    let pages = 0;
    for (const tables of this.allTables()) pages += tables.pages.get()! - tables.freePages.get()!;
    return pages * this.pageSize + this.fleetFiles.bytes();
  }

  /**
   * Runs `use` on a project's state in the turn `get` gives it: a state dropped while it was
   * awaited (a starting fleet dropped to make room for another, a reset) is had again, so that
   * nothing reads or writes a fleet being deleted. `use` holds what it needs before its first await.
   */
  private async withState<T>(projectId: string, get: (projectId: string) => Promise<ProjectState> | ProjectState, use: (state: ProjectState) => T): Promise<Awaited<T>> {
    for (;;) {
      const state = await get(projectId);
      if (this.states.get(projectId) === state) return await use(state);
    }
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
      const row = this.mainTables.project.get(projectId);
      if (!row) return undefined;
      state = { info: { ...this.mainTables.fleet.get(row.fleet)!, tables: this.mainTables }, written: row.written === 1 };
    }
    this.states.set(projectId, state);
    return state;
  }

  private async makeStartingFleet(projectId: string): Promise<ProjectState> {
    const starting = this.options.startingFleet(projectId);
    const generated = 'count' in starting;
    const info = this.newFleet(this.startingTables, projectId, generated ? starting.seed : 0, generated ? starting.count : 0);
    const state = { info, written: false };
    const apart = generated && this.large(starting.count);
    await this.fill(projectId, info, generated ? this.generatedItems(info) : starting.hosts.map((host) => ({ host, json: serializeHost(host) })), apart, () => {
      this.db.transaction(() => {
        info.tables.pointProject.run(projectId, info.fleet, 0);
        info.tables.removeGarbage.run(info.fleet);
      })();
      this.states.set(projectId, state);
    });
    return state;
  }

  /** Between two slices of a write to a fleet: other requests run, room is made for what it wrote, a reset stops it. */
  private async betweenSlices(fleet: number, epoch: number): Promise<void> {
    await nextTurn();
    await this.makeRoom(fleet);
    this.stopIfReset(epoch);
  }

  /** Throws a ResetError if a full reset came since `epoch`: the long write that asks stops where it is. */
  private stopIfReset(epoch: number): void {
    if (epoch !== this.epoch) throw new ResetError();
  }

  /** Whether a generated fleet of `count` hosts is built in a file of its own. */
  private large(count: number): boolean {
    return count >= (this.options.fleetFileHosts ?? FLEET_FILE_HOSTS);
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
    return this.mainTables.writes.get(projectId) ?? 0;
  }

  /** A new, empty fleet in these tables: garbage until a project points to it. */
  private newFleet(tables: Tables, generator: string, seed: number, generated: number): FleetInfo {
    const fleet = this.nextFleet++;
    this.db.transaction(() => {
      tables.addGarbage.run(fleet);
      tables.addFleet.run(fleet, generator, seed, generated);
    })();
    return { fleet, generator, seed, generated, hosts: 0, nextPos: 0, tables };
  }

  /** Whether a project has a host: looked up where its fleet is, so that a miss moves nothing to the file. */
  private holds(projectId: string, hostId: string): Promise<boolean> {
    return this.withState(projectId, (id) => this.materialized(id), ({ info }) => info.tables.hostByHostId.get(info.fleet, hostId) !== undefined);
  }

  /**
   * The project's state, inside its queue, for a write in place: with a file, a starting fleet
   * first moves (in slices, under its number) from the in-memory tables to the file's.
   */
  private writable(projectId: string): Promise<ProjectState> {
    return this.withState(projectId, (id) => this.materialized(id), (state) => this.moveToFile(projectId, state));
  }

  /** A starting fleet had this turn, moved to the file's tables; it holds the fleet before its first await. */
  private async moveToFile(projectId: string, state: ProjectState): Promise<ProjectState> {
    if (state.info.tables === this.mainTables || this.startingTables === this.mainTables) return state;
    const { info } = state;
    // Under its number, from the starting fleets' registry and the fleet's schema (cache, or its own file).
    const from = info.tables.schema;
    const moves = {
      fleet: this.db.prepare<[number]>('INSERT INTO main.fleets SELECT * FROM cache.fleets WHERE fleet = ?'),
      texts: this.db.prepare<[number]>(`INSERT INTO main.texts SELECT * FROM ${from}.texts WHERE fleet = ?`),
      combos: this.db.prepare<[number]>(`INSERT INTO main.combos SELECT * FROM ${from}.combos WHERE fleet = ?`),
      rows: this.db.prepare<[number, number, number]>(`INSERT INTO main.hosts SELECT * FROM ${from}.hosts WHERE fleet = ? AND pos >= ? AND pos < ?`),
      docs: this.db.prepare<[number, number, number]>(`INSERT INTO main.docs SELECT * FROM ${from}.docs WHERE fleet = ? AND pos >= ? AND pos < ?`),
    };
    const epoch = this.epoch;
    this.hold(info.fleet);
    try {
      this.db.transaction(() => {
        this.mainTables.addGarbage.run(info.fleet);
        moves.fleet.run(info.fleet);
        moves.texts.run(info.fleet);
        moves.combos.run(info.fleet);
      })();
      for (let low = 0; low < info.nextPos; low += MOVE_BATCH) {
        this.db.transaction(() => {
          moves.rows.run(info.fleet, low, low + MOVE_BATCH);
          moves.docs.run(info.fleet, low, low + MOVE_BATCH);
        })();
        await nextTurn();
        this.stopIfReset(epoch);
      }
      this.db.transaction(() => {
        this.mainTables.pointProject.run(projectId, info.fleet, 0);
        this.mainTables.removeGarbage.run(info.fleet);
        info.tables.deleteProject.run(projectId);
        info.tables.addGarbage.run(info.fleet);
      })();
    } finally {
      // Either copy is garbage now: the one in memory once moved, the file's if the move failed.
      this.release(info.fleet);
      void this.collectGarbage();
    }
    const moved = { info: { ...info, tables: this.mainTables }, written: false };
    this.states.set(projectId, moved);
    return moved;
  }

  /**
   * Writes every host of a new fleet, then `point`s a project to it while it is still held: a
   * garbage collection in between would delete it. On failure the fleet stays garbage and is dropped.
   */
  private async fill(projectId: string, info: FleetInfo, items: Iterable<WriteItem>, apart: boolean, point: () => void): Promise<void> {
    this.hold(info.fleet);
    try {
      const { written, combos } = (apart ? await this.writeApart(info) : undefined) ?? (await this.writeRows(projectId, info, items, 0, true));
      this.db.transaction(() => {
        this.countCombos(info, combos);
        this.resize(info, written, written);
      })();
      point();
    } finally {
      this.release(info.fleet);
      void this.collectGarbage();
    }
  }

  /** The generator's hosts of a fleet, without JSON: it can make them again. */
  private *generatedItems(info: FleetInfo): Generator<WriteItem> {
    for (let pos = 0; pos < info.generated; pos++) yield { host: this.options.generatedHost(info.seed, info.generator, pos), json: undefined };
  }

  /**
   * Writes hosts at positions from `start` on, in slices (`newFleet`: a fleet just made, whose
   * dictionary is empty). Returns how many were written and how many of each combination, for
   * the caller to count when the rows become visible. Stops with a DataLimitError when the data
   * limit is reached and nothing can be dropped, and with a DuplicateHostError on a host_id the
   * fleet already has.
   */
  private async writeRows(projectId: string, info: FleetInfo, items: Iterable<WriteItem>, start: number, newFleet: boolean): Promise<{ written: number; combos: Combos }> {
    const epoch = this.epoch;
    const iterator = items[Symbol.iterator]();
    const { tables } = info;
    const dictionary = new Dictionary(info.fleet, newFleet ? newTexts(tables.addText) : tables);
    const combos: Combos = new Map();
    let pos = start;
    for (let done = false; !done; ) {
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
          if (tables.insertHost.run(...values).changes === 0) throw new DuplicateHostError(projectId, host.host_id!);
          if (json !== undefined) tables.insertDoc.run(info.fleet, pos, json);
          countCombo(combos, ep, bits);
          pos += 1;
        } while ((pos & 63) !== 0 || performance.now() < until);
      })();
      await this.betweenSlices(info.fleet, epoch);
    }
    return { written: pos - start, combos };
  }

  /**
   * Writes a generated fleet into a file of its own (fleet-files.ts): the hosts drawn
   * here in slices, a block of positions at a time, and by the worker thread that inserts the
   * rows, as each claims them. Undefined, having written nothing, when no file can be had (the
   * caller writes the shared tables). The fleet's tables are the file's after.
   */
  private async writeApart(info: FleetInfo): Promise<{ written: number; combos: Combos } | undefined> {
    const build = this.fleetFiles.build(info);
    if (!build) return undefined;
    const epoch = this.epoch;
    let combos: Combos;
    try {
      let texts: Row[] = [];
      const dictionary = new Dictionary(info.fleet, newTexts({ run: (...text: Row) => texts.push(text) }));
      for (let start = build.claim(); start !== undefined; ) {
        // One flat array of the rows' values: sending copies one array, not one a row.
        const hosts: Row = [];
        const until = performance.now() + SLICE_MS;
        do {
          for (let pos = start; pos < Math.min(start + ROWS_A_CLAIM, info.generated); pos++) {
            for (const value of dictionary.row(pos, this.options.generatedHost(info.seed, info.generator, pos)).values) hosts.push(value);
          }
          start = build.claim();
        } while (start !== undefined && performance.now() < until);
        await build.send(hosts, texts);
        texts = [];
        await this.betweenSlices(info.fleet, epoch);
      }
      combos = await build.finish();
      // A reset (or the store's close) meanwhile stopped the build: its file is being deleted, not attached.
      this.stopIfReset(epoch);
    } catch (error) {
      void build.stop();
      // A full reset stops every build: the project's fleet is made again.
      throw epoch === this.epoch ? error : new ResetError();
    }
    info.tables = build.attach();
    // The file holds every row now: make room for all of it. A reset meanwhile dropped the file.
    await this.makeRoom(info.fleet);
    this.stopIfReset(epoch);
    return { written: info.generated, combos };
  }

  /** Adds hosts to the counts of their combinations. */
  private countCombos({ tables, fleet }: FleetInfo, combos: Combos): void {
    for (const [ep, byBits] of combos) for (const [bits, hosts] of byBits) tables.countCombo.run(fleet, ep, bits, hosts);
  }

  /**
   * Drops the starting fleets used least recently, and the garbage, until the data fits the
   * limit; a DataLimitError when what is left is written data and fleets being written.
   */
  private async makeRoom(keep: number): Promise<void> {
    while (this.bytesUsed() > this.options.dataLimit) {
      const victim = [...this.states].find(([, state]) => !state.written && state.info.fleet !== keep && !this.busy.has(state.info.fleet));
      if (victim) {
        this.drop(victim[0], victim[1].info);
      } else if (!this.collectable()) {
        throw new DataLimitError(`the data limit (--data-limit ${Math.round(this.options.dataLimit / 2 ** 20)} MiB) is reached: written projects, and fleets being made or written, fill it`);
      }
      await this.collectGarbage();
    }
  }

  /** Points a project to a fleet of the main tables, as written; its former fleet becomes garbage. */
  private point(projectId: string, info: FleetInfo, write: number): void {
    const former = this.stateOf(projectId)?.info;
    this.db.transaction(() => {
      if (former && former.tables !== info.tables) former.tables.deleteProject.run(projectId);
      if (former) former.tables.addGarbage.run(former.fleet);
      info.tables.pointProject.run(projectId, info.fleet, 1);
      info.tables.markWritten.run(write, projectId);
      info.tables.removeGarbage.run(info.fleet);
    })();
    if (former) this.cache.forget(former.fleet);
    this.states.delete(projectId);
    this.states.set(projectId, { info, written: true });
    void this.collectGarbage();
  }

  /** Forgets a project (reset, or its starting fleet dropped to make room): its fleet becomes garbage. */
  private drop(projectId: string, info: FleetInfo): void {
    this.db.transaction(() => {
      info.tables.deleteProject.run(projectId);
      info.tables.addGarbage.run(info.fleet);
    })();
    this.forgetProject(projectId, info.fleet);
  }

  /** The tables, once each: the main ones, and the starting fleets' ones when they are apart. */
  private allTables(): Set<Tables> {
    return new Set([this.mainTables, this.startingTables]);
  }

  /** Whether some garbage can be deleted now (none of it being written). */
  private collectable(): boolean {
    return [...this.allTables()].some((tables) => tables.garbage.all().some((fleet) => !this.busy.has(fleet)));
  }

  /** After a write in place: the project is written, what was remembered of its fleet is not true any more. */
  private changed(projectId: string, info: FleetInfo): void {
    this.cache.forget(info.fleet);
    this.forgetCounts(info.fleet);
    this.states.set(projectId, { info, written: true });
  }

  private forgetProject(projectId: string, fleet: number): void {
    this.states.delete(projectId);
    this.cache.forget(fleet);
  }

  private resize(info: FleetInfo, hosts: number, nextPos: number): void {
    info.hosts = hosts;
    info.nextPos = nextPos;
    info.tables.fleetSize.run(hosts, nextPos, info.fleet);
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
   * The count of a query. When every filter is a dimension (or the enterprise project): a sum over
   * the counts kept per combination, in typed arrays (in SQL past their bound). With a host name
   * substring besides: a sum over the combinations holding the substring (thousands at 100,000
   * hosts, where the hosts are a hundred thousand wide rows). Else a count of the rows.
   */
  private count(info: FleetInfo, sql: { where: string; params: unknown[]; conditions: Condition[] }): number {
    const others = sql.conditions.filter((condition) => !condition.combo);
    const counted = sql.conditions.filter((condition) => condition.combo);
    const tests = counted.map((condition) => condition.combo!);
    const { tables, fleet } = info;
    if (others.length === 0) {
      const table = { size: () => tables.comboCount.get(fleet)!, rows: () => tables.combos.iterate(fleet) };
      const inArrays = this.comboArrays.count(fleet, tests, table, epCodeOf(info));
      if (inArrays !== undefined) return inArrays;
      const where = ['fleet = ?', ...counted.map((condition) => condition.sql)].join(' AND ');
      return this.listQuery(`SELECT coalesce(sum(hosts), 0) FROM ${tables.schema}.combos WHERE ${where}`, true).get(fleet, ...counted.flatMap((condition) => bind(condition.params, fleet))) as number;
    }
    const substring = others.length === 1 ? others[0]!.substring : undefined;
    if (substring === undefined) return this.listQuery(`SELECT count(*) FROM ${tables.schema}.hosts WHERE ${sql.where}`, true).get(...sql.params) as number;
    return sumOf(this.substringCombos(info, substring), tests, epCodeOf(info));
  }

  /**
   * The hosts whose name holds a substring, by combination, counted once: a dashboard's user
   * types a few letters, then clicks through the other filters.
   */
  private substringCombos(info: FleetInfo, substring: string): CombosInArrays {
    return this.substrings.keep(info.fleet, `${info.fleet}\0${substring}`, () => {
      const inArrays = this.rowArrays.substringCombos(info.fleet, substring);
      if (inArrays) return { rows: inArrays.hosts.length, counts: inArrays };
      // Without a bound on positions when there is nothing past the last: a tenth faster.
      const rows = this.growing.has(info.fleet) ? info.tables.substringCombosBelow.all(info.fleet, substring, info.nextPos) : info.tables.substringCombos.all(info.fleet, substring);
      return { rows: rows.length, counts: combosFrom(rows, rows.length) };
    });
  }

  /**
   * The positions of a page of a query whose filters are dimensions, the enterprise project or a
   * host name substring, from the fleet's rows in typed arrays; undefined when they are not copied.
   */
  private positionsInArrays(info: FleetInfo, conditions: Condition[], page: { from: number; skip: number; limit: number; scanned: number }): number[] | undefined {
    const tests = conditions.flatMap((condition) => (condition.combo ? [condition.combo] : []));
    const substring = conditions.find((condition) => condition.substring !== undefined)?.substring;
    const table = this.growing.has(info.fleet) ? undefined : { length: () => info.nextPos, rows: () => info.tables.hostRows.iterate(info.fleet) };
    return this.rowArrays.page(info.fleet, tests, substring, page, table, epCodeOf(info));
  }

  /** What was counted of a fleet (by substring), and its copies in typed arrays, are not true any more. */
  private forgetCounts(fleet: number): void {
    this.substrings.forgetFleet(fleet);
    this.comboArrays.forget(fleet);
    this.rowArrays.forget(fleet);
  }

  /** The JSON of the hosts at these positions, in this order, shaped for the query. */
  private hostsJson(info: FleetInfo, positions: readonly number[], shape: AnswerShape): string[] {
    const docs = new Map<number, string>();
    for (const { pos, doc } of info.tables.docsAt.all(info.fleet, JSON.stringify(positions))) docs.set(pos, doc);
    return positions.map((pos) => {
      const doc = docs.get(pos);
      return doc === undefined ? this.generatedHostJson(info, pos, shape) : shapeHostJson(doc, shape);
    });
  }

  /** A generated host's JSON in a page's shape, kept for a while: pages near the start of a fleet are asked for again and again. */
  private generatedHostJson(info: FleetInfo, pos: number, shape: AnswerShape): string {
    const key = `${info.fleet}:${pos}:${Number(shape.loginLocations)}${Number(shape.runtimes)}`;
    let json = this.generatedJson.get(key);
    if (json === undefined) {
      json = shapeHostJson(serializeHost(this.options.generatedHost(info.seed, info.generator, pos)), shape);
      this.generatedJson.set(key, json);
    }
    return json;
  }

  /**
   * `limit` matches in the query's order, from `skip` rows past a checkpoint. By position, or by a
   * sort key with position breaking ties, both directions walking the index on (key, pos).
   * Descending, that index gives a key's positions backwards, so SQLite sorts a key's run before
   * taking from it: the rest of the checkpoint's key is read first, by position, so that a walk
   * through a long run of one key (every host without risks) does not sort the run on every page.
   */
  private rowsInOrder(info: FleetInfo, query: ListHostsQuery, filter: { where: string; params: unknown[] }, start: Checkpoint, skip: number, limit: number): PageRow[] {
    const column = query.sort_key === undefined ? 'pos' : SORT_COLUMNS[query.sort_key];
    // Named, for SQLite would otherwise step through positions, testing the key on each row.
    const from = `FROM ${info.tables.schema}.hosts${column === 'pos' ? '' : ` INDEXED BY hosts_${column}`} WHERE ${filter.where}`;
    const page = (rest: string, params: unknown[], take: number, skipped: number) =>
      this.listQuery(`SELECT pos, ${column} AS key ${from} AND ${rest} LIMIT ? OFFSET ?`).all(...filter.params, ...params, take, skipped) as PageRow[];
    if (column === 'pos') return page('pos >= ? ORDER BY pos', [start.pos], limit, skip);
    if (query.sort_dir === 'asc') return page(`(${column}, pos) >= (?, ?) ORDER BY ${column}, pos`, [start.key ?? -1, start.pos], limit, skip);
    // Keys are counts and epoch milliseconds: never negative, always under 2^53.
    if (start.key === null) return page(`${column} < ? ORDER BY ${column} DESC, pos`, [2 ** 53], limit, skip);
    const sameKey = page(`${column} = ? AND pos >= ? ORDER BY pos`, [start.key, start.pos], limit, skip);
    if (sameKey.length === limit) return sameKey;
    // The key's run ended within the page, or before it (then the rows to skip go past the run).
    const skipBelow = sameKey.length > 0 ? 0 : skip - (this.listQuery(`SELECT count(*) ${from} AND ${column} = ? AND pos >= ?`, true).get(...filter.params, start.key, start.pos) as number);
    return [...sameKey, ...page(`${column} < ? ORDER BY ${column} DESC, pos`, [start.key], limit - sameKey.length, skipBelow)];
  }

  /** A prepared list query; `pluck` for those that give one value. */
  private listQuery(sql: string, pluck = false): Database.Statement {
    let statement = this.listQueries.get(sql);
    if (!statement) {
      // Bounded: the texts are made from the filter table, but there are many combinations.
      if (this.listQueries.size >= 512) this.listQueries.clear();
      statement = this.db.prepare(sql);
      if (pluck) statement.pluck();
      this.listQueries.set(sql, statement);
    }
    return statement;
  }

  /** At start: rows of adds a crash cut short are deleted, starting fleets (derived from options) are dropped. */
  private recover(): void {
    const tables = this.mainTables;
    for (const { fleet, start } of this.statements.adding.all()) {
      this.db.transaction(() => {
        tables.dropRows.run(fleet, start, Number.MAX_SAFE_INTEGER);
        tables.dropDocs.run(fleet, start, Number.MAX_SAFE_INTEGER);
        this.statements.doneAdding.run(fleet);
      })();
    }
    this.db.transaction(() => {
      for (const { project_id, fleet } of tables.unwritten.all()) {
        tables.deleteProject.run(project_id);
        tables.addGarbage.run(fleet);
      }
    })();
    void this.collectGarbage();
  }

  /** Deletes the rows of an add that failed. */
  private async dropRows({ tables, fleet }: FleetInfo, from: number, to: number): Promise<void> {
    for (let low = from; low < to; low += DROP_BATCH) {
      this.db.transaction(() => {
        tables.dropRows.run(fleet, low, Math.min(low + DROP_BATCH, to));
        tables.dropDocs.run(fleet, low, Math.min(low + DROP_BATCH, to));
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
      const garbage = [...this.allTables()].flatMap((tables) => tables.garbage.all().flatMap((fleet) => (this.busy.has(fleet) ? [] : [{ tables, fleet }])));
      if (garbage.length === 0) return;
      for (const { tables, fleet } of garbage) await this.dropFleet(tables, fleet);
    }
  }

  /** Deletes a fleet in slices; stops where it is when the database closes (the next start goes on). */
  private async dropFleet(tables: Tables, fleet: number): Promise<void> {
    if (!this.db.open) return;
    const end = Math.max(tables.maxPos.get(fleet) ?? -1, tables.maxDocPos.get(fleet) ?? -1) + 1;
    for (let low = 0; low < end; low += DROP_BATCH) {
      this.db.transaction(() => {
        tables.dropRows.run(fleet, low, low + DROP_BATCH);
        tables.dropDocs.run(fleet, low, low + DROP_BATCH);
      })();
      await nextTurn();
      if (!this.db.open) return;
    }
    // A fleet moved to the file keeps its number: when its copy in memory goes, what was counted
    // and made of it is forgotten too, which costs the file's copy a recount, never a wrong answer.
    this.forgetCounts(fleet);
    this.db.transaction(() => {
      tables.dropCombos.run(fleet);
      tables.dropTexts.run(fleet);
      tables.dropFleet.run(fleet);
      tables.removeGarbage.run(fleet);
    })();
    // Its rows in a file of its own, which the starting fleets' registry names (the file's copy of
    // a fleet moved to the --db file, or whose move failed, is not garbage there): the file goes whole.
    if (tables === this.startingTables) this.fleetFiles.drop(fleet);
    this.generatedJson.forget((key) => key.startsWith(`${fleet}:`));
  }
}

/** An enterprise project's code in a fleet's dictionary. */
function epCodeOf({ tables, fleet }: FleetInfo): (enterpriseProject: string) => number | undefined {
  return (text) => tables.findCode.get(fleet, CODED_COLUMNS.indexOf('ep'), text);
}

/** The fleet's number in place of its placeholder. */
function bind(params: readonly unknown[], fleet: number): unknown[] {
  return params.map((param) => (param === FLEET ? fleet : param));
}

/** Which optional fields a query's hosts carry. */
function shapeOf(query: ListHostsQuery): AnswerShape {
  return { loginLocations: query.get_common_login_locations === true, runtimes: query.incluster !== undefined };
}

