// Stopping: SIGTERM cuts delays and stalls short and exits 0; `npm start` and the command npm
// starts through a shell (as `npx hss-mock` does) stop with the signal npm receives.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import t from 'tap';

const REPO = new URL('../../', import.meta.url).pathname;
const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

/** The URL of the banner line, once printed (npm may print lines of its own first). The output keeps being read. */
function bannerUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      if (url) resolve(url);
    });
    lines.on('close', () => reject(new Error('the command ended without a banner')));
  });
}

/** Whether something listens at the URL's port. */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function stopOnTeardown(t: { teardown(fn: () => unknown): void }, child: ChildProcess): void {
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null && child.kill('SIGTERM')) await once(child, 'exit');
  });
}

t.test('SIGTERM answers a delayed request at once, drops a stalled one, and exits 0', async (t) => {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'inherit'] });
  stopOnTeardown(t, child);
  const url = await bannerUrl(child);
  const rules = [
    { action: 'delay', delay_ms: 30_000, query: { limit: '1' } },
    { action: 'stall', query: { limit: '2' } },
  ];
  await fetch(`${url}/_mock/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rules) });
  const hosts = `${url}/v5/p/host-management/hosts`;
  const delayed = fetch(`${hosts}?limit=1`, { headers: { 'X-Auth-Token': 't' } });
  const stalled = fetch(`${hosts}?limit=2`, { headers: { 'X-Auth-Token': 't' } }).then((response) => response.status, () => 'dropped');
  // Both are in flight once both rules have fired.
  const fired = async () => ((await (await fetch(`${url}/_mock/faults`)).json()) as { faults: { fired: number }[] }).faults.map((rule) => rule.fired);
  while ((await fired()).join() !== '1,1') continue;
  child.kill('SIGTERM');
  const answer = await delayed;
  t.equal(answer.status, 200, 'the delayed request is answered, without the rest of its delay');
  // Left open, the idle keep-alive connection would hold the close until its timeout.
  t.equal(answer.headers.get('connection'), 'close', 'the answer ends its connection');
  t.equal(await stalled, 'dropped');
  const [code] = await once(child, 'exit');
  t.equal(code, 0, 'exit code 0: not killed by the 10-second grace timeout');
});

t.test('npm start stops with the SIGTERM npm receives', async (t) => {
  // --ignore-scripts: only the start script, not the build before it (other tests use dist/).
  const npm = spawn('npm', ['start', '--ignore-scripts', '--', '--port', '0', '--log-level', 'silent'], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  stopOnTeardown(t, npm);
  const url = await bannerUrl(npm);
  t.ok(await listening(url));
  npm.kill('SIGTERM');
  const [code] = await once(npm, 'exit');
  t.equal(code, 0);
  t.notOk(await listening(url), 'the emulator is gone when npm is');
});

t.test('started by npm through a shell that dies of the signal, the command stops too', async (t) => {
  // What `npx hss-mock` does: npm runs `sh -c 'hss-mock ...'` and forwards SIGTERM to the shell
  // alone. `; true` keeps this shell from handing its process over to the command.
  const shell = spawn('sh', ['-c', `"${process.execPath}" "${CLI}" --port 0 --log-level silent; true`], {
    env: { ...process.env, npm_lifecycle_event: 'npx' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  stopOnTeardown(t, shell);
  const url = await bannerUrl(shell);
  // The command holds the other end of the shell's stdout: it ends when the command has exited.
  const commandGone = once(shell.stdout!, 'end');
  shell.kill('SIGTERM');
  await once(shell, 'exit');
  await commandGone;
  t.notOk(await listening(url), 'the emulator is gone');
});
