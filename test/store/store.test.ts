// The store on its own: list queries stay correct however many filter combinations are used, and
// large writes are atomic.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { HostFactory } from '../../src/fleet/generator.js';
import type { ListHostsQuery } from '../../src/contract/schemas.js';
import { DuplicateHostError, HostStore } from '../../src/store/store.js';

t.test('hundreds of distinct filter combinations, before and after the prepared-query cache is recycled', async (t) => {
  const store = new HostStore(':memory:', (projectId) => new HostFactory(1, projectId).generate(200));
  t.teardown(() => store.close());
  const base: ListHostsQuery = { enterprise_project_id: 'all_granted_eps', limit: 200, offset: 0 };
  const optional = ['host_name', 'host_id', 'private_ip', 'public_ip', 'ip_addr', 'group_id', 'group_name', 'label', 'server_group', 'policy_group_id'] as const;
  const first = store.listHosts('p', { ...base, os_type: 'Linux' });
  const found = new Set<number>();
  for (let mask = 1; mask < 1 << optional.length; mask++) {
    const query: ListHostsQuery = { ...base };
    optional.forEach((name, bit) => {
      if (mask & (1 << bit)) query[name] = 'no-such-value';
    });
    found.add(store.listHosts('p', query).total);
  }
  t.same([...found], [0], 'every combination with an unknown value matches nothing');
  t.same(store.listHosts('p', { ...base, os_type: 'Linux' }), first, 'the same answer after 1023 other combinations');
  t.ok(first.total > 0 && first.total < 200);
});

t.test('a fleet larger than a batch: written in batches, seen whole or not at all', async (t) => {
  const store = new HostStore(':memory:', (projectId) => new HostFactory(3, projectId).generate(25_000));
  t.teardown(() => store.close());
  const all: ListHostsQuery = { enterprise_project_id: 'all_granted_eps', limit: 200, offset: 0 };
  t.equal(store.listHosts('p', { ...all, limit: 0 }).total, 25_000);
  const last = store.listHosts('p', { ...all, offset: 24_990 });
  t.equal(JSON.parse(`[${last.hostsJson}]`).length, 10, 'the last page');
  const before = store.allHosts('p');
  const replacement = [...new HostFactory(4, 'p').generate(30_000)];
  const duplicate = { ...replacement[0]!, host_name: 'same id as the first' };
  t.throws(() => store.replaceHosts('p', [...replacement, duplicate]), DuplicateHostError);
  t.same(store.allHosts('p'), before, 'a replace that fails after two batches changes nothing');
  store.replaceHosts('p', replacement);
  t.equal(store.listHosts('p', { ...all, limit: 0 }).total, 30_000, 'a replace that succeeds replaces all');
});

t.test('fleets a crash left behind are deleted at the next start', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'hss-mock-store-')), 'hosts.db');
  const first = new HostStore(file, (projectId) => new HostFactory(1, projectId).generate(5));
  first.listHosts('p', { enterprise_project_id: '0', limit: 0, offset: 0 });
  first.close();
  // As if the process had died while writing fleet 99: rows, and fleet 99 still in garbage.
  const raw = new Database(file);
  raw.exec("INSERT INTO garbage (fleet) VALUES (99); INSERT INTO hosts (id, fleet, host_id) VALUES (1000, 99, 'orphan'); INSERT INTO docs (id, doc) VALUES (1000, '{}')");
  raw.close();
  const second = new HostStore(file, () => []);
  t.teardown(() => second.close());
  const check = new Database(file, { readonly: true });
  t.teardown(() => check.close());
  t.equal(check.prepare('SELECT count(*) FROM hosts WHERE fleet = 99').pluck().get(), 0, 'its hosts are gone');
  t.equal(check.prepare('SELECT count(*) FROM docs WHERE id = 1000').pluck().get(), 0);
  t.equal(check.prepare('SELECT count(*) FROM garbage').pluck().get(), 0);
  t.equal(second.allHosts('p').length, 5, 'the project kept its hosts');
});
