// npm run bench [-- --hosts N --seconds S --big N --smoke]: measures hss-mock as its users load it,
// each figure beside a baseline measured in the same run: the ceiling (bare Fastify answering
// prebuilt pages: the best this stack can do) and a naive anchor (Fastify + better-sqlite3, one
// COUNT and one page query a request). Loads run on loopback (autocannon, or a few concurrent
// clients where a scenario has steps), bounded in time; the script prints a report and exits.
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
import { seededRandom } from '../src/faults/faults.js';
import { variedQuery } from './varied.js';

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
/** Each scenario alternates the baseline and hss-mock this many times; the medians are compared. */
const ROUNDS = smoke ? 1 : 3;
const PROJECT = 'bench';
const HOSTS_PATH = `/v5/${PROJECT}/host-management/hosts`;
const CLI = new URL('../../dist/bundle/hss-mock.mjs', import.meta.url).pathname;
const CEILING = new URL('./ceiling.js', import.meta.url).pathname;
const NAIVE = new URL('./naive.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'hss-mock-bench-'));
const TOKEN = { 'X-Auth-Token': 'bench-token' };

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

async function getJson(url: string, init: RequestInit = { headers: TOKEN }): Promise<{ total_num: number }> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { total_num: number };
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** How each request of a run differs: a fresh AK/SK signature, a page of a walk, or a query of its own. */
type Variation = 'none' | 'sign' | 'walk' | 'varied';

/**
 * autocannon on loopback. `walk`: the next page each request (limit 20), over `pages` pages.
 * `varied`: queries drawn from `seed`, so that rounds given different seeds ask different things.
 */
async function load(url: string, path: string, seconds = SECONDS, variation: Variation = 'none', pages = 1, seed = 7): Promise<Load> {
  let page = 0;
  const random = seededRandom(seed);
  const setupRequest: ((req: autocannon.Request) => autocannon.Request) | undefined = {
    none: undefined,
    walk: (req: autocannon.Request) => ({ ...req, path: `${path}&limit=20&offset=${(page++ % pages) * 20}` }),
    varied: (req: autocannon.Request) => ({ ...req, path: `${HOSTS_PATH}?${variedQuery(random)}` }),
    sign: (req: autocannon.Request) => {
      const headers: Record<string, string> = { 'x-sdk-date': formatSdkDate(Date.now()) };
      const signature = expectedSignature({ method: 'GET', url: req.path!, headers, bodySha256: EMPTY_BODY_SHA256 }, ['x-sdk-date'], DEVELOPMENT_KEY.secretKey);
      return { ...req, headers: { ...headers, authorization: `SDK-HMAC-SHA256 Access=${DEVELOPMENT_KEY.accessKey}, SignedHeaders=x-sdk-date, Signature=${signature}` } };
    },
  }[variation];
  const result = await autocannon({
    url: `${url}${path}`,
    connections: CONNECTIONS,
    duration: seconds,
    headers: variation === 'sign' ? {} : TOKEN,
    requests: [{ method: 'GET', path, ...(setupRequest && { setupRequest }) }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx + result.timeouts };
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(numbers: number[], p: number): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

/** Polls the health check while `work` runs: how long its answers took. */
async function healthDuring<T>(url: string, work: Promise<T>): Promise<[T, number[]]> {
  const latencies: number[] = [];
  let done = false;
  const polling = (async () => {
    while (!done) {
      const [, ms] = await timed(() => fetch(`${url}/_mock/health`).then((response) => response.text()));
      latencies.push(ms);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const result = await work.finally(() => (done = true));
  await polling;
  return [result, latencies];
}

/** Filter combinations nobody asked for before: filters of the varied queries, with a seed of their own. */
function newFilters(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const query = new URLSearchParams(variedQuery(random));
    query.delete('limit');
    query.delete('offset');
    return query.toString();
  });
}

/** The first walks of never-seen filters: every page (limit 20, offset += 20, at most `maxPages`), one at a time. */
async function firstWalks(url: string, filters: string[], maxPages: number): Promise<{ pages: number; p50: number; p99: number; first: number[] }> {
  const latencies: number[] = [];
  const first: number[] = [];
  for (const filter of filters) {
    for (let offset = 0, pages = 0; pages < maxPages; offset += 20, pages++) {
      const [answer, ms] = await timed(() => getJson(`${url}${HOSTS_PATH}?${filter}&limit=20&offset=${offset}`));
      latencies.push(ms);
      if (offset === 0) first.push(ms);
      if (offset + 20 >= answer.total_num) break;
    }
  }
  return { pages: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), first };
}

/**
 * Arrange, then query, as an integration test does: each of `clients` clients PUTs 20 hosts into
 * a project of its own (never used before) and reads 4 pages, again and again for `seconds`.
 */
async function arrangeThenQuery(url: string, seconds: number, clients: number): Promise<{ cycles: number; put: number[]; get: number[] }> {
  const put: number[] = [];
  const get: number[] = [];
  const until = performance.now() + seconds * 1000;
  let project = 0;
  const hosts = JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ host_name: `it-host-${i}`, enterprise_project_id: '0' })));
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const id = `arrange-${project++}`;
        const [response, putMs] = await timed(() =>
          fetch(`${url}/_mock/projects/${id}/hosts`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: hosts }),
        );
        if (response.status !== 200) throw new Error(`PUT: ${response.status}`);
        await response.arrayBuffer();
        put.push(putMs);
        for (let page = 0; page < 4; page++) {
          const [, getMs] = await timed(() => getJson(`${url}/v5/${id}/host-management/hosts?limit=5&offset=${page * 5}`));
          get.push(getMs);
        }
      }
    }),
  );
  return { cycles: put.length, put, get };
}

