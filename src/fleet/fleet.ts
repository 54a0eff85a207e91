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

export class Fleet {
  private fixtures: FixtureSet;

  /** Loads the fixture files; a bad one throws a StartupError. */
  constructor(private readonly options: FleetOptions) {
    this.fixtures = loadFixtures(options.fixtures);
  }

  /** The hosts a project starts with: its fixtures, else a generated fleet. */
  readonly startingHosts = (projectId: string): Iterable<Host> => {
    const entries = this.fixtures.byProject.get(projectId) ?? this.fixtures.everyProject;
    if (!entries) return this.generate(projectId, this.options.hosts);
    return completeInput(entries, new HostFactory(this.options.seed, projectId).completer('fixtures'));
  };

  /** The seed of generated fleets. */
  get seed(): number {
    return this.options.seed;
  }

  /** A generated fleet: the same for the same (seed, project id, count), however it is asked for. */
  generate(projectId: string, count: number, seed = this.options.seed): Iterable<Host> {
    return new HostFactory(seed, projectId).generate(count);
  }

  /** Hosts written through the control API, completed; `write` numbers the write, so that a replayed sequence of writes completes the same way. */
  complete(projectId: string, entries: readonly InputHost[], write: number): Host[] {
    return completeInput(entries, new HostFactory(this.options.seed, projectId).completer(`write:${write}`));
  }

  /** Reads the fixture files again (for a reset); on a StartupError the current ones stay. */
  reloadFixtures(): void {
    this.fixtures = loadFixtures(this.options.fixtures);
  }
}
