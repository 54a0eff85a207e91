// Large generated fleets in database files of their own, each attached to the store's connection
// as a schema (`f<fleet>`). In the tables every fleet shares, a row costs about 20 µs to insert:
// three quarters of it keeping the four indexes on hosts. In a file of its own, a fleet's rows go
// in without them and the indexes are built after (about 6 µs a row in all), by a worker thread
// (fleet-builder.ts) that also draws part of the hosts while the main thread draws the rest.
//
// The files are in a folder of the OS's temporary folder, deleted with the fleet or when the
// store closes; a folder left by a process that was killed is deleted by the next one. SQLite
// attaches at most 10 databases to a connection: at most FLEET_FILES files at once; a fleet asked
// for beyond that (or where no folder can be made) goes into the shared tables.
import type Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rm, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FLEET_FILE_SQL } from './database.js';
import { claim, claims, type BuildMessage, type BuildPlan, type BuildReply } from './fleet-builder.js';
import type { Combos } from './rows.js';
import { fleetFileStatements, type FleetRow, type Tables } from './tables.js';

/** Fleet files at once: SQLite's 10 attached databases, less the starting fleets' `cache`, less one spare. */
const FLEET_FILES = 8;
/** The folders' names: the prefix, then the process id. */
const FOLDER = /^hss-mock-fleets-(\d+)-/;
/** Batches of rows sent to the worker and not yet inserted, at most: the drawing waits beyond them. */
const BATCHES_IN_FLIGHT = 4;

export class FleetFiles {
  /** The folder of the files, made with the first; null when it cannot be made. */
  private folder: string | null | undefined;
  /** The file of each fleet, attached or being built. */
  private readonly files = new Map<number, string>();
  private readonly attached = new Set<number>();
  private readonly builds = new Set<FleetBuild>();

  /**
   * `parent`: where the folder is made; `generatorModule`: where the worker gets hosts (see
   * StoreOptions); `registry`: the tables that say which fleets and projects there are.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly options: { parent: string; generatorModule: string | undefined },
    private readonly registry: Tables,
  ) {}

  /** Starts building a generated fleet's file; undefined when there is no room for one more (or no folder). */
  build({ fleet, generated, seed, generator }: FleetRow): FleetBuild | undefined {
    if (this.files.size >= FLEET_FILES) return undefined;
    const folder = this.makeFolder();
    if (folder === null) return undefined;
    const path = join(folder, `fleet-${fleet}.db`);
    this.files.set(fleet, path);
    const { generatorModule } = this.options;
    const plan: BuildPlan = {
      path,
      ...FLEET_FILE_SQL,
      fleet,
      count: generated,
      claims: claims(generated),
      ...(generatorModule === undefined ? {} : { generator: { module: generatorModule, seed, name: generator } }),
    };
    const build = new FleetBuild(plan, () => {
      this.builds.delete(build);
      const schema = `f${fleet}`;
      this.db.prepare(`ATTACH DATABASE ? AS ${schema}`).run(path);
      this.attached.add(fleet);
      // Written only when a user writes to the fleet in place (all in memory): no journal on disk, no sync.
      this.db.pragma(`${schema}.journal_mode = MEMORY`);
      this.db.pragma(`${schema}.synchronous = OFF`);
      // Read through a map of the file rather than copies in SQLite's page cache.
      this.db.pragma(`${schema}.mmap_size = 4294967296`);
      return fleetFileStatements(this.db, schema, this.registry);
    }, () => {
      this.builds.delete(build);
      this.remove(fleet);
    });
    this.builds.add(build);
    return build;
  }

  /** Detaches a fleet's file, if it has one, and deletes it (once the fleet is garbage). */
  drop(fleet: number): void {
    if (!this.attached.delete(fleet)) return;
    this.db.exec(`DETACH DATABASE f${fleet}`);
    this.remove(fleet);
  }

  /** Every fleet's file dropped, and every build stopped (a full reset). */
  dropAll(): void {
    for (const build of this.builds) void build.stop();
    for (const fleet of this.attached) this.drop(fleet);
  }

  /** Bytes of the files. */
  bytes(): number {
    let bytes = 0;
    for (const path of this.files.values()) bytes += statSync(path, { throwIfNoEntry: false })?.size ?? 0;
    return bytes;
  }

  /** Stops the builds and deletes the folder once they have (the connection is closed: nothing is attached). */
  async close(): Promise<void> {
    await Promise.all([...this.builds].map((build) => build.stop()));
    if (this.folder) rmSync(this.folder, { recursive: true, force: true });
  }

  private remove(fleet: number): void {
    rmSync(this.files.get(fleet)!, { force: true });
    this.files.delete(fleet);
  }

  private makeFolder(): string | null {
    if (this.folder === undefined) {
      try {
        removeOrphans(this.options.parent);
        this.folder = mkdtempSync(join(this.options.parent, `hss-mock-fleets-${process.pid}-`));
      } catch {
        this.folder = null;
      }
    }
    return this.folder;
  }
}

/** Deletes the folders of processes that are gone: killed before they could. One that cannot be deleted (another user's) stays. */
function removeOrphans(parent: string): void {
  for (const name of readdirSync(parent)) {
    const pid = Number(FOLDER.exec(name)?.[1] ?? 0);
    if (pid > 0 && !alive(pid)) rm(join(parent, name), { recursive: true, force: true }, () => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it is there, another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A fleet's file being built: rows are sent, then it is finished (attached) or stopped (deleted). */
export class FleetBuild {
  private readonly worker: Worker;
  private readonly finished: Promise<Combos>;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private built = false;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly plan: BuildPlan,
    /** Attaches the file built: the fleet's statements. */
    readonly attach: () => Tables,
    private readonly discard: () => void,
  ) {
    // From dist/store/ and from dist/bundle/ alike: both are two folders below the package.
    this.worker = new Worker(new URL('../store/fleet-builder-thread.js', import.meta.url), { workerData: plan });
    this.finished = new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        this.failure ??= error;
        reject(this.failure);
        this.wake?.();
      };
      this.worker.on('message', (message: BuildReply) => {
        if (message !== 'written') {
          this.built = true;
          return resolve(message.built);
        }
        this.inFlight -= 1;
        this.wake?.();
      });
      this.worker.on('error', fail);
      this.worker.on('exit', () => {
        if (!this.built) fail(new Error('the worker building a fleet file stopped'));
      });
    });
    // Seen by send() and finish(); a stopped build is not waited for.
    this.finished.catch(() => undefined);
  }

  /** The next positions for this thread to draw, from the returned one; undefined once all are claimed. */
  claim(): number | undefined {
    return claim(this.plan.claims, 'start');
  }

  /** Sends rows (and the dictionary's new texts); waits while the worker is behind. */
  async send(hosts: unknown[], texts: unknown[][]): Promise<void> {
    this.post({ hosts, texts });
    this.inFlight += 1;
    while (this.inFlight >= BATCHES_IN_FLIGHT && !this.failure) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure) throw this.failure;
  }

  /** Waits for the indexes: how many hosts each combination (ep, bits) has. */
  async finish(): Promise<Combos> {
    this.post('end');
    return this.finished;
  }


  /**
   * Stops the worker, then deletes the file; once. Not before: a worker stopping as its file goes
   * meets an error it cannot throw, and better-sqlite3 aborts the process.
   */
  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = this.worker.terminate().then(() => this.discard());
      this.failure ??= new Error('the build of a fleet file was stopped');
    }
    return this.stopped;
  }

  private post(message: BuildMessage): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(message);
  }
}
