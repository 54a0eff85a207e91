// The ways the store answers a list query (fleets copied into typed arrays, sums over combinations, substring counts, plain
// SQL, a fleet in a file of its own) must agree: stores with other options run the same random queries and writes, checked
// against a filter in JS.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import t from 'tap';
import type { Host, ListHostsQuery } from '../../src/contract/schemas.js';
import type { StoreOptions } from '../../src/store/store.js';
import { ALL, all, hostsOf, newStore } from './store-helpers.js';

/** A host name substring: a piece of a host's name (resolved against the hosts of the moment), or random letters. */
const letters = (chars: string, maxLength: number) => fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength });
const substring = fc.oneof(
  fc.record({ host: fc.nat(), at: fc.nat(), length: fc.integer({ min: 1, max: 3 }), upper: fc.boolean() }),
  letters('abwe-01xZW', 3),
);
const filters = fc.record(
  {
    os_type: fc.constantFrom('Linux', 'Windows'),
    agent_status: fc.constantFrom('online', 'offline', 'not_installed', 'install_failed', 'installing', 'not_online', 'installed'),
    protect_status: fc.constantFrom('closed', 'opened', 'protection_exception'),
    has_vul: fc.boolean(),
    enterprise_project_id: fc.constantFrom('0', 'all_granted_eps', 'no-such-project'),
    host_name: substring,
  },
  { requiredKeys: [] },
);
type Filters = typeof filters extends fc.Arbitrary<infer F> ? F : never;

const list = (size: number) =>
  fc.record({
    op: fc.constant('list' as const),
    filters,
    limit: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constant(0)),
    offsets: fc.array(fc.integer({ min: 0, max: size + 10 }), { minLength: 1, maxLength: 6 }),
    deep: fc.boolean(),
  });
const update = fc.record({
  op: fc.constant('update' as const),
  host: fc.nat(),
  change: fc.record({ host_name: letters('abWEb-019x', 12), os_type: fc.constantFrom('Linux', 'Windows') }, { requiredKeys: [] }),
});
const remove = fc.record({ op: fc.constant('delete' as const), host: fc.nat() });
const add = fc.record({ op: fc.constant('add' as const), copies: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) });
const operations = (size: number) =>
  fc.array(fc.oneof({ weight: 12, arbitrary: list(size) }, update, remove, add), { minLength: 5, maxLength: 40, size: 'max' });

/** The query, with a name substring taken from the hosts as they are now, and the test of a host it stands for. */
function queryOf(f: Filters, hosts: Host[]): [Partial<ListHostsQuery>, (host: Host) => boolean] {
  let name: string | undefined;
  if (typeof f.host_name === 'string') name = f.host_name;
  else if (f.host_name && hosts.length > 0) {
    const whole = hosts[f.host_name.host % hosts.length]!.host_name!;
    const piece = whole.slice(f.host_name.at % whole.length, (f.host_name.at % whole.length) + f.host_name.length);
    name = f.host_name.upper ? piece.toUpperCase() : piece;
  }
  const status = f.agent_status;
  const holds = (h: Host) =>
    (f.os_type === undefined || h.os_type === f.os_type) &&
    (status === undefined ||
      (status === 'not_online' ? h.agent_status !== 'online' : status === 'installed' ? h.agent_status !== 'not_installed' : h.agent_status === status)) &&
    (f.protect_status === undefined || h.protect_status === f.protect_status) &&
    (f.has_vul === undefined || (h.vulnerability ?? 0) > 0 === f.has_vul) &&
    (f.enterprise_project_id === undefined || f.enterprise_project_id === 'all_granted_eps' || h.enterprise_project_id === f.enterprise_project_id) &&
    (name === undefined || (h.host_name?.toLowerCase().includes(name.toLowerCase()) ?? false));
  const { host_name: _, ...rest } = f;
  return [{ ...(rest as Partial<ListHostsQuery>), ...(name === undefined ? {} : { host_name: name }) }, holds];
}

const ids = (hosts: Host[]) => hosts.map((host) => host.host_id);

/** Stores of the same fleet, each with other options, run the same random queries and writes; every page is checked against a filter in JS. */
async function agree(options: Partial<StoreOptions>[], numRuns: number): Promise<void> {
  const run = fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 30, max: 250 })).chain(([seed, size]) => fc.tuple(fc.constant(seed), fc.constant(size), operations(size)));
  await fc.assert(
    fc.asyncProperty(run, async ([seed, size, ops]) => {
      const stores = options.map((option) => newStore(seed, size, option));
      try {
        const hosts = await all(stores[0]!, 'p');
        for (const store of stores) assert.deepEqual(ids(await all(store, 'p')), ids(hosts), 'the same fleet');
        let added = 0;
        for (const step of ops) {
          if (step.op === 'list') {
            const [query, holds] = queryOf(step.filters, hosts);
            const matching = hosts.filter(holds);
            for (const at of step.offsets) {
              // Deep: within the matches, where SQL steps over many rows (and the fleet gets copied).
              const offset: number = step.deep ? at % Math.max(matching.length, 1) : at;
              const expected: { total: number; ids: unknown[] } = { total: matching.length, ids: ids(matching.slice(offset, offset + step.limit)) };
              for (const [i, store] of stores.entries()) {
                const page = await store.listHosts('p', { ...ALL, ...query, offset, limit: step.limit });
                assert.deepEqual({ total: page.total, ids: ids(hostsOf(page)) }, expected, `store ${i}: ${JSON.stringify({ ...query, offset, limit: step.limit })}`);
              }
            }
          } else if (step.op === 'update' && hosts.length > 0) {
            const i = step.host % hosts.length;
            for (const store of stores) await store.updateHost('p', hosts[i]!.host_id!, (host) => ({ ...host, ...step.change }));
            hosts[i] = { ...hosts[i]!, ...step.change };
          } else if (step.op === 'delete' && hosts.length > 0) {
            const [gone] = hosts.splice(step.host % hosts.length, 1);
            for (const store of stores) assert.equal(await store.deleteHost('p', gone!.host_id!), true);
          } else if (step.op === 'add' && hosts.length > 0) {
            const copies = step.copies.map((i) => ({ ...hosts[i % hosts.length]!, host_id: `added-${(added += 1)}` }));
            for (const store of stores) await store.addHosts('p', () => copies, 1000);
            hosts.push(...copies);
          }
        }
      } finally {
        for (const store of stores) await store.close();
      }
    }),
    { seed: 20261202, numRuns },
  );
}

t.test('typed arrays, combination sums, substring counts and SQL: the same pages as a filter in JS, through writes', async (t) => {
  await agree([{}, { hostRowsKept: 0, comboRowsKept: 0 }], 300);
  t.pass('every page and total agreed');
});

t.test('a fleet in a file of its own: the same pages as a filter in JS, through writes', async (t) => {
  // Fewer runs: each starts a worker thread.
  await agree([{ fleetFileHosts: 1 }], 15);
  t.pass('every page and total agreed');
});
