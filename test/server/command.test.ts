// The real command, started on a free port and requested over HTTP on a real socket.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import t from 'tap';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
/** The command as installed (`bin`, `npm start`, the image): the same code bundled into one file. */
const BUNDLE = new URL('../../dist/bundle/hss-mock.mjs', import.meta.url).pathname;

interface Running {
  child: ChildProcess;
  url: string;
  banner: string;
  /** Every line printed after the banner so far. */
  logLines: () => string[];
  stderr: () => string;
}

/** Starts `hss-mock` with arguments and waits for the line that says where it listens. */
async function start(t: { teardown(fn: () => unknown): void }, args: string[], env: Record<string, string> = {}, entry = CLI): Promise<Running> {
  const child = spawn(process.execPath, [entry, '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // SIGTERM, not SIGKILL: the command then exits normally, and its coverage is counted.
  t.teardown(async () => {
    if (child.exitCode === null && child.kill('SIGTERM')) await once(child, 'exit');
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
  if (!url) throw new Error(`unexpected first line: ${line}`);
  const logLines: string[] = [];
  lines.on('line', (logLine) => logLines.push(logLine));
  return { child, url, banner: line, logLines: () => logLines, stderr: () => stderr };
}

/** A raw HTTP GET, so that header sizes are exactly what the test sends. */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends raw bytes on a socket and reads the answer until the server closes the connection. */
function rawExchange(url: string, text: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, body = ''] = received.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head!)?.[1]), body });
    });
  });
}

/** Runs the command to its end. */
async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

t.test('serves hosts over HTTP, then stops cleanly on SIGTERM', async (t) => {
  const { child, url, banner } = await start(t, ['--hosts', '12', '--seed', '3']);
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'listens on loopback by default');
  t.match(banner, /12 generated hosts per project, seed 3; any X-Auth-Token; AK\/SK: the development pair HSSMOCKDEVELOPMENTAK \/ hss-mock-development-secret-key-00000000; data in memory\), web console at http:\/\/127\.0\.0\.1:\d+\/_mock\/ui\/$/);
  t.equal(/web console at (\S+)$/.exec(banner)?.[1], `${url}/_mock/ui/`);
  const ui = await get(`${url}/_mock/ui/`, {});
  t.equal(ui.status, 200, 'the console is where the banner says');
  t.match(ui.body, /<title>hss-mock console<\/title>/);
  const answer = await get(`${url}/v5/my-project/host-management/hosts?enterprise_project_id=all_granted_eps&limit=5`, { 'X-Auth-Token': 'anything' });
  t.equal(answer.status, 200);
  t.match(answer.headers['content-type'], /^application\/json/);
  t.match(answer.headers['x-request-id'], /^[0-9a-f]{32}$/);
  const body = JSON.parse(answer.body);
  t.equal(body.total_num, 12);
  t.equal(body.data_list.length, 5);
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  t.equal(code, 0, 'exit code 0');
});

t.test('a token of the documented 32768 characters works over a real socket; a larger header block is a 494', async (t) => {
  const { url } = await start(t, []);
  const hosts = `${url}/v5/p/host-management/hosts`;
  const full = await get(hosts, { 'X-Auth-Token': 't'.repeat(32768), 'User-Agent': 'x'.repeat(2000) });
  t.equal(full.status, 200);
  const huge = await get(hosts, { 'X-Auth-Token': 't', 'X-Padding': 'p'.repeat(70 * 1024) });
  t.equal(huge.status, 494);
  const body = JSON.parse(huge.body);
  t.same(body, { error_code: 'APIGW.0201', error_msg: 'Request error: the request headers are too large', request_id: huge.headers['x-request-id'] });
  const after = await get(hosts, { 'X-Auth-Token': 't' });
  t.equal(after.status, 200, 'still serving afterwards');
});

