// Killed with SIGKILL at any moment, a --db file keeps every acknowledged write, stays sound, and
// holds either the old fleet or the new one, never a mix; readers see the same.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

async function start(db: string, extra: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--db', db, '--hosts', '3', '--log-level', 'silent', ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, url: /listening on (\S+)/.exec(String(line))![1]! };
}

async function kill(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

/** With the process dead (it holds the file while it runs): is the file sound, and is every row of a fleet no project uses listed for deletion? */
function soundAndCounted(db: string): { integrity: string; orphans: number } {
  const file = new Database(db, { readonly: true });
  try {
    return {
      integrity: file.pragma('integrity_check', { simple: true }) as string,
      orphans: file.prepare('SELECT count(*) FROM hosts WHERE fleet NOT IN (SELECT fleet FROM projects UNION SELECT fleet FROM garbage)').pluck().get() as number,
    };
  } finally {
    file.close();
  }
}

const total = async (url: string) =>
  ((await (await fetch(`${url}/v5/p/host-management/hosts?enterprise_project_id=all_granted_eps&limit=0`, { headers: { 'X-Auth-Token': 't' } })).json()) as { total_num: number }).total_num;

// Fixed moments, counted in acknowledged writes (not in time, which a busy machine stretches),
// so that a failure can be repeated; spread over the stream of writes.
for (const afterWrites of [3, 20, 45]) {
  t.test(`every acknowledged write survives SIGKILL after ${afterWrites} acknowledged writes`, async (t) => {
    const db = join(mkdtempSync(join(tmpdir(), 'hss-mock-kill-')), 'hosts.db');
    const first = await start(db);
    // Each acknowledged write: the host it wrote, and the name it gave it (a POST, then a PATCH of it).
    const acknowledged = new Map<string, string>();
    /** The write under way when the process died: it may or may not have been stored. */
    let inFlight: [string, string] | undefined;
    let stop = false;
    let acknowledgements = 0;
    let reached = () => {};
    const enough = new Promise<void>((resolve) => (reached = resolve));
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const patch = i % 2 === 1;
        const hostId = `host-${patch ? i - 1 : i}`;
        inFlight = [hostId, patch ? `patched-${i}` : `written-${i}`];
        const response = await fetch(`${first.url}/_mock/projects/p/hosts${patch ? `/${hostId}` : ''}`, {
          method: patch ? 'PATCH' : 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(patch ? { host_name: `patched-${i}` } : { host_id: hostId, host_name: `written-${i}` }),
        }).catch(() => undefined);
        if (response?.status === (patch ? 200 : 201)) {
          acknowledged.set(hostId, patch ? `patched-${i}` : `written-${i}`);
          if (++acknowledgements === afterWrites) reached();
        }
      }
    })();
    await enough;
    // The writer stops with the write under way when the process dies, so inFlight stays that one.
    stop = true;
    await kill(first.child);
    await writer;
    t.ok(acknowledged.size > 0, `${acknowledged.size} hosts written (and most patched) before the kill`);

    t.same(soundAndCounted(db), { integrity: 'ok', orphans: 0 }, 'the file is sound, with no orphan rows');
    const second = await start(db);
    t.teardown(() => kill(second.child));
    const stored = new Map(
      ((await (await fetch(`${second.url}/_mock/projects/p/hosts`)).json()) as { host_id: string; host_name: string }[]).map((host) => [host.host_id, host.host_name]),
    );
    const lost = [...acknowledged].filter(([hostId, name]) => stored.get(hostId) !== name && !(inFlight?.[0] === hostId && stored.get(hostId) === inFlight[1]));
    t.same(lost, [], 'every acknowledged write is there, as written');
  });
}

t.test('a replace killed half-way leaves the old fleet whole; readers see old or new, never a mix', async (t) => {
  const db = join(mkdtempSync(join(tmpdir(), 'hss-mock-kill-')), 'hosts.db');
  const first = await start(db);
  t.equal(await total(first.url), 3);
  // 60,000 hosts: six batches, about two seconds; the kill comes during them.
  void fetch(`${first.url}/_mock/projects/p/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"count": 60000}' }).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 700));
  await kill(first.child);
  t.same(soundAndCounted(db), { integrity: 'ok', orphans: 0 }, 'the half-written fleet is listed for deletion');

  const second = await start(db);
  t.teardown(() => kill(second.child));
  t.equal(await total(second.url), 3, 'the old fleet, whole');

  const seen = new Set<number>();
  const generating = fetch(`${second.url}/_mock/projects/p/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"count": 30000}' });
  const readers = Array.from({ length: 4 }, async () => {
    for (let i = 0; i < 30; i++) seen.add(await total(second.url));
  });
  await Promise.all([generating, ...readers]);
  seen.add(await total(second.url));
  t.ok([...seen].every((count) => count === 3 || count === 30000), `readers saw only ${[...seen].join(' and ')}`);
  t.ok(seen.has(30000), 'the new fleet in the end');
});
