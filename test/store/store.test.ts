// The store on its own: list queries stay correct however many filter combinations are used,
// large writes are atomic, starting fleets make room for one another within the data limit,
// and a file keeps what was written and nothing else.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { InputError, StartupError } from '../../src/contract/errors.js';
import type { Host, ListHostsQuery } from '../../src/contract/schemas.js';
import { seededRandom } from '../../src/faults/faults.js';
import { HostFactory } from '../../src/fleet/generator.js';
import { SCHEMA_VERSION } from '../../src/store/database.js';
import { DataLimitError, DuplicateHostError, HostStore, ResetError, type HostPage, type StoreOptions } from '../../src/store/store.js';
import { ALL, all, hostsOf, newStore } from './store-helpers.js';

/** A store over generated fleets of `hosts` hosts, closed when the test ends. */
function storeOf(t: { teardown(fn: () => unknown): void }, hosts: number, options: Partial<StoreOptions> = {}): HostStore {
  const store = newStore(1, hosts, options);
  t.teardown(() => store.close());
  return store;
}

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'hss-mock-store-')), 'hosts.db');
}

t.test('hundreds of distinct filter combinations, before and after the prepared-query cache is recycled', async (t) => {
  const store = storeOf(t, 200);
  const optional = ['host_name', 'host_id', 'private_ip', 'public_ip', 'ip_addr', 'group_id', 'group_name', 'label', 'server_group', 'policy_group_id'] as const;
  const first = await store.listHosts('p', { ...ALL, os_type: 'Linux' });
  const found = new Set<number>();
  for (let mask = 1; mask < 1 << optional.length; mask++) {
    const query: ListHostsQuery = { ...ALL };
    optional.forEach((name, bit) => {
      if (mask & (1 << bit)) query[name] = 'no-such-value';
    });
    found.add((await store.listHosts('p', query)).total);
  }
  t.same([...found], [0], 'every combination with an unknown value matches nothing');
  t.same(await store.listHosts('p', { ...ALL, os_type: 'Linux' }), first, 'the same answer after 1023 other combinations');
  t.ok(first.total > 0 && first.total < 200);
});

t.test('counts of dimension filters: the same from the typed arrays as in SQL, past their bound', async (t) => {
  const copied = storeOf(t, 300);
  const inSql = storeOf(t, 300, { comboRowsKept: 1 });
  const hosts = await all(copied, 'p');
  const queries: [ListHostsQuery, (host: Host) => boolean][] = [
    [{ ...ALL }, () => true],
    [{ ...ALL, enterprise_project_id: '0' }, (host) => host.enterprise_project_id === '0'],
    [{ ...ALL, enterprise_project_id: 'no-such-project' }, () => false],
    [{ ...ALL, os_type: 'Windows', has_vul: true }, (host) => host.os_type === 'Windows' && (host.vulnerability ?? 0) > 0],
    [{ ...ALL, agent_status: 'not_online', binding_key: false }, (host) => host.agent_status !== 'online' && host.key_name === undefined],
  ];
  for (const [query, holds] of queries) {
    const expected = hosts.filter(holds).length;
    t.equal((await copied.listHosts('p', { ...query, limit: 0 })).total, expected, JSON.stringify(query));
    t.equal((await inSql.listHosts('p', { ...query, limit: 0 })).total, expected, `${JSON.stringify(query)}, in SQL`);
  }
});

