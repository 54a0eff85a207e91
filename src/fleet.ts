// What each project serves until something changes it: its fixture hosts, else a generated fleet.
import type { FixtureSet } from './fixtures.js';
import { HostFactory } from './generator.js';
import type { Host } from './schemas.js';
import type { StartingFleet } from './store.js';

export interface FleetOptions {
  seed: number;
  hostsPerProject: number;
  fixtures: FixtureSet;
}

export function startingFleet({ seed, hostsPerProject, fixtures }: FleetOptions): StartingFleet {
  return (projectId) => {
    const factory = new HostFactory(seed, projectId);
    const entries = fixtures.byProject.get(projectId) ?? fixtures.everyProject;
    if (!entries) return factory.generate(hostsPerProject);
    const complete = factory.completer('fixtures');
    return entries.map(({ host, verbatim }): Host => (verbatim ? host : complete(host)));
  };
}
