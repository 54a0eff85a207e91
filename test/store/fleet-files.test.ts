// Large generated starting fleets built in database files of their own by a worker thread: the
// same answers as the shared tables, through writes; the files deleted with their fleets, at a
// reset and on close, and left by a killed process; the shared tables when no file can be had.
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import Database from 'better-sqlite3';
import t from 'tap';
import type { Host, ListHostsQuery } from '../../src/contract/schemas.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { HostFactory } from '../../src/fleet/generator.js';
import { FLEET_FILE_SQL } from '../../src/store/database.js';
import { claim, claims, ROWS_A_CLAIM, serveBuild, type BuildReply } from '../../src/store/fleet-builder.js';
import { FleetBuild } from '../../src/store/fleet-files.js';
import { Dictionary, newTexts, ROW_COLUMNS } from '../../src/store/rows.js';
import { HostStore } from '../../src/store/store.js';
import { ALL, all, hostsOf, newStore } from './store-helpers.js';

/** A folder for a store's fleet files, and the files in it. */
function parentFolder(): { parent: string; files: () => string[] } {
  const parent = mkdtempSync(join(tmpdir(), 'hss-mock-test-'));
  const files = () => readdirSync(parent).flatMap((folder) => readdirSync(join(parent, folder)).map((file) => `${folder}/${file}`));
  return { parent, files };
}

const QUERIES: Partial<ListHostsQuery>[] = [
  {},
  { limit: 0 },
  { os_type: 'Windows', limit: 7, offset: 3 },
  { agent_status: 'online', protect_status: 'closed' },
  { enterprise_project_id: '0', has_vul: true },
  { host_name: 'WEB', offset: 2 },
  { host_name: 'no-such-name' },
  { sort_key: 'risk_num', sort_dir: 'desc', limit: 30, offset: 40 },
  { sort_key: 'recent_scan_time', sort_dir: 'asc', limit: 25, offset: 100 },
  { label: 'web' },
  { offset: 5000, limit: 50 },
];

/** Every query's answer, as the bytes sent. */
async function answers(store: HostStore, projectId: string): Promise<string[]> {
  const pages: string[] = [];
  for (const query of QUERIES) pages.push((await store.listHosts(projectId, { ...ALL, ...query })).json.toString());
  return pages;
}

t.test('a fleet in a file of its own answers every query as the shared tables do, through writes in place', async (t) => {
  const { parent, files } = parentFolder();
  // Blocks of positions enough for both threads to draw some (how many each draws varies).
  const shared = newStore(7, 5 * ROWS_A_CLAIM);
  const apart = newStore(7, 5 * ROWS_A_CLAIM, { fleetFileHosts: 5 * ROWS_A_CLAIM, fleetFilesParent: parent });
  t.teardown(() => {
    shared.close();
    apart.close();
  });
  t.same(await answers(apart, 'p'), await answers(shared, 'p'));
  t.match(files(), [/^hss-mock-fleets-\d+-\w+\/fleet-\d+\.db$/], 'one file, in a folder named after the process');
  t.ok(apart.dataSize().data_bytes > shared.dataSize().data_bytes / 2, 'its bytes count toward the data limit');

  const hosts = await all(shared, 'p');
  for (const store of [shared, apart]) {
    await store.updateHost('p', hosts[5]!.host_id!, (host) => ({ ...host, host_name: 'WEB-renamed', os_type: 'Windows' }));
    t.equal(await store.deleteHost('p', hosts[9]!.host_id!), true);
    await store.addHosts('p', () => [{ ...hosts[1]!, host_id: 'added-1', host_name: 'web-added' }], 10_000);
  }
  t.same(await answers(apart, 'p'), await answers(shared, 'p'), 'the same after an update, a delete and an add');
  await t.rejects(apart.addHosts('p', () => [{ ...hosts[2]!, host_id: hosts[3]!.host_id }], 10_000), { name: 'DuplicateHostError' }, 'host ids stay unique');

  const small = newStore(7, 299, { fleetFileHosts: 5 * ROWS_A_CLAIM, fleetFilesParent: parent });
  t.teardown(() => small.close());
  await small.listHosts('p', ALL);
  t.equal(files().length, 1, 'a fleet under the threshold goes into the shared tables');

  for (const store of [shared, apart]) await store.generate('g', 11, 5 * ROWS_A_CLAIM);
  t.equal(files().length, 2, 'all in memory, a large generated fleet has a file of its own too');
  t.same(await answers(apart, 'g'), await answers(shared, 'g'));
});