t.test('pages from the fleet copied into typed arrays: the same hosts as SQL finds, before and after writes', async (t) => {
  const copied = storeOf(t, 300);
  const inSql = storeOf(t, 300, { hostRowsKept: 0 });
  const queries: [Partial<ListHostsQuery>, (host: Host) => boolean][] = [
    [{}, () => true],
    [{ os_type: 'Windows', has_vul: true }, (host) => host.os_type === 'Windows' && (host.vulnerability ?? 0) > 0],
    [{ enterprise_project_id: '0', agent_status: 'not_online' }, (host) => host.enterprise_project_id === '0' && host.agent_status !== 'online'],
    [{ enterprise_project_id: 'no-such-project' }, () => false],
    [{ host_name: 'WEB' }, (host) => host.host_name!.toLowerCase().includes('web')],
    [{ host_name: 'e', protect_status: 'opened' }, (host) => host.host_name!.toLowerCase().includes('e') && host.protect_status === 'opened'],
  ];
  const walk = async (store: HostStore, query: Partial<ListHostsQuery>) => {
    const pages: Host[][] = [];
    for (const offset of [40, 0, 7, 120, 250]) pages.push(hostsOf(await store.listHosts('p', { ...ALL, ...query, offset, limit: 9 })));
    return pages;
  };
  /** Counts of substrings asked for the first time (once a fleet is copied, counted from the copy). */
  const withoutName = queries.filter(([query]) => query.host_name === undefined);
  const counts = async (store: HostStore, round: number) => {
    const totals: number[] = [];
    for (const [more] of withoutName) totals.push((await store.listHosts('p', { ...ALL, ...more, host_name: `${round}`, limit: 0 })).total);
    return totals;
  };
  const check = async (when: string) => {
    const hosts = await all(copied, 'p');
    for (const [query, holds] of queries) {
      // Twice: the first walks step over rows in SQL until copying has paid for itself.
      for (const round of [1, 2]) {
        const pages = await walk(copied, query);
        t.same(pages, await walk(inSql, query), `${JSON.stringify(query)} ${when}, round ${round}: as in SQL`);
        const matching = hosts.filter(holds);
        t.same(pages[0]!.map((host) => host.host_id), matching.slice(40, 49).map((host) => host.host_id), 'the hosts that match, in order');
      }
    }
    for (const round of [1, 2]) {
      const totals = await counts(copied, round);
      t.same(totals, await counts(inSql, round), `counts by a new substring ${when}, round ${round}: as in SQL`);
      t.same(totals, withoutName.map(([, holds]) => hosts.filter((host) => holds(host) && host.host_name!.includes(`${round}`)).length), 'the hosts that match');
    }
  };
  await check('at first');
  // Gaps in positions, a changed row, and hosts past the generated ones.
  const hosts = await all(copied, 'p');
  for (const store of [copied, inSql]) {
    for (const host of hosts.slice(3, 60)) await store.deleteHost('p', host.host_id!);
    await store.updateHost('p', hosts[100]!.host_id!, (host) => ({ ...host, host_name: 'now-a-web-server', os_type: 'Windows' }));
    await store.addHosts('p', () => hosts.slice(3, 20).map((host) => ({ ...host, host_id: `again-${host.host_id!}` })), 1000);
  }
  await check('after writes');
});

t.test('counts by host name substring are remembered, and forgotten when the fleet changes', async (t) => {
  const store = storeOf(t, 500);
  const count = async (query: Partial<ListHostsQuery>) => (await store.listHosts('p', { ...ALL, limit: 0, ...query })).total;
  const hosts = await all(store, 'p');
  const expected = (substring: string, more: (host: Host) => boolean = () => true) =>
    hosts.filter((host) => host.host_name!.toLowerCase().includes(substring) && more(host)).length;
  t.equal(await count({ host_name: 'Web' }), expected('web'));
  t.equal(await count({ host_name: 'web', os_type: 'Linux' }), expected('web', (host) => host.os_type === 'Linux'), 'with a dimension');
  t.equal(await count({ host_name: 'web', enterprise_project_id: '0' }), expected('web', (host) => host.enterprise_project_id === '0'), 'with an enterprise project');
  const victim = hosts.find((host) => !host.host_name!.includes('web'))!;
  await store.updateHost('p', victim.host_id!, (host) => ({ ...host, host_name: 'now-a-WEB-server' }));
  t.equal(await count({ host_name: 'web', os_type: victim.os_type }), expected('web', (host) => host.os_type === victim.os_type) + 1, 'a renamed host counts');
  for (let i = 0; i < 1100; i++) await count({ host_name: `x${i}` });
  t.equal(await count({ host_name: 'web' }), expected('web') + 1, 'still right after more other substrings than are kept, with their sums');
});

t.test('a generated fleet keeps no JSON: its hosts are made again, the same as the generator makes them', async (t) => {
  const store = storeOf(t, 300);
  const hosts = await all(store, 'p');
  t.same(hosts, JSON.parse(JSON.stringify([...new HostFactory(1, 'p').generate(300)])));
});