t.test('--token and its twin restrict the accepted tokens', async (t) => {
  const { url } = await start(t, ['--token', 'good'], { HSS_MOCK_TOKEN: 'ignored-when-the-flag-is-given' });
  const hosts = `${url}/v5/p/host-management/hosts`;
  t.equal((await get(hosts, { 'X-Auth-Token': 'good' })).status, 200);
  t.equal((await get(hosts, { 'X-Auth-Token': 'ignored-when-the-flag-is-given' })).status, 401);
  const { url: url2 } = await start(t, [], { HSS_MOCK_TOKEN: 'env-token' });
  t.equal((await get(`${url2}/v5/p/host-management/hosts`, { 'X-Auth-Token': 'env-token' })).status, 200);
  t.equal((await get(`${url2}/v5/p/host-management/hosts`, { 'X-Auth-Token': 'other' })).status, 401);
});

t.test('listens where --host says, and says what it serves', async (t) => {
  const { url, banner } = await start(t, ['--host', '::1', '--token', 'a', '--token', 'b', '--credentials', 'AK:SK']);
  t.match(url, /^http:\/\/\[::1\]:\d+$/);
  t.match(banner, /2 configured token\(s\); 1 configured AK\/SK pair\(s\); data in memory/);
  t.notMatch(banner, /SK\b.*SK\b/, 'no secret printed');
  t.equal((await get(`${url}/v5/p/host-management/hosts`, { 'X-Auth-Token': 'b' })).status, 200);
});

t.test('--fixtures serves the fixture', async (t) => {
  const { url } = await start(t, ['--fixtures', new URL('../../fixtures/seed-example.json', import.meta.url).pathname]);
  const answer = await get(`${url}/v5/p/host-management/hosts?enterprise_project_id=all_granted_eps`, { 'X-Auth-Token': 't' });
  t.equal(JSON.parse(answer.body).data_list[0].host_id, 'caa958ad-a481-4d46-b51e-6861b8864515');
});

t.test('bad options and fixtures stop it with one line and exit code 2', async (t) => {
  for (const [args, message] of [
    [['--port', 'x'], /^hss-mock: --port must be an integer from 0 to 65535 \(got "x"\)\n$/],
    [['--fixtures', '/nonexistent/hosts.json'], /^hss-mock: \/nonexistent\/hosts\.json: no such file or folder\n$/],
    [['--nope'], /^hss-mock: Unknown option '--nope'; see --help\n$/],
  ] as const) {
    const { code, stdout, stderr } = await run([...args]);
    t.equal(code, 2, args.join(' '));
    t.match(stderr, message);
    t.equal(stdout, '', 'nothing served or printed');
  }
});

t.test('a port in use stops it with one line', async (t) => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.teardown(() => blocker.close());
  const { port } = blocker.address() as { port: number };
  const { code, stderr } = await run(['--port', String(port)]);
  t.equal(code, 2);
  t.match(stderr, new RegExp(`^hss-mock: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*\\n$`));
});

