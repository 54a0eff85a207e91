// Careless and hostile clients on a real socket: requests that never finish arriving, more
// connections than the cap, HTTP/1.1 without Host. Small timeouts and caps are set through the
// options, and every wait is for the server's own answer or close, never a stopwatch.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import t, { type Test } from 'tap';
import { startHssMock } from '../../src/index.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

interface RawAnswer {
  /** 0 when the server closed the connection without a word. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

function parseAnswer(received: string): RawAnswer {
  const [head = '', body = ''] = received.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(/^HTTP\/1\.[01] (\d+)/.exec(statusLine)?.[1] ?? 0), headers, body };
}

/** A connection that sends `text` (perhaps an unfinished request) and waits for the server to answer and close it. */
function openConnection(url: string, text = ''): { socket: Socket; connected: Promise<unknown>; answer: Promise<RawAnswer> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname, () => {
    if (text) socket.write(text);
  });
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  // A connection refused at accept may be reset rather than closed: either way, nothing came.
  socket.on('error', () => {});
  return { socket, connected: once(socket, 'connect'), answer: once(socket, 'close').then(() => parseAnswer(received)) };
}

function checkGatewayError(t: Test, answer: RawAnswer, status: number, message: string): void {
  t.equal(answer.status, status);
  const body = JSON.parse(answer.body);
  t.same(body, { error_code: 'APIGW.0201', error_msg: message, request_id: answer.headers['x-request-id'] }, 'the gateway body, with the X-Request-Id');
  t.match(body.request_id, /^[0-9a-f]{32}$/);
}

t.test('a request that stops arriving is answered 408 and closed; answers themselves are not bounded', async (t) => {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--log-level', 'error', '--headers-timeout', '200'], {
    env: { ...process.env, HSS_MOCK_REQUEST_TIMEOUT: '400' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(async () => {
    if (child.exitCode === null && child.kill('SIGTERM')) await once(child, 'exit');
  });
  const lines = createInterface({ input: child.stdout });
  const [banner] = (await once(lines, 'line')) as [string];
  const url = /listening on (\S+)/.exec(banner)![1]!;
  const logged: string[] = [];
  lines.on('line', (line) => logged.push(line));

  const bodyNeverSent = openConnection(url, 'POST /_mock/projects/p/hosts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{');
  const headersNeverFinished = openConnection(url, 'GET /v5/p/host-management/hosts HTTP/1.1\r\nHost: x\r\nX-Auth-Token: t\r\n');
  const nothingSent = openConnection(url);
  const apiBodyNeverSent = openConnection(url, 'GET /v5/p/host-management/hosts HTTP/1.1\r\nHost: x\r\nX-Auth-Token: t\r\nContent-Length: 100\r\n\r\nab');
  for (const connection of [bodyNeverSent, headersNeverFinished, nothingSent, apiBodyNeverSent]) {
    checkGatewayError(t, await connection.answer, 408, 'Request error: the request was not received in time');
  }

  // A delay longer than the request timeout: the request arrived whole, so its answer is awaited.
  const delayed = await fetch(`${url}/v5/p/host-management/hosts`, { headers: { 'X-Auth-Token': 't', 'X-Mock-Delay': '1000' } });
  t.equal(delayed.status, 200, 'a delayed answer is not cut by the request timeout');
  const hosts = (await (await fetch(`${url}/_mock/projects/p/hosts`)).json()) as unknown[];
  t.equal(hosts.length, 50, 'still serving, and the unfinished write wrote nothing');
  child.kill('SIGTERM');
  t.equal((await once(child, 'exit'))[0], 0);
  t.same(logged, [], 'a request cut short is not an internal failure: nothing logged at error');
});

t.test('past --max-connections a new connection is closed at once; the others are served, and freed slots are used again', async (t) => {
  const mock = await startHssMock({ maxConnections: 2 });
  t.teardown(() => mock.close());
  const stalled = [];
  for (let i = 0; i < 2; i++) {
    const connection = openConnection(mock.url, 'GET /v5/p/host-management/hosts HTTP/1.1\r\nHost: x\r\nX-Auth-Token: t\r\nX-Mock-Fault: stall\r\n\r\n');
    await connection.connected;
    stalled.push(connection);
  }
  // Connections are accepted in the order they were made: this is the third.
  const refused = openConnection(mock.url, '');
  t.same(await refused.answer, { status: 0, headers: {}, body: '' }, 'closed without a word');
  for (const { socket, answer } of stalled) {
    socket.destroy();
    await answer;
  }
  // The server sees the stalled clients go when it next reads their sockets; until then a new
  // connection may still be refused. Ask until one is served.
  let status = 0;
  while (status !== 200) status = (await fetch(`${mock.url}/_mock/health`).catch(() => ({ status: 0 }))).status;
  t.equal(status, 200, 'serving again');
});

t.test('an HTTP/1.1 request without Host: 400 in the gateway body (HTTP/1.0 may leave it out)', async (t) => {
  const mock = await startHssMock();
  t.teardown(() => mock.close());
  const withoutHost = openConnection(mock.url, 'GET /v5/p/host-management/hosts HTTP/1.1\r\nX-Auth-Token: t\r\nConnection: close\r\n\r\n');
  checkGatewayError(t, await withoutHost.answer, 400, 'Request error: the Host header is missing');
  const old = await openConnection(mock.url, 'GET /v5/p/host-management/hosts?enterprise_project_id=all_granted_eps HTTP/1.0\r\nX-Auth-Token: t\r\n\r\n').answer;
  t.equal(old.status, 200);
  t.equal(JSON.parse(old.body).total_num, 50);
});