t.test('a fleet written in many slices: seen whole or not at all', async (t) => {
  const store = storeOf(t, 25_000);
  t.equal((await store.listHosts('p', { ...ALL, limit: 0 })).total, 25_000);
  const last = await store.listHosts('p', { ...ALL, offset: 24_990 });
  t.equal(hostsOf(last).length, 10, 'the last page');
  const before = await all(store, 'p');
  const replacement = [...new HostFactory(4, 'p').generate(30_000)];
  const duplicate = { ...replacement[0]!, host_name: 'same id as the first' };
  // Readers during the replace see the old fleet, whole.
  const replacing = store.replaceHosts('p', () => [...replacement, duplicate]);
  t.equal((await store.listHosts('p', { ...ALL, limit: 0 })).total, 25_000, 'a reader meanwhile sees the old fleet');
  await t.rejects(replacing, DuplicateHostError);
  t.same(await all(store, 'p'), before, 'a replace that fails after many slices changes nothing');
  await store.replaceHosts('p', () => replacement);
  t.equal((await store.listHosts('p', { ...ALL, limit: 0 })).total, 30_000, 'a replace that succeeds replaces all');
});

t.test('pages and counts during a long add see none of it, whether the fleet was copied before or not', async (t) => {
  for (const copyFirst of [true, false]) {
    const store = storeOf(t, 300);
    const deep = (offset: number) => store.listHosts('p', { ...ALL, os_type: 'Windows', offset, limit: 5 });
    const before = await all(store, 'p');
    const windows = before.filter((host) => host.os_type === 'Windows');
    // Deep pages of a sparse filter: as many rows stepped over in SQL as the fleet has, and more.
    if (copyFirst) for (let offset = windows.length - 5; offset > 0; offset -= 7) await deep(offset);
    const adding = store.addHosts('p', () => [...new HostFactory(3, 'added').generate(20_000)], 100_000);
    await new Promise((resolve) => setImmediate(resolve));
    // One turn after the add began, it cannot be done (it takes many slices): the count
    // sees none of it. The pages below see the same hosts whether it is done or not.
    t.equal((await store.listHosts('p', { ...ALL, host_name: 'we', limit: 0 })).total, before.filter((host) => host.host_name!.includes('we')).length);
    for (let offset = windows.length - 4; offset > 0; offset -= 9) {
      t.same(hostsOf(await deep(offset)).map((host) => host.host_id), windows.slice(offset, offset + 5).map((host) => host.host_id));
    }
    await adding;
    t.equal((await deep(0)).total, windows.length + (await all(store, 'p')).slice(300).filter((host) => host.os_type === 'Windows').length, 'then all of it');
  }
});

t.test('an add is all or nothing, and a refused one does not count as a write', async (t) => {
  const store = storeOf(t, 5);
  const writes: number[] = [];
  const make = (hosts: Host[]) => (write: number) => (writes.push(write), hosts);
  await store.addHosts('p', make([{ host_id: 'a' }]), 100);
  await t.rejects(store.addHosts('p', make([{ host_id: 'b' }, { host_id: 'a' }]), 100), DuplicateHostError);
  await t.rejects(store.addHosts('p', make([{ host_id: 'c' }, { host_id: 'd' }]), 7), InputError, 'past the most hosts a project holds');
  await store.addHosts('p', make([{ host_id: 'e' }]), 100);
  t.same(writes, [1, 2, 2, 2], 'refused writes left the write count where it was');
  t.same((await all(store, 'p')).slice(5).map((host) => host.host_id), ['a', 'e'], 'nothing of the refused adds');
  t.equal((await store.listHosts('p', { ...ALL, limit: 0 })).total, 7);
});

