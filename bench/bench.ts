// npm run bench [-- --hosts N --seconds S --big N --smoke]: loads hss-mock and the ceiling (bare
// Fastify with prebuilt pages) with autocannon on loopback, and prints a table of figures, with
// the ratio of each scenario to the ceiling, measured in the same run. Bounded in time; exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { DEVELOPMENT_KEY } from '../src/auth/auth.js';
import { expectedSignature, formatSdkDate, EMPTY_BODY_SHA256 } from '../src/auth/signature.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    big: { type: 'string', default: '2000000' },
    smoke: { type: 'boolean', default: false },
  },
});
const smoke = values.smoke;
const FLEET = smoke ? 2000 : Number(values.hosts);
const SECONDS = smoke ? 1 : Number(values.seconds);
const BIG = smoke ? 20000 : Number(values.big);
const CONNECTIONS = 10;
/** Each scenario alternates the ceiling and hss-mock this many times; the medians are compared. */
const ROUNDS = smoke ? 1 : 3;
const PROJECT = 'bench';
const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const CEILING = new URL('./ceiling.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'hss-mock-bench-'));

interface Server {
  child: ChildProcess;
  url: string;
}

/** Starts a server process and waits for the line that gives its URL. */
async function startServer(script: string, args: string[]): Promise<Server> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const url = /(http:\/\/[^\s)]+)/.exec(line)![1]!;
  return { child, url };
}

async function stop({ child }: Server): Promise<void> {
  child.kill('SIGTERM');
  if (child.exitCode === null) await once(child, 'exit');
}

/** The peak and current resident memory of a process, in MiB (Linux). */
function memory(pid: number): { peak: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
  return { peak: kib('VmHWM'), rss: kib('VmRSS') };
}

const TOKEN = { 'X-Auth-Token': 'bench-token' };
/** The offsets scenario 8 walks through: within the default query's matches. */
let OFFSETS = 1;