t.test('with a --db file, a written fleet moves from its own file into the database, which keeps it', async (t) => {
  const { parent, files } = parentFolder();
  const path = join(mkdtempSync(join(tmpdir(), 'hss-mock-db-')), 'hss.db');
  const options = (hosts: number) => {
    const fleet = new Fleet({ seed: 3, hosts, fixtures: [] });
    return { path, reset: false, startingFleet: fleet.startingFleet, generatedHost: fleet.generatedHost, dataLimit: 2 ** 30, fleetFileHosts: 100, fleetFilesParent: parent };
  };
  const first = new HostStore(options(120));
  const before = await all(first, 'p');
  t.equal(files().length, 1);
  await first.updateHost('p', before[0]!.host_id!, (host) => ({ ...host, host_name: 'moved' }));
  await first.settled();
  t.same(files(), [], "the fleet's file is deleted once the fleet is in the database");
  await first.generate('g', 3, 150);
  t.same(files(), [], 'a generated fleet is written into the database');
  await first.close();

  const second = new HostStore(options(5));
  t.teardown(() => second.close());
  const after = await all(second, 'p');
  t.equal((await second.listHosts('g', ALL)).total, 150);
  t.equal(after.length, 120);
  t.equal(after[0]!.host_name, 'moved');
  t.same(after.slice(1), before.slice(1));
});

t.test('files go with their fleets: dropped to make room, at a reset, on close', async (t) => {
  const { parent, files } = parentFolder();
  const store = newStore(5, 2000, { fleetFileHosts: 1000, fleetFilesParent: parent, dataLimit: 2 ** 20 });
  const first = hostsOf(await store.listHosts('a', ALL));
  await store.listHosts('b', ALL);
  await store.settled();
  t.equal(files().length, 1, "a's fleet was dropped to make room for b's, its file with it");
  t.same(hostsOf(await store.listHosts('a', ALL)), first, 'and made again when asked for');

  store.resetAll();
  t.same(files(), [], 'a reset deletes every file');
  t.same(hostsOf(await store.listHosts('a', ALL)), first, 'the fleet is made again');
  t.equal(files().length, 1);
  await store.close();
  t.same(readdirSync(parent), [], 'closing deletes the folder');
});