t.test('a long add refused at its end counts nothing, before or after', async (t) => {
  const store = storeOf(t, 5);
  const before = await all(store, 'p');
  const existing = before[0]!.host_id!;
  // Thousands of hosts take many slices; the duplicate comes last.
  const hosts: Host[] = [...new HostFactory(3, 'added').generate(20_000), { host_id: existing }];
  const adding = store.addHosts('p', () => hosts, 100_000);
  await new Promise((resolve) => setImmediate(resolve));
  t.equal((await store.listHosts('p', { ...ALL, limit: 0 })).total, 5, 'a count during the add sees none of it');
  const withE = before.filter((host) => host.host_name!.includes('e')).length;
  t.equal((await store.listHosts('p', { ...ALL, host_name: 'e', limit: 0 })).total, withE, 'nor a count by host name substring, made meanwhile');
  await t.rejects(adding, DuplicateHostError);
  t.equal((await store.listHosts('p', { ...ALL, limit: 0 })).total, 5, 'nor after its refusal');
  t.equal((await store.listHosts('p', { ...ALL, host_name: 'e', limit: 0 })).total, withE, 'by substring either');
  t.equal((await store.listHosts('p', { ...ALL, os_type: 'Linux', limit: 0 })).total, (await all(store, 'p')).filter((host) => host.os_type === 'Linux').length, 'nor with a filter');
});

t.test('a project growing by an add is not dropped to make room for others meanwhile', async (t) => {
  const limit = 12 * 2 ** 20;
  const store = storeOf(t, 2000, { dataLimit: limit });
  const others: string[] = [];
  while (store.dataSize().data_bytes < limit / 2) await store.listHosts(`other${others.push(`other${others.length}`) - 1}`, ALL);
  await store.listHosts('grown', ALL);
  for (const other of others) await store.listHosts(other, ALL);
  // Least recently used of all now, and only read: the first a reader would drop.
  const added = [...new HostFactory(3, 'added').generate(3000)];
  let done = false;
  const adding = store.addHosts('grown', () => added, 100_000).finally(() => (done = true));
  for (let i = 0; !done && i < 1000; i++) await store.listHosts(`reader${i}`, ALL);
  await adding;
  t.ok(store.projects(0, 1000).total < others.length + 2, 'others were dropped to make room');
  t.same((await all(store, 'grown')).slice(2000).map((host) => host.host_id), added.map((host) => host.host_id), 'its starting fleet and the add');
});

t.test('starting fleets make room for each other within the data limit, and come back the same', async (t) => {
  const store = storeOf(t, 2000, { dataLimit: 2 * 2 ** 20 });
  const first = await all(store, 'p0');
  for (let i = 1; i < 12; i++) await store.listHosts(`p${i}`, ALL);
  t.ok(store.dataSize().data_bytes <= 2 * 2 ** 20, `within the limit (${store.dataSize().data_bytes} bytes)`);
  t.ok(store.projects(0, 100).total < 12, 'the least recently used were dropped');
  t.same(await all(store, 'p0'), first, 'a dropped fleet is made again, host for host');
});

t.test('written projects are never dropped; past the limit a write is refused and writes nothing', async (t) => {
  const store = storeOf(t, 10, { dataLimit: 2 * 2 ** 20 });
  const big = (prefix: string) => [...new HostFactory(2, prefix).generate(3000)];
  let written = 0;
  let refusal: unknown;
  for (; written < 20 && refusal === undefined; written++) {
    await store.replaceHosts(`w${written}`, () => big(`w${written}`)).catch((error: unknown) => (refusal = error));
  }
  t.type(refusal, DataLimitError, 'a write that does not fit is refused');
  t.match((refusal as Error).message, /data limit/);
  const kept = written - 1;
  for (let i = 0; i < kept; i++) t.equal((await store.listHosts(`w${i}`, { ...ALL, limit: 0 })).total, 3000, `w${i} kept whole`);
  t.equal((await store.listHosts(`w${kept}`, { ...ALL, limit: 0 })).total, 10, 'the refused project still serves its starting fleet');
});

t.test('first reads at once whose fleets together pass the limit: those that do not fit are refused, and fit once the others are done', async (t) => {
  // Eight fleets of 2,000 hosts (about 0.5 MB each) being made at once, in a 2 MiB limit.
  const store = storeOf(t, 2000, { dataLimit: 2 * 2 ** 20 });
  const projects = Array.from({ length: 8 }, (_, i) => `p${i}`);
  const answers = await Promise.allSettled(projects.map((project) => store.listHosts(project, { ...ALL, limit: 0 })));
  const refused = projects.filter((_, i) => answers[i]!.status === 'rejected');
  t.ok(refused.length > 0, 'some were refused');
  for (const [i, answer] of answers.entries()) {
    if (answer.status === 'rejected') t.type(answer.reason, DataLimitError);
    else t.equal(answer.value.total, 2000, `${projects[i]} answered whole`);
  }
  for (const project of refused) t.equal((await store.listHosts(project, { ...ALL, limit: 0 })).total, 2000, `${project}, asked again`);
  t.ok(store.dataSize().data_bytes <= 2 * 2 ** 20);
});

