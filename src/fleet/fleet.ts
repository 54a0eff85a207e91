// What each project serves until something changes it (its fixture hosts, else a generated
// fleet), and the hosts the control API writes.
import { loadFixtures, type FixtureSet } from './fixtures.js';
import { HostFactory } from './generator.js';
import { completeInput, type InputHost } from './host-input.js';
import type { Host } from '../contract/schemas.js';

export interface FleetOptions {
  seed: number;
  hosts: number;
  fixtures: readonly string[];
}

/** What a project starts with: a generated fleet, or hosts (its fixtures, completed). */
export type StartingFleet = { seed: number; count: number } | { hosts: readonly Host[] };

/** Generators kept for the fleets being served: making one costs two digests and a small world. */
const FACTORIES_KEPT = 64;

export class Fleet {
  private fixtures: FixtureSet;
  private readonly factories = new Map<string, HostFactory>();

  /** Loads the fixture files; a bad one throws a StartupError. */
  constructor(private readonly options: FleetOptions) {
    this.fixtures = loadFixtures(options.fixtures);
  }

  /** What a project starts with: its fixtures, else a generated fleet. */
  readonly startingFleet = (projectId: string): StartingFleet => {
    const entries = this.fixtures.byProject.get(projectId) ?? this.fixtures.everyProject;
    if (!entries) return { seed: this.options.seed, count: this.options.hosts };
    return { hosts: completeInput(entries, this.factory(this.options.seed, projectId).completer('fixtures')) };
  };

  /**
   * The module whose `HostFactory` makes these hosts, for a worker thread that draws them too.
   * From src/, dist/ and dist/bundle/ alike: each is two folders below the package.
   */
  readonly generatorModule = new URL('../fleet/generator.js', import.meta.url).href;

  /** Host `pos` of the fleet generated for (seed, project id): the same however and whenever it is asked for. */
  readonly generatedHost = (seed: number, projectId: string, pos: number): Host => this.factory(seed, projectId).host(pos);

  /** The seed of generated fleets. */
  get seed(): number {
    return this.options.seed;
  }

  /** Hosts written through the control API, completed; `write` numbers the write, so that a replayed sequence of writes completes the same way. */
  complete(projectId: string, entries: readonly InputHost[], write: number): Host[] {
    return completeInput(entries, new HostFactory(this.options.seed, projectId).completer(`write:${write}`));
  }

  /** Reads the fixture files again (for a reset); on a StartupError the current ones stay. */
  reloadFixtures(): void {
    this.fixtures = loadFixtures(this.options.fixtures);
  }

  private factory(seed: number, projectId: string): HostFactory {
    const key = `${seed}\0${projectId}`;
    let factory = this.factories.get(key);
    if (factory) {
      this.factories.delete(key);
    } else {
      factory = new HostFactory(seed, projectId);
      if (this.factories.size >= FACTORIES_KEPT) this.factories.delete(this.factories.keys().next().value!);
    }
    this.factories.set(key, factory);
    return factory;
  }
}