/** Waits until there are `count` files: a build's worker has started, and the drawing goes on in slices between which this runs. */
async function filesMade(files: () => string[], count: number): Promise<void> {
  while (files().length < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

t.test('a reset or a close during a build stops it and deletes its file', async (t) => {
  const { parent, files } = parentFolder();
  // Many more slices of rows than the worker may be behind by: the build is still going when its file appears.
  const store = newStore(5, 50_000, { fleetFileHosts: 1000, fleetFilesParent: parent });
  const during = store.listHosts('p', { ...ALL, limit: 1 });
  await filesMade(files, 1);
  store.resetAll();
  t.equal((await during).total > 0, true, 'the request is answered from a fleet made again');
  await store.settled();
  t.equal(files().length, 1, "only the new fleet has a file: the stopped build's is deleted");

  const closing = store.listHosts('q', { ...ALL, limit: 1 });
  await filesMade(files, 2);
  await store.close();
  await t.rejects(closing);
  t.same(readdirSync(parent), []);
});

t.test('beyond 8 files, or without a folder, fleets go into the shared tables', async (t) => {
  const { parent, files } = parentFolder();
  const shared = newStore(9, 150);
  const apart = newStore(9, 150, { fleetFileHosts: 100, fleetFilesParent: parent });
  const nowhere = newStore(9, 150, { fleetFileHosts: 100, fleetFilesParent: join(parent, 'missing', 'folder') });
  t.teardown(() => [shared, apart, nowhere].forEach((store) => store.close()));
  for (let i = 0; i < 9; i++) {
    const expected = await answers(shared, `p${i}`);
    t.same(await answers(apart, `p${i}`), expected, `project ${i}`);
    t.same(await answers(nowhere, `p${i}`), expected, `project ${i}, no folder`);
  }
  t.equal(files().length, 8);
});

t.test("a killed process's folder is deleted by the next build; a live one's is not", async (t) => {
  const { parent } = parentFolder();
  // Above Linux's largest process id: never a live process.
  mkdirSync(join(parent, 'hss-mock-fleets-4194305-abc'));
  mkdirSync(join(parent, `hss-mock-fleets-${process.ppid}-abc`));
  mkdirSync(join(parent, 'unrelated'));
  const store = newStore(1, 100, { fleetFileHosts: 100, fleetFilesParent: parent });
  t.teardown(() => store.close());
  await store.listHosts('p', ALL);
  // Deleted in the background.
  while (readdirSync(parent).includes('hss-mock-fleets-4194305-abc')) await new Promise((resolve) => setTimeout(resolve, 5));
  const folders = readdirSync(parent);
  t.notOk(folders.includes('hss-mock-fleets-4194305-abc'));
  t.ok(folders.includes(`hss-mock-fleets-${process.ppid}-abc`));
  t.ok(folders.includes('unrelated'));
});

/** A builder served in this thread, and its replies. */
function servedBuilder(count: number, draw?: (pos: number) => Host) {
  const path = join(mkdtempSync(join(tmpdir(), 'hss-mock-build-')), 'fleet.db');
  const plan = { path, ...FLEET_FILE_SQL, fleet: 1, count, claims: claims(count) };
  const { port1, port2 } = new MessageChannel();
  serveBuild(plan, port1, draw);
  const replies: BuildReply[] = [];
  port2.on('message', (reply: BuildReply) => replies.push(reply));
  const built = async () => {
    while (replies.length === 0 || replies.at(-1) === 'written') await new Promise((resolve) => setTimeout(resolve, 5));
    port2.close();
    return new Database(path, { readonly: true });
  };
  return { plan, port: port2, replies, built };
}

t.test('the builder inserts the rows it is sent, many a statement, then builds the indexes', async (t) => {
  const { port, replies, built } = servedBuilder(70);
  const row = (pos: number) => [1, pos, 0, 0, 0, `host-${pos}`, null, `id-${pos}`, null, null, 1, 0, 0, 0, 0, 0, 0, 0];
  port.postMessage({ hosts: Array.from({ length: 70 }, (_, pos) => row(pos)).flat(), texts: [[1, 0, 1, '0']] });
  port.postMessage('end');
  const db = await built();
  t.teardown(() => db.close());
  t.same(replies, ['written', { built: new Map([[1, new Map([[0, 70]])]]) }], 'every combination counted');
  t.equal(db.prepare('SELECT count(*) FROM hosts').pluck().get(), 70);
  t.equal(db.prepare('SELECT text FROM texts').pluck().get(), '0');
  t.same(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'hosts' ORDER BY name").pluck().all(), ['hosts_combo', 'hosts_host_id', 'hosts_risk', 'hosts_scan']);
});

t.test("the builder draws the blocks it claims, and maps the other thread's dictionary codes to its own", async (t) => {
  const factory = new HostFactory(3, 'p');
  const count = 5 * ROWS_A_CLAIM + 17;
  const { plan, port, replies, built } = servedBuilder(count, (pos) => factory.host(pos));
  // This thread draws a block, then lets the builder draw one: both draw, each with its own dictionary.
  const texts: unknown[][] = [];
  const dictionary = new Dictionary(plan.fleet, newTexts({ run: (...text: unknown[]) => texts.push(text) }));
  let mine = 0;
  for (let start = claim(plan.claims, 'start'); start !== undefined; start = claim(plan.claims, 'start')) {
    const hosts: unknown[] = [];
    for (let pos = start; pos < Math.min(start + ROWS_A_CLAIM, count); pos++) hosts.push(...dictionary.row(pos, factory.host(pos)).values);
    port.postMessage({ hosts, texts: texts.splice(0) });
    mine += hosts.length / ROW_COLUMNS.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
  port.postMessage('end');
  const db = await built();
  t.teardown(() => db.close());
  t.ok(mine > 0 && mine < count, `both threads drew (this one ${mine} of ${count})`);
  const rows = db.prepare(`SELECT h.pos, ep.text AS ep, grp.text AS grp FROM hosts h JOIN texts ep ON ep.kind = 0 AND ep.code = h.ep LEFT JOIN texts grp ON grp.kind = 2 AND grp.code = h.group_name ORDER BY h.pos`).all() as { pos: number; ep: string; grp: string | null }[];
  t.same(
    rows,
    Array.from({ length: count }, (_, pos) => ({ pos, ep: factory.host(pos).enterprise_project_id, grp: factory.host(pos).group_name ?? null })),
    "every host once, its texts the host's",
  );
  const { built: combos } = replies.at(-1) as { built: Map<number, Map<number, number>> };
  t.equal([...combos.values()].flatMap((byBits) => [...byBits.values()]).reduce((sum, hosts) => sum + hosts, 0), count, 'the combinations count every host');
});

t.test('a build whose worker fails rejects, and its file is discarded', async (t) => {
  let discarded = 0;
  const plan = { path: join(tmpdir(), 'no-such-folder-of-hss-mock', 'fleet.db'), ...FLEET_FILE_SQL, fleet: 1, count: 1, claims: claims(1) };
  const build = new FleetBuild(plan, () => t.fail('never attached') as never, () => (discarded += 1));
  await t.rejects(build.finish(), /directory does not exist/);
  await t.rejects(build.send([1], []), 'a failed build takes no more rows');
  await Promise.all([build.stop(), build.stop()]);
  t.equal(discarded, 1, 'discarded once');
});