t.test('a full reset during a long write stops it; readers start again afresh', async (t) => {
  const store = storeOf(t, 5);
  const writing = store.generate('p', 1, 200_000);
  await new Promise((resolve) => setImmediate(resolve));
  store.resetAll();
  await t.rejects(writing, ResetError);
  t.equal((await store.listHosts('p', { ...ALL, limit: 0 })).total, 5, 'the starting fleet');
});

t.test('a reader that asks during a full reset is answered, by the fleet the reset leaves', async (t) => {
  const store = storeOf(t, 30_000);
  const reading = store.listHosts('p', { ...ALL, limit: 0 });
  await new Promise((resolve) => setImmediate(resolve));
  store.resetAll();
  t.equal((await reading).total, 30_000, 'its starting fleet was made again, whole');
});

t.test('two listings of one fleet at once, while starting fleets make room', async (t) => {
  const store = storeOf(t, 3000, { dataLimit: 2 * 2 ** 20 });
  const [first, second] = [await store.allHostsJson('p'), await store.allHostsJson('p')];
  const firstIterator = first[Symbol.asyncIterator]();
  const secondIterator = second[Symbol.asyncIterator]();
  const [a, b] = [await firstIterator.next(), await secondIterator.next()];
  for (let i = 0; i < 6; i++) await store.listHosts(`other-${i}`, ALL);
  const rest = async (iterator: AsyncIterator<string[]>, head: string[]) => {
    const all = [...head];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) all.push(...next.value);
    return all.length;
  };
  t.equal(await rest(firstIterator, a.value as string[]), 3000, 'a fleet being listed is not dropped');
  t.equal(await rest(secondIterator, b.value as string[]), 3000);
});

t.test('a first read and a reset of the project at once: the read is answered whole, by the fleet made again', async (t) => {
  const store = storeOf(t, 50);
  // The reset, queued behind the starting fleet, drops it before the reader reads it.
  const [page] = await Promise.all([store.listHosts('p', ALL), store.resetProject('p')]);
  t.equal(page.total, 50);
  t.equal(hostsOf(page).length, 50);
});

t.test('clients churning project ids while others write: every answer whole, every write kept (a fleet dropped while awaited is made again)', async (t) => {
  // Starting fleets fill the limit within the first rounds, so that they are dropped while other
  // clients wait for theirs, read them, write beside them and reset theirs.
  const store = storeOf(t, 500, { dataLimit: 8 * 2 ** 20 });
  const replacement = [...new HostFactory(2, 'put').generate(100)];
  const problems: string[] = [];
  const pageProblem = (page: HostPage, offset: number, limit: number, total?: number) => {
    const hosts = hostsOf(page).length;
    if (total !== undefined && page.total !== total) return `total ${page.total}, not ${total}`;
    return hosts === Math.max(0, Math.min(limit, page.total - offset)) ? undefined : `${hosts} hosts of ${page.total} from ${offset}, limit ${limit}`;
  };
  await Promise.all(
    Array.from({ length: 8 }, async (_, client) => {
      const random = seededRandom(client + 1);
      const home = `home${client}`;
      let homeHosts = 500;
      for (let serial = 0; serial < 150; serial++) {
        const roll = random();
        if (roll < 0.6) {
          const [offset, limit] = [Math.floor(random() * 600), Math.floor(random() * 200)];
          const problem = pageProblem(await store.listHosts(`p${client}-${Math.floor(serial / 10)}`, { ...ALL, offset, limit }), offset, limit, 500);
          if (problem) problems.push(problem);
        } else if (roll < 0.8) {
          await store.addHosts(home, () => [{ host_id: `h${serial}` }], 100_000);
          homeHosts += 1;
        } else if (roll < 0.83) {
          await store.replaceHosts(home, () => replacement);
          homeHosts = replacement.length;
        } else if (roll < 0.85) {
          await store.resetProject(home);
          homeHosts = 500;
        } else {
          const problem = pageProblem(await store.listHosts(home, { ...ALL, limit: 50 }), 0, 50, homeHosts);
          if (problem) problems.push(`${home}: ${problem}`);
        }
      }
    }),
  );
  t.same(problems, []);
  t.ok(store.projects(0, 1000).total < 8 * 16, 'starting fleets were dropped to make room');
});