async function getJson(url: string): Promise<{ total_num: number }> {
  const response = await fetch(url, { headers: TOKEN });
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as { total_num: number };
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** How each request of a run differs: a fresh AK/SK signature, or a different offset (so no page is served twice). */
type Variation = 'none' | 'sign' | 'offsets';

/** autocannon on loopback. */
async function load(url: string, path: string, seconds = SECONDS, variation: Variation = 'none'): Promise<Load> {
  let nextOffset = 0;
  const request =
    variation === 'offsets'
      ? { setupRequest: (req: autocannon.Request) => ({ ...req, path: `${path}&offset=${(nextOffset = (nextOffset + 7919) % OFFSETS)}` }) }
      : variation === 'sign'
    ? {
        setupRequest: (req: autocannon.Request) => {
          const headers: Record<string, string> = { 'x-sdk-date': formatSdkDate(Date.now()) };
          const signature = expectedSignature({ method: 'GET', url: req.path!, headers, bodySha256: EMPTY_BODY_SHA256 }, ['x-sdk-date'], DEVELOPMENT_KEY.secretKey);
          return {
            ...req,
            headers: { ...headers, authorization: `SDK-HMAC-SHA256 Access=${DEVELOPMENT_KEY.accessKey}, SignedHeaders=x-sdk-date, Signature=${signature}` },
          };
        },
      }
    : {};
  const result = await autocannon({
    url: `${url}${path}`,
    connections: CONNECTIONS,
    duration: seconds,
    headers: variation === 'sign' ? {} : TOKEN,
    requests: [{ method: 'GET', path, ...request }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx + result.timeouts };
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Process start to the first 200 from the hosts API, with default options. */
async function startupTime(): Promise<number> {
  const started = performance.now();
  const server = await startServer(CLI, ['--port', '0', '--log-level', 'silent']);
  await getJson(`${server.url}/v5/p/host-management/hosts`);
  const elapsed = performance.now() - started;
  await stop(server);
  return elapsed;
}

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const fixed = (value: number, digits = 0) => value.toFixed(digits);
const percent = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

async function main(): Promise<void> {
  const lines: string[] = [];
  const print = (line = '') => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  print(`hss-mock benchmark: ${cpus().length} × ${cpus()[0]!.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}`);
  print(`${FLEET} hosts in one project, ${CONNECTIONS} connections, ${SECONDS} s a scenario for each server in ${ROUNDS} alternating rounds${smoke ? ' (smoke run)' : ''}`);
  print();

  // hss-mock, built, with the fleet generated before measuring.
  const mock = await startServer(CLI, ['--port', '0', '--hosts', String(FLEET), '--log-level', 'silent']);
  const hosts = `/v5/${PROJECT}/host-management/hosts`;
  const defaultTotal = (await getJson(`${mock.url}${hosts}?limit=0`)).total_num;
  const nameQuery = 'host_name=k8s-node-prod';
  const nameMatches = (await getJson(`${mock.url}${hosts}?${nameQuery}&limit=0`)).total_num;

  // The ceiling serves the same hosts, prebuilt.
  const pagesFile = join(work, 'pages.json');
  const page = async (limit: number) => (await fetch(`${mock.url}${hosts}?limit=${limit}`, { headers: TOKEN })).text();
  writeFileSync(pagesFile, JSON.stringify({ 10: await page(10), 200: await page(200) }));
  const ceiling = await startServer(CEILING, [pagesFile]);

  OFFSETS = defaultTotal - 10;
  const scenarios: [string, string, Variation, 10 | 200][] = [
    ['1. default page (limit=10)', '', 'none', 10],
    ['2. two enum filters', 'agent_status=online&os_type=Linux', 'none', 10],
    [`3. host_name substring (${((nameMatches / FLEET) * 100).toFixed(1)}% match)`, nameQuery, 'none', 10],
    ['4. limit=200', 'limit=200', 'none', 200],
    [`5. deep page (offset ${Math.floor(defaultTotal * 0.9)} of ${defaultTotal})`, `offset=${Math.floor(defaultTotal * 0.9)}`, 'none', 10],
    ['6. all_granted_eps + one filter', 'enterprise_project_id=all_granted_eps&os_type=Windows', 'none', 10],
    ['7. AK/SK-signed, fresh signature each', '', 'sign', 10],
    ['8. a new page each request (no page remembered)', 'limit=10', 'offsets', 10],
  ];

  // Warm both up, hss-mock on every scenario, so that what it keeps (counts, pages) is there
  // before memory is measured. Then each scenario alternates the ceiling and hss-mock in rounds,
  // so that both see the same machine (other load, CPU clock) and the ratio compares like with like.
  // A smoke run skips warming up: autocannon runs for whole seconds, and a smoke run only checks
  // that every figure can still be measured.
  if (!smoke) {
    for (const [, query, variation] of scenarios) await load(mock.url, query ? `${hosts}?${query}` : hosts, 2, variation);
    await load(ceiling.url, hosts, 2);
  }
  const memoryAfterWarmUp = memory(mock.child.pid!).rss;

  print(row(['scenario', 'hss-mock req/s', 'p50 ms', 'p99 ms', 'errors', 'ceiling req/s', 'ratio']));
  print(row(['---', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const [name, query, variation, pageSize] of scenarios) {
    const ceilingRounds: Load[] = [];
    const mockRounds: Load[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ceilingRounds.push(await load(ceiling.url, `${hosts}?limit=${pageSize}`, SECONDS / ROUNDS));
      mockRounds.push(await load(mock.url, query ? `${hosts}?${query}` : hosts, SECONDS / ROUNDS, variation));
    }
    const rps = median(mockRounds.map((result) => result.rps));
    const top = median(ceilingRounds.map((result) => result.rps));
    const p50 = median(mockRounds.map((result) => result.p50));
    const p99 = Math.max(...mockRounds.map((result) => result.p99));
    const errors = mockRounds.reduce((sum, result) => sum + result.errors, 0);
    print(row([name, fixed(rps), p50, p99, errors, fixed(top), percent(rps / top)]));
  }
  const memoryAtEnd = memory(mock.child.pid!).rss;
  print();
  print(`Memory of hss-mock while serving: ${fixed(memoryAfterWarmUp)} MiB ${smoke ? 'before the first load (a smoke run has no warm-up)' : 'after warm-up'}, ${fixed(memoryAtEnd)} MiB at the end (${percent(memoryAtEnd / memoryAfterWarmUp - 1)} growth)`);
  await stop(ceiling);
  await stop(mock);

  const startups: number[] = [];
  for (let i = 0; i < (smoke ? 2 : 5); i++) startups.push(await startupTime());
  print(`Start-up to first answer (default options): median ${fixed(median(startups))} ms of ${startups.length} (${startups.map((ms) => fixed(ms)).join(', ')})`);

  // A fleet of BIG hosts in a database file: generation time and peak memory, then latencies.
  const db = join(work, 'big.db');
  const big = await startServer(CLI, ['--port', '0', '--hosts', String(BIG), '--db', db, '--log-level', 'silent']);
  const generationStarted = performance.now();
  const bigTotal = (await getJson(`${big.url}${hosts}?limit=0&enterprise_project_id=all_granted_eps`)).total_num;
  const generationSeconds = (performance.now() - generationStarted) / 1000;
  const peak = memory(big.child.pid!).peak;
  print(`Generating ${bigTotal} hosts (--db FILE): ${fixed(generationSeconds, 1)} s, peak memory ${fixed(peak)} MiB`);
  // The first answers at this size, before anything is remembered: a count over two million rows.
  const firstStarted = performance.now();
  const bigDefault = (await getJson(`${big.url}${hosts}?limit=0`)).total_num;
  const firstCount = performance.now() - firstStarted;
  const firstNameStarted = performance.now();
  await getJson(`${big.url}${hosts}?${nameQuery}`);
  print(`First answers at that size, before any count is remembered: ${fixed(firstCount)} ms (default query), ${fixed(performance.now() - firstNameStarted)} ms (host_name substring)`);
  print();
  print(row([`at ${bigTotal} hosts`, 'req/s', 'p50 ms', 'p99 ms', 'errors']));
  print(row(['---', '---:', '---:', '---:', '---:']));
  for (const [name, query] of [
    ['1. default page', ''],
    ['3. host_name substring', nameQuery],
    [`5. deep page (offset ${Math.floor(bigDefault * 0.9)})`, `offset=${Math.floor(bigDefault * 0.9)}`],
  ] as const) {
    if (!smoke) await load(big.url, query ? `${hosts}?${query}` : hosts, 1);
    const result = await load(big.url, query ? `${hosts}?${query}` : hosts, smoke ? 1 : 5);
    print(row([name, fixed(result.rps), result.p50, result.p99, result.errors]));
  }
  await stop(big);
  writeFileSync(join(work, 'report.md'), `${lines.join('\n')}\n`);
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