/** Process start to the first 200 from the hosts API, with default options. */
async function startupTime(): Promise<number> {
  const started = performance.now();
  const server = await startServer(CLI, ['--port', '0', '--log-level', 'silent']);
  await getJson(`${server.url}${HOSTS_PATH}`);
  const elapsed = performance.now() - started;
  await stop(server);
  return elapsed;
}

/** A process's own start-up, for comparison: `node -e ''`. */
async function bareNodeTime(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return performance.now() - started;
}

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const fixed = (value: number, digits = 0) => value.toFixed(digits);
const percent = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

async function main(): Promise<void> {
  const print = (line = '') => process.stdout.write(`${line}\n`);
  const targets: [string, string, boolean][] = [];
  const target = (name: string, result: string, met: boolean) => targets.push([name, result, met]);
  print(`hss-mock benchmark: ${cpus().length} × ${cpus()[0]!.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}`);
  print(`${FLEET} hosts in one project, ${CONNECTIONS} connections, ${SECONDS} s a scenario for each server in ${ROUNDS} alternating rounds${smoke ? ' (smoke run)' : ''}`);
  print();

  // hss-mock, built, with the fleet made before measuring.
  const mock = await startServer(CLI, ['--port', '0', '--hosts', String(FLEET), '--log-level', 'silent']);
  const [, fleetMs] = await timed(() => getJson(`${mock.url}${HOSTS_PATH}?limit=0`));
  const defaultTotal = (await getJson(`${mock.url}${HOSTS_PATH}?limit=0`)).total_num;
  const nameQuery = 'host_name=k8s-node-prod';
  const nameMatches = (await getJson(`${mock.url}${HOSTS_PATH}?${nameQuery}&limit=0`)).total_num;

  const walkPages = Math.floor(defaultTotal / 20);
  const scenarios: [string, string, Variation, 10 | 200, number?][] = [
    ['1. default page (limit=10)', '', 'none', 10],
    ['2. two enum filters', 'agent_status=online&os_type=Linux', 'none', 10],
    [`3. host_name substring (${((nameMatches / FLEET) * 100).toFixed(1)}% match)`, nameQuery, 'none', 10],
    ['4. limit=200', 'limit=200', 'none', 200],
    [`5. deep page (offset ${Math.floor(defaultTotal * 0.9)} of ${defaultTotal})`, `offset=${Math.floor(defaultTotal * 0.9)}`, 'none', 10],
    ['6. all_granted_eps + one filter', 'enterprise_project_id=all_granted_eps&os_type=Windows', 'none', 10],
    ['7. AK/SK-signed, fresh signature each', '', 'sign', 10],
    [`8. a walk: the next page each request (limit=20, ${walkPages} pages)`, 'x=1', 'walk', 10, walkPages],
    [`9. sorted walk: sort_key=risk_num, the next page each request`, 'sort_key=risk_num', 'walk', 10, walkPages],
  ];
  const path = (query: string) => (query ? `${HOSTS_PATH}?${query}` : HOSTS_PATH);

  // The baselines serve the same hosts: the ceiling prebuilt pages (for each repeated query, the
  // answer hss-mock gives it; else the first page), the naive anchor a table of them.
  const pagesFile = join(work, 'pages.json');
  const answer = async (url: string) => (await fetch(`${mock.url}${url}`, { headers: TOKEN })).text();
  const byUrl = Object.fromEntries(await Promise.all(scenarios.filter(([, , variation]) => variation === 'none').map(async ([, query]) => [path(query), await answer(path(query))])));
  writeFileSync(pagesFile, JSON.stringify({ 10: await answer(`${HOSTS_PATH}?limit=10`), 200: await answer(`${HOSTS_PATH}?limit=200`), byUrl }));
  const ceiling = await startServer(CEILING, [pagesFile]);
  const hostsFile = join(work, 'hosts.json');
  writeFileSync(hostsFile, await (await fetch(`${mock.url}/_mock/projects/${PROJECT}/hosts`)).text());
  const naive = await startServer(NAIVE, [hostsFile]);

  // Warm both up on every scenario, so that what hss-mock keeps is there before memory is
  // measured; then each scenario alternates the ceiling and hss-mock in rounds, so that both see
  // the same machine. A smoke run skips warming up: it only checks every figure can be measured.
  if (!smoke) {
    for (const [, query, variation, , pages] of scenarios) await load(mock.url, path(query), 2, variation, pages);
    await load(ceiling.url, HOSTS_PATH, 2);
  }
  const memoryAfterWarmUp = memory(mock.child.pid!).rss;
  print(`Making the fleet of ${FLEET} hosts (first request): ${fixed(fleetMs)} ms`);
  print();
  print(row(['scenario', 'hss-mock req/s', 'p50 ms', 'p99 ms', 'errors', 'ceiling req/s', 'ratio']));
  print(row(['---', '---:', '---:', '---:', '---:', '---:', '---:']));
  const ratios = new Map<number, number>();
  for (const [index, [name, query, variation, pageSize, pages]] of scenarios.entries()) {
    const ceilingRounds: Load[] = [];
    const mockRounds: Load[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ceilingRounds.push(await load(ceiling.url, `${HOSTS_PATH}?limit=${pageSize}`, SECONDS / ROUNDS));
      mockRounds.push(await load(mock.url, path(query), SECONDS / ROUNDS, variation, pages));
    }
    const rps = median(mockRounds.map((result) => result.rps));
    const top = median(ceilingRounds.map((result) => result.rps));
    const errors = mockRounds.reduce((sum, result) => sum + result.errors, 0);
    ratios.set(index + 1, rps / top);
    print(row([name, fixed(rps), median(mockRounds.map((r) => r.p50)), Math.max(...mockRounds.map((r) => r.p99)), errors, fixed(top), percent(rps / top)]));
  }
  const memoryAtEnd = memory(mock.child.pid!).rss;
  print();
  print(`Memory of hss-mock while serving: ${fixed(memoryAfterWarmUp)} MiB ${smoke ? 'before the first load (a smoke run has no warm-up)' : 'after warm-up'}, ${fixed(memoryAtEnd)} MiB at the end`);
  for (const index of [1, 2, 4, 6]) target(`scenario ${index}: at least 50% of the ceiling`, percent(ratios.get(index)!), ratios.get(index)! >= 0.5);
  target('scenario 3 (host_name substring): at least 20% of the ceiling', percent(ratios.get(3)!), ratios.get(3)! >= 0.2);
  target('scenario 5 (deep page): at least 10% of the ceiling', percent(ratios.get(5)!), ratios.get(5)! >= 0.1);

  // Varied: every request a query of its own, hss-mock beside the naive anchor and the ceiling.
  print();
  print(row(['10. varied: every request a different query', 'req/s', 'p50 ms', 'p99 ms', 'errors']));
  print(row(['---', '---:', '---:', '---:', '---:']));
  const varied = { mock: [] as Load[], naive: [] as Load[], ceiling: [] as Load[] };
  // Each round draws its queries from a seed of its own: no round repeats an earlier one's.
  for (let round = 0; round < ROUNDS; round++) {
    varied.naive.push(await load(naive.url, HOSTS_PATH, SECONDS / ROUNDS, 'varied', 1, 100 + round));
    varied.ceiling.push(await load(ceiling.url, HOSTS_PATH, SECONDS / ROUNDS));
    varied.mock.push(await load(mock.url, HOSTS_PATH, SECONDS / ROUNDS, 'varied', 1, 100 + round));
  }
  const summary = (rounds: Load[]) => ({ rps: median(rounds.map((r) => r.rps)), p50: median(rounds.map((r) => r.p50)), p99: Math.max(...rounds.map((r) => r.p99)), errors: rounds.reduce((sum, r) => sum + r.errors, 0) });
  const [variedMock, variedNaive, variedCeiling] = [summary(varied.mock), summary(varied.naive), summary(varied.ceiling)];
  for (const [name, result] of [['hss-mock', variedMock], ['naive anchor (COUNT + page query each request)', variedNaive], ['ceiling (prebuilt pages)', variedCeiling]] as const) {
    print(row([name, fixed(result.rps), result.p50, result.p99, result.errors]));
  }
  print(`hss-mock: ${(variedMock.rps / variedNaive.rps).toFixed(1)}× the naive anchor, ${percent(variedMock.rps / variedCeiling.rps)} of the ceiling`);
  target('10. varied: at least 2× the naive anchor', `${(variedMock.rps / variedNaive.rps).toFixed(1)}×`, variedMock.rps >= 2 * variedNaive.rps);
  target('10. varied: p99 under 25 ms', `${variedMock.p99} ms`, variedMock.p99 < 25);
  await stop(naive);
  await stop(ceiling);

  // First walks of never-seen filters, page by page.
  const walks = await firstWalks(mock.url, newFilters(11, smoke ? 5 : 40), 100);
  print();
  print(`11. First walks of ${smoke ? 5 : 40} never-seen filter combinations at ${FLEET} hosts (limit=20, offset += 20, up to 100 pages each): ${walks.pages} pages, p50 ${fixed(walks.p50, 1)} ms, p99 ${fixed(walks.p99, 1)} ms`);
  target(`11. first walk at ${FLEET} hosts: p99 of a page under 5 ms`, `${fixed(walks.p99, 1)} ms`, walks.p99 < 5);

  // Arrange, then query.
  const arranged = await arrangeThenQuery(mock.url, smoke ? 1 : SECONDS, CONNECTIONS);
  print(
    `12. Arrange, then query (${CONNECTIONS} clients, each PUTs 20 hosts into a project of its own, then reads 4 pages): ${arranged.cycles} cycles, PUT p50 ${fixed(percentile(arranged.put, 50), 1)} ms, p99 ${fixed(percentile(arranged.put, 99), 1)} ms; page p99 ${fixed(percentile(arranged.get, 99), 1)} ms`,
  );
  target('12. arrange, then query: p99 of the PUT under 20 ms', `${fixed(percentile(arranged.put, 99), 1)} ms`, percentile(arranged.put, 99) < 20);
  await stop(mock);

  // Start-up.
  const startups: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < (smoke ? 2 : 5); i++) {
    startups.push(await startupTime());
    bare.push(await bareNodeTime());
  }
  print();
  print(`13. Start-up to the first API answer (default options): median ${fixed(median(startups))} ms of ${startups.length} (${startups.map((ms) => fixed(ms)).join(', ')}); a bare \`node -e ''\`: ${fixed(median(bare))} ms`);
  target('13. start-up to the first answer under 300 ms', `${fixed(median(startups))} ms`, median(startups) < 300);

  // Two million hosts in a database file: generation, then first answers and walks at that size.
  const db = join(work, 'big.db');
  const big = await startServer(CLI, ['--port', '0', '--hosts', String(BIG), '--db', db, '--log-level', 'silent']);
  const [bigTotal, generationMs] = await timed(async () => (await getJson(`${big.url}${HOSTS_PATH}?limit=0&enterprise_project_id=all_granted_eps`)).total_num);
  const bigPeak = memory(big.child.pid!).peak;
  print();
  print(`14. Generating ${bigTotal} hosts (--db FILE, first request): ${fixed(generationMs / 1000, 1)} s, peak memory ${fixed(bigPeak)} MiB`);
  target(`14. ${BIG} hosts generated with --db in under 20 s, peak under 1 GiB`, `${fixed(generationMs / 1000, 1)} s, ${fixed(bigPeak)} MiB`, generationMs < 20_000 && bigPeak < 1024);
  const firstAnswers: number[] = [];
  for (const filter of newFilters(23, smoke ? 4 : 20)) firstAnswers.push((await timed(() => getJson(`${big.url}${HOSTS_PATH}?${filter}`)))[1]);
  print(`15. First answers of ${firstAnswers.length} never-seen filter combinations at ${bigTotal} hosts: median ${fixed(median(firstAnswers))} ms, slowest ${fixed(Math.max(...firstAnswers))} ms`);
  target(`15. first answer at ${BIG} hosts under 250 ms`, `${fixed(Math.max(...firstAnswers))} ms (slowest)`, Math.max(...firstAnswers) < 250);
  const bigWalks = await firstWalks(big.url, newFilters(31, smoke ? 3 : 10), 50);
  print(`16. First walks of never-seen filter combinations at ${bigTotal} hosts (up to 50 pages each): ${bigWalks.pages} pages, p50 ${fixed(bigWalks.p50, 1)} ms, p99 ${fixed(bigWalks.p99, 1)} ms`);
  target(`16. first walk at ${BIG} hosts: p99 of a page under 50 ms`, `${fixed(bigWalks.p99, 1)} ms`, bigWalks.p99 < 50);
  print();
  print(row([`at ${bigTotal} hosts`, 'req/s', 'p50 ms', 'p99 ms', 'errors']));
  print(row(['---', '---:', '---:', '---:', '---:']));
  for (const [name, query] of [
    ['1. default page', ''],
    ['3. host_name substring', nameQuery],
    ['5. deep page (offset 1,000,000)', 'offset=1000000&enterprise_project_id=all_granted_eps'],
  ] as const) {
    if (!smoke) await load(big.url, path(query), 1);
    const result = await load(big.url, path(query), smoke ? 1 : 5);
    print(row([name, fixed(result.rps), result.p50, result.p99, result.errors]));
  }
  await stop(big);

  // Two million hosts in memory, generated by the control API while the health check is polled.
  const memoryServer = await startServer(CLI, ['--port', '0', '--hosts', '10', '--log-level', 'silent']);
  const generate = timed(() =>
    getJson(`${memoryServer.url}/_mock/projects/${PROJECT}/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: BIG }) }),
  );
  const [[, inMemoryMs], health] = await healthDuring(memoryServer.url, generate);
  const inMemoryPeak = memory(memoryServer.child.pid!).peak;
  print();
  print(
    `17. Generating ${BIG} hosts in memory (POST .../generate): ${fixed(inMemoryMs / 1000, 1)} s, peak memory ${fixed(inMemoryPeak)} MiB; the health check meanwhile: ${health.length} answers, p99 ${fixed(percentile(health, 99), 1)} ms, slowest ${fixed(Math.max(...health), 1)} ms`,
  );
  target(`17. ${BIG} hosts in memory: peak under 1 GiB`, `${fixed(inMemoryPeak)} MiB`, inMemoryPeak < 1024);
  target(`17. health check during the generate: p99 under 100 ms`, `${fixed(percentile(health, 99), 1)} ms`, percentile(health, 99) < 100);
  await stop(memoryServer);

  print();
  print('| target | result | |');
  print('|---|---|---|');
  for (const [name, result, met] of targets) print(row([name, result, met ? 'met' : '**not met**']));
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