t.test('generators are kept for the fleets in use, and made again past them', async (t) => {
  const store = storeOf(t, 1);
  const first = await all(store, 'p0');
  for (let i = 1; i <= 70; i++) await store.listHosts(`p${i}`, ALL);
  await store.resetProject('p0');
  t.same(await all(store, 'p0'), first);
});

t.test('a file keeps what was written, and drops at start what it can make again', async (t) => {
  const file = tempFile();
  const first = storeOf(t, 5, { path: file });
  await first.listHosts('read-only', ALL);
  await first.replaceHosts('written', () => [{ host_id: 'w1' }]);
  first.close();
  const second = storeOf(t, 3, { path: file });
  t.equal((await all(second, 'written')).length, 1, 'a written project is kept');
  t.equal((await all(second, 'read-only')).length, 3, 'a project only read serves the options of this start');
  second.close();
});

t.test('with a file, starting fleets stay in memory: reading (or missing a host) writes nothing; a write in place moves the fleet to the file', async (t) => {
  const file = tempFile();
  const store = storeOf(t, 3000, { path: file });
  const fleetRows = () => {
    const raw = new Database(file, { readonly: true });
    try {
      return raw.prepare('SELECT count(*) FROM fleets').pluck().get();
    } finally {
      raw.close();
    }
  };
  const before = await all(store, 'p');
  await store.listHosts('q', { ...ALL, os_type: 'Linux' });
  t.equal(await store.updateHost('p', 'no-such-host', (host) => host), undefined);
  t.equal(await store.deleteHost('q', 'no-such-host'), false);
  store.close();
  t.equal(fleetRows(), 0, 'reading two projects, and a patch and a delete of hosts they lack, wrote no fleet to the file');
  const writer = storeOf(t, 3000, { path: file });
  await writer.listHosts('q', ALL);
  await writer.replaceHosts('q', () => [{ host_id: 'only' }]);
  t.same((await all(writer, 'q')).map((host) => host.host_id), ['only'], 'a replace of a project only read: its starting fleet left the cache');
  const victim = before[1234]!;
  await writer.updateHost('p', victim.host_id!, (host) => ({ ...host, host_name: 'patched' }));
  const moved = await all(writer, 'p');
  t.equal(moved.length, 3000, 'the whole fleet moved');
  t.same(moved[1234]!.host_name, 'patched');
  t.same(moved.filter((_, i) => i !== 1234), before.filter((_, i) => i !== 1234), 'the other hosts as they were');
  t.equal((await writer.listHosts('p', { ...ALL, host_name: 'patched', limit: 0 })).total, 1, 'filters see the change');
  writer.close();
  const restarted = storeOf(t, 10, { path: file });
  t.same((await all(restarted, 'p')).map((host) => host.host_name), moved.map((host) => host.host_name), 'after a restart with other options, all of it is there');
});

t.test('a full reset while a starting fleet moves to the file: the write stops, nothing is moved', async (t) => {
  const file = tempFile();
  const store = storeOf(t, 60_000, { path: file });
  const [first] = await all(store, 'p');
  const writing = store.updateHost('p', first!.host_id!, (host) => ({ ...host, host_name: 'renamed' }));
  await new Promise((resolve) => setImmediate(resolve));
  store.resetAll();
  await t.rejects(writing, ResetError);
  await store.settled();
  t.same(store.projects(0, 10), { total: 0, projects: [] }, 'no project, moved or not');
  store.close();
  const raw = new Database(file, { readonly: true });
  t.same(raw.prepare('SELECT (SELECT count(*) FROM hosts) AS hosts, (SELECT count(*) FROM fleets) AS fleets').get(), { hosts: 0, fleets: 0 }, 'no row of it in the file');
  raw.close();
});

