// --db: data that survives restarts (and SIGKILL), and database files that are refused.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { buildApp } from '../../src/http/app.js';
import { StartupError } from '../../src/contract/errors.js';
import { SCHEMA_VERSION } from '../../src/store/database.js';
import { listHosts } from '../helpers.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const ALL = 'enterprise_project_id=all_granted_eps&limit=200';

function tempFile(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'hss-mock-db-')), name);
}

t.test('data written to a --db file is served after a restart, not regenerated', async (t) => {
  const db = tempFile('hss.db');
  const first = buildApp({ db, hosts: 5 });
  await first.inject({ method: 'POST', url: '/_mock/projects/p/hosts', payload: { host_id: 'kept', host_name: 'kept-host' } });
  await first.inject({ method: 'DELETE', url: '/_mock/projects/empty/hosts' });
  const before = (await listHosts(first, ALL, undefined, '/v5/p/host-management/hosts')).body;
  await first.close();

  const second = buildApp({ db, hosts: 99, seed: 77 });
  t.teardown(() => second.close());
  t.same((await listHosts(second, ALL, undefined, '/v5/p/host-management/hosts')).body, before, 'the same hosts, whatever the new options');
  t.equal(before.total_num, 6);
  t.equal((await listHosts(second, ALL, undefined, '/v5/empty/host-management/hosts')).body.total_num, 0, 'an emptied project stays empty');
  t.equal((await listHosts(second, ALL, undefined, '/v5/new/host-management/hosts')).body.total_num, 99, 'a new project uses the new options');
  await second.inject({ method: 'POST', url: '/_mock/reset' });
  t.equal((await listHosts(second, ALL, undefined, '/v5/p/host-management/hosts')).body.total_num, 99, 'reset applies the current options');
});

t.test('--reset-db starts the file afresh', async (t) => {
  const db = tempFile('hss.db');
  const first = buildApp({ db, hosts: 0 });
  await first.inject({ method: 'POST', url: '/_mock/projects/p/hosts', payload: { host_id: 'old' } });
  await first.close();
  const second = buildApp({ db, hosts: 2, resetDb: true });
  t.teardown(() => second.close());
  const hosts = (await listHosts(second, ALL, undefined, '/v5/p/host-management/hosts')).body.data_list;
  t.equal(hosts.length, 2);
  t.notOk(hosts.some((host) => host.host_id === 'old'));
});

t.test('a database file it cannot read as its own is refused with one line, and left as it was', async (t) => {
  const notSqlite = tempFile('notes.txt');
  writeFileSync(notSqlite, 'these are my notes, not a database\n'.repeat(50));
  const foreign = tempFile('other.db');
  new Database(foreign).exec('CREATE TABLE invoices (id INTEGER)').close();
  const future = tempFile('future.db');
  new Database(future).pragma('user_version = 99');
  // Another program's file that happens to carry this version's number.
  const lookalike = tempFile('lookalike.db');
  new Database(lookalike).exec(`CREATE TABLE t (x); PRAGMA user_version = ${SCHEMA_VERSION}`).close();
  const lookalikeBytes = readFileSync(lookalike);
  const cases: [string, RegExp][] = [
    [lookalike, /lookalike\.db: not an hss-mock database \(it has other tables\)$/],
    [notSqlite, /notes\.txt: file is not a database$/],
    [foreign, /other\.db: not an hss-mock database \(it has other tables\)$/],
    [future, /future\.db: written by another version of hss-mock \(schema 99, this one reads \d+\); start with --reset-db to replace its data$/],
    ['/nonexistent-dir/hss.db', /\/nonexistent-dir\/hss\.db: Cannot open database because the directory does not exist$/],
  ];
  for (const [db, message] of cases) {
    const error = t.throws(() => buildApp({ db })) as Error;
    t.type(error, StartupError);
    t.match(error.message, message);
  }
  t.equal(readFileSync(notSqlite, 'utf8'), 'these are my notes, not a database\n'.repeat(50), 'not written to');
  t.same(readFileSync(lookalike), lookalikeBytes, 'not switched to WAL, nor written to');
  const reset = buildApp({ db: future, resetDb: true });
  t.equal((await listHosts(reset, '')).status, 200, '--reset-db replaces a file of another version');
  await reset.close();
});

t.test('every acknowledged write survives SIGKILL', async (t) => {
  const db = tempFile('killed.db');
  const start = async () => {
    const child = spawn(process.execPath, [CLI, '--port', '0', '--db', db, '--hosts', '3'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    return { child, url: /listening on (\S+)/.exec(String(line))![1]! };
  };
  const first = await start();
  const written: string[] = [];
  for (let i = 0; i < 20; i++) {
    const response = await fetch(`${first.url}/_mock/projects/p/hosts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ host_id: `host-${i}` }),
    });
    if (response.status === 201) written.push(`host-${i}`);
  }
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');

  const second = await start();
  const hosts = (await (await fetch(`${second.url}/_mock/projects/p/hosts`)).json()) as { host_id: string }[];
  t.equal(written.length, 20);
  t.same(hosts.slice(3).map((host) => host.host_id), written, 'every write is there, in order');
  second.child.kill('SIGTERM');
  await once(second.child, 'exit');
  t.equal(new Database(db, { readonly: true }).pragma('integrity_check', { simple: true }), 'ok', 'the file is sound (read once the process has let it go)');
});

t.test('the command refuses a bad --db with one line and exit code 2', async (t) => {
  const future = tempFile('future.db');
  new Database(future).pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  const child = spawn(process.execPath, [CLI, '--port', '0', '--db', future]);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = await once(child, 'exit');
  t.equal(code, 2);
  t.match(stderr, /^hss-mock: .*future\.db: written by another version of hss-mock .*\n$/);
});

t.test('one process per --db file: a second one stops with one line, and the first keeps serving', async (t) => {
  const db = tempFile('shared.db');
  const first = spawn(process.execPath, [CLI, '--port', '0', '--db', db], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(async () => {
    first.kill('SIGTERM');
    if (first.exitCode === null) await once(first, 'exit');
  });
  const [line] = (await once(first.stdout, 'data')) as [Buffer];
  const url = /listening on (\S+)/.exec(String(line))![1]!;
  const second = spawn(process.execPath, [CLI, '--port', '0', '--db', db]);
  let stderr = '';
  second.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = await once(second, 'exit');
  t.equal(code, 2);
  t.match(stderr, /^hss-mock: .*shared\.db: in use by another process \(one hss-mock per --db file\)\n$/);
  t.equal((await fetch(`${url}/v5/alpha/host-management/hosts`, { headers: { 'X-Auth-Token': 't' } })).status, 200, 'the first serves on');
});