t.test('--help and --version', async (t) => {
  const help = await run(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Usage: hss-mock \[options\]/);
  const version = await run(['--version']);
  t.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

t.test('a request that is not HTTP gets the gateway 400, and the server keeps serving', async (t) => {
  const { url } = await start(t, []);
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.end('NOT HTTP AT ALL\r\n\r\n');
  let raw = '';
  for await (const chunk of socket) raw += chunk;
  t.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
  const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
  t.same(Object.keys(body), ['error_code', 'error_msg', 'request_id']);
  t.same([body.error_code, body.error_msg], ['APIGW.0201', 'Request error: the request could not be parsed']);
  t.match(raw, new RegExp(`X-Request-Id: ${body.request_id}\r\n`));
  t.equal((await get(`${url}/v5/p/host-management/hosts`, { 'X-Auth-Token': 't' })).status, 200);
});

t.test('generate prints a fixture file: the fleet a fresh start serves, served back verbatim', async (t) => {
  const keyed = await run(['generate', '--count', '8', '--seed', '5', '--project', 'proj']);
  t.equal(keyed.code, 0);
  const file = JSON.parse(keyed.stdout);
  t.same(Object.keys(file), ['proj']);
  t.equal(file.proj.total_num, 8);

  const fresh = await start(t, ['--hosts', '8', '--seed', '5']);
  const freshHosts = JSON.parse((await get(`${fresh.url}/_mock/projects/proj/hosts`, {})).body);
  t.same(file.proj.data_list, freshHosts, 'the same hosts as `--hosts 8 --seed 5` serves to proj');

  const everyProject = await run(['generate', '--count', '3']);
  const saved = JSON.parse(everyProject.stdout);
  t.same(Object.keys(saved), ['total_num', 'data_list']);
  const dir = mkdtempSync(join(tmpdir(), 'hss-mock-generate-'));
  writeFileSync(join(dir, 'fleet.json'), everyProject.stdout);
  const served = await start(t, ['--fixtures', join(dir, 'fleet.json')]);
  const answer = JSON.parse((await get(`${served.url}/v5/anyone/host-management/hosts?enterprise_project_id=all_granted_eps&get_common_login_locations=true`, { 'X-Auth-Token': 't' })).body);
  // A query without incluster leaves out node_runtime_info, as HSS does; the rest is as printed.
  const withoutRuntimes = saved.data_list.map(({ node_runtime_info: _, ...host }: Record<string, unknown>) => host);
  t.strictSame(answer, { ...saved, data_list: withoutRuntimes }, 'loaded as fixtures, it is served exactly as printed');
  const stored = JSON.parse((await get(`${served.url}/_mock/projects/anyone/hosts`, {})).body);
  t.strictSame(stored, saved.data_list, 'and stored exactly as printed');
});

t.test('generate stops quietly when its reader does', async (t) => {
  const child = spawn(process.execPath, [CLI, 'generate', '--count', '200000']);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.once('data', () => child.stdout.destroy());
  const [code] = await once(child, 'exit');
  t.equal(code, 0);
  t.equal(stderr, '');
});

t.test('logs one JSON line a request, at info by default; never a secret', async (t) => {
  const { child, url, logLines } = await start(t, ['--admin-token', 'admin-secret']);
  await get(`${url}/v5/p/host-management/hosts?limit=1`, { 'X-Auth-Token': 'token-secret-1' });
  await get(`${url}/v5/p/host-management/hosts`, { Authorization: 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=' + 'a'.repeat(64), 'X-Sdk-Date': '20260101T000000Z' });
  await get(`${url}/_mock/requests`, { Authorization: 'Bearer admin-secret' });
  child.kill('SIGTERM');
  await once(child, 'exit');
  const entries = logLines().map((line) => JSON.parse(line) as Record<string, unknown>);
  const requests = entries.filter((entry) => entry.msg === 'request');
  t.equal(requests.length, 3, 'one line for each request');
  t.match(requests[0], { level: 30, method: 'GET', url: '/v5/p/host-management/hosts?limit=1', status: 200, ms: Number, reqId: /^[0-9a-f]{32}$/ });
  t.match(requests[1], { status: 401, error_code: 'APIGW.0303' });
  t.notMatch(logLines().join('\n'), /token-secret-1|admin-secret|aaaaaaaa/, 'no token, signature or admin token');
});

t.test('--log-level warn: no request lines', async (t) => {
  const { child, url, logLines } = await start(t, ['--log-level', 'warn']);
  await get(`${url}/v5/p/host-management/hosts`, { 'X-Auth-Token': 't' });
  child.kill('SIGTERM');
  await once(child, 'exit');
  t.same(logLines(), []);
});

t.test('the installed command, one bundled file, finds what it loads and reads beside it', async (t) => {
  const { child, url } = await start(t, ['--hosts', '3'], {}, BUNDLE);
  t.equal(JSON.parse((await get(`${url}/v5/p/host-management/hosts?enterprise_project_id=all_granted_eps`, { 'X-Auth-Token': 't' })).body).total_num, 3, 'better-sqlite3, outside the bundle');
  t.match((await get(`${url}/_mock/ui/`, {})).body, /<title>hss-mock console<\/title>/, "the console's files");
  const openapi = JSON.parse((await get(`${url}/_mock/openapi.json`, {})).body);
  t.equal(openapi.info.version, JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version, 'the OpenAPI generator, and the version from package.json');
  child.kill('SIGTERM');
  t.equal((await once(child, 'exit'))[0], 0);
});

for (const [entry, name] of [
  [CLI, 'dist/cli.js'],
  [BUNDLE, 'the bundle'],
] as const) {
  t.test(`on a terminal, logs are pretty: one readable line a request (${name})`, async (t) => {
    const child = spawn('script', ['-qfec', `${process.execPath} ${entry} --port 0 --hosts 1`, '/dev/null'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    while (!/listening on (http:\/\/\S+)/.test(output)) await once(child.stdout, 'data');
    const url = /listening on (http:\/\/\S+)/.exec(output)![1]!;
    await get(`${url}/v5/p/host-management/hosts`, { 'X-Auth-Token': 't' });
    while (!/hosts 200/.test(output)) await once(child.stdout, 'data');
    child.kill('SIGTERM');
    await once(child, 'exit');
    const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
    t.match(plain, /\] INFO: GET \/v5\/p\/host-management\/hosts 200 [\d.]+ms \{"reqId":"[0-9a-f]{32}"\}/);
  });
}

t.test('limits on a real socket: a URI too long is a 414, a control body too large a 413; the server stays up', async (t) => {
  const { url } = await start(t, []);
  const long = await get(`${url}/v5/p/host-management/hosts?host_name=${'x'.repeat(40 * 1024)}`, { 'X-Auth-Token': 't' });
  t.equal(long.status, 414);
  t.same(JSON.parse(long.body), { error_code: 'APIGW.0201', error_msg: 'Request error: the request URI is too long', request_id: long.headers['x-request-id'] });
  // The body is declared, not sent: the server refuses it from its length alone. (Sending 33 MiB
  // races the server's close: the client may still be writing when the answer comes.)
  const huge = await rawExchange(
    url,
    `POST /_mock/projects/p/hosts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${33 * 1024 * 1024}\r\n\r\n`,
  );
  t.equal(huge.status, 413);
  t.match(JSON.parse(huge.body), { error_code: 'APIGW.0201', error_msg: 'Request error: the body is too large' });
  t.equal((await get(`${url}/v5/p/host-management/hosts`, { 'X-Auth-Token': 't' })).status, 200, 'still serving');
  t.equal((await fetch(`${url}/_mock/projects/p/hosts`)).status, 200, 'and nothing was written');
});

t.test('secrets never reach the logs or the journal', async (t) => {
  const secrets = ['token-secret-42', 'SECRETKEYVALUE123', 'temporary-security-token-7', 'admin-secret-9'];
  const { child, url, banner, logLines } = await start(t, [
    '--log-level', 'trace',
    '--token', secrets[0]!,
    '--credentials', `MYAK:${secrets[1]}`,
    '--admin-token', secrets[3]!,
  ]);
  const signed = 'SDK-HMAC-SHA256 Access=MYAK, SignedHeaders=x-sdk-date;x-security-token, Signature=' + 'f'.repeat(64);
  await get(`${url}/v5/p/host-management/hosts`, { 'X-Auth-Token': secrets[0]! });
  await get(`${url}/v5/p/host-management/hosts`, { Authorization: signed, 'X-Sdk-Date': new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, ''), 'X-Security-Token': secrets[2]! });
  await get(`${url}/v5/p/host-management/hosts?limit=abc`, { 'X-Auth-Token': 'wrong-token-but-still-secret' });
  const journal = await get(`${url}/_mock/requests`, { Authorization: `Bearer ${secrets[3]}` });
  t.equal(journal.status, 200);
  child.kill('SIGTERM');
  await once(child, 'exit');
  const everything = [banner, ...logLines(), journal.body].join('\n');
  t.ok(logLines().length >= 4, 'there were log lines to look at');
  for (const secret of [...secrets, 'wrong-token-but-still-secret', 'f'.repeat(64)]) t.notOk(everything.includes(secret), `${secret.slice(0, 8)}… appears nowhere`);
});

t.test('a --faults file over the maximum of rules stops it with one line and exit code 2', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'hss-mock-faults-')), 'faults.json');
  writeFileSync(file, JSON.stringify(Array.from({ length: 200_000 }, () => ({ action: 'reset' }))));
  const { code, stdout, stderr } = await run(['--faults', file]);
  t.equal(code, 2);
  t.equal(stderr, `hss-mock: ${file}: There can be at most 1000 fault rules; 200000 were given\n`);
  t.equal(stdout, '');
});