t.test('a project a crash left unwritten (moved, then the process died before its write) is dropped at start', async (t) => {
  const file = tempFile();
  const first = storeOf(t, 5, { path: file });
  await first.replaceHosts('p', () => [{ host_id: 'a' }]);
  first.close();
  const raw = new Database(file);
  raw.exec("UPDATE projects SET written = 0 WHERE project_id = 'p'");
  raw.close();
  const second = storeOf(t, 5, { path: file });
  t.equal((await all(second, 'p')).length, 5, 'the starting fleet again');
  await second.settled();
  second.close();
  const check = new Database(file, { readonly: true });
  t.teardown(() => check.close());
  t.equal(check.prepare('SELECT count(*) FROM hosts').pluck().get(), 0, 'the unwritten fleet is gone from the file');
});

t.test('rows a crash left behind are deleted at the next start', async (t) => {
  const file = tempFile();
  const first = storeOf(t, 5, { path: file });
  await first.replaceHosts('p', () => [{ host_id: 'a' }, { host_id: 'b' }]);
  first.close();
  // As if the process had died while adding to fleet 2 (p's) and while writing fleet 99.
  const raw = new Database(file);
  const fleet = raw.prepare("SELECT fleet FROM projects WHERE project_id = 'p'").pluck().get() as number;
  raw.exec(`INSERT INTO adding (fleet, start) VALUES (${fleet}, 2);
    INSERT INTO hosts (fleet, pos, bits, ep, risk, scan, host_id, group_id, group_name, policy_group_id, policy_group_name, cluster_id, vpc_id, labels)
      VALUES (${fleet}, 2, 0, 0, 0, 0, 'half-added', 0, 0, 0, 0, 0, 0, 0), (99, 0, 0, 0, 0, 0, 'orphan', 0, 0, 0, 0, 0, 0, 0);
    INSERT INTO docs (fleet, pos, doc) VALUES (99, 0, '{}');
    INSERT INTO garbage (fleet) VALUES (99);`);
  raw.close();
  const second = storeOf(t, 5, { path: file });
  t.same((await all(second, 'p')).map((host) => host.host_id), ['a', 'b'], 'the add a crash cut short is gone');
  await second.addHosts('p', () => [{ host_id: 'half-added' }], 100);
  t.same((await all(second, 'p')).map((host) => host.host_id), ['a', 'b', 'half-added'], 'and its host_id is free again');
  await second.settled();
  second.close();
  const check = new Database(file, { readonly: true });
  t.teardown(() => check.close());
  t.equal(check.prepare('SELECT count(*) FROM hosts WHERE fleet = 99').pluck().get(), 0, 'the orphan fleet is gone');
  t.equal(check.prepare('SELECT count(*) FROM garbage').pluck().get(), 0);
});

t.test('a file that is not hss-mock’s, or is in use, is refused and left as it was', async (t) => {
  const foreign = tempFile();
  const raw = new Database(foreign);
  raw.exec(`CREATE TABLE t (x); PRAGMA user_version = ${SCHEMA_VERSION}`);
  raw.close();
  const partial = tempFile();
  new Database(partial).exec(`CREATE TABLE hosts (x); PRAGMA user_version = ${SCHEMA_VERSION}`).close();
  t.throws(() => storeOf(t, 5, { path: partial }), new StartupError(`${partial}: not an hss-mock database (its tables are not hss-mock's)`));
  const before = readFileSync(foreign);
  for (const reset of [false, true]) {
    t.throws(() => storeOf(t, 5, { path: foreign, reset }), new StartupError(`${foreign}: not an hss-mock database (it has other tables)`));
  }
  t.same(readFileSync(foreign), before, 'byte for byte');
  const text = tempFile();
  writeFileSync(text, 'not a database at all, just text that is long enough to look like a header...');
  t.throws(() => storeOf(t, 5, { path: text }), StartupError);
  const file = tempFile();
  storeOf(t, 5, { path: file });
  t.throws(() => storeOf(t, 5, { path: file }), new StartupError(`${file}: in use by another process (one hss-mock per --db file)`));
});
