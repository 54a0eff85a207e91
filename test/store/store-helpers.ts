// What the store's tests share: a store over a generated fleet, its hosts, a page's hosts.
import type { Host, ListHostsQuery } from '../../src/contract/schemas.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { HostStore, type HostPage, type StoreOptions } from '../../src/store/store.js';

/** Every host of a project, whichever enterprise project. */
export const ALL: ListHostsQuery = { enterprise_project_id: 'all_granted_eps', limit: 200, offset: 0 };

/** An in-memory store whose projects start with fleets of `hosts` hosts generated from `seed`. */
export function newStore(seed: number, hosts: number, options: Partial<StoreOptions> = {}): HostStore {
  const fleet = new Fleet({ seed, hosts, fixtures: [] });
  return new HostStore({
    path: ':memory:',
    reset: false,
    startingFleet: fleet.startingFleet,
    generatedHost: fleet.generatedHost,
    generatorModule: fleet.generatorModule,
    dataLimit: 1024 * 2 ** 20,
    ...options,
  });
}

export async function all(store: HostStore, projectId: string): Promise<Host[]> {
  const hosts: Host[] = [];
  for await (const batch of await store.allHostsJson(projectId)) hosts.push(...batch.map((json) => JSON.parse(json) as Host));
  return hosts;
}

/** A page's hosts, checking that the total it answers is the store's. */
export function hostsOf(page: HostPage): Host[] {
  const { total_num, data_list } = JSON.parse(page.json.toString()) as { total_num: number; data_list: Host[] };
  if (total_num !== page.total) throw new Error(`total_num ${total_num}, total ${page.total}`);
  return data_list;
}
