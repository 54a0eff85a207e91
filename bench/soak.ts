// npm run soak [-- --seconds N --clients C --long]: mixed traffic at full speed on loopback against
// the built command — queries of every kind, token and AK/SK requests, control writes, resets,
// injected faults — from several concurrent clients. Fails (exit code 1) on any unexpected answer,
// memory growing after warm-up, a journal past its bound, or growing open handles.
//
// Memory is judged by work done, not by wall time, so that a slow or busy machine judges it as
// well as an idle one: after WARM_UP_REQUESTS requests, and then every SAMPLE_EVERY requests, the
// server runs a full collection and reports the heap still in use (bench/soak-probe.ts). It fails
// when the heap grows by more than MAX_BYTES_PER_REQUEST a request (the least-squares slope of the
// readings against requests served), or by more than 10% (the median of the second half of the
// readings against the first). The run lasts --seconds, and longer when that was too little work
// for MIN_SAMPLES readings (up to MAX_STRETCH times --seconds, then it fails saying so).
//
// --long adds what a run of days sees: project ids that keep changing (each client asks about a
// new project every CHURN_EVERY requests, as a suite that isolates each test by a fresh project id
// does) and large writes (PUTs of LARGE_BODY_HOSTS hosts). It also judges the resident set read at
// the same checkpoints, which holds SQLite's memory as well: more than MAX_RSS_BYTES_PER_REQUEST a
// request fails, with the data limit small enough to be reached early in the run. (The short run
// does not judge it: there the resident set varies more than it grows.)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEVELOPMENT_KEY } from '../src/auth/auth.js';
import { seededRandom } from '../src/faults/faults.js';
import { EMPTY_BODY_SHA256, expectedSignature, formatSdkDate } from '../src/auth/signature.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, clients: { type: 'string', default: '8' }, long: { type: 'boolean', default: false } },
});
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const LONG = values.long;
const JOURNAL_SIZE = 500;
const WARM_UP_REQUESTS = 2000;
const SAMPLE_EVERY = 1000;
const MIN_SAMPLES = 8;
/** Readings vary by about ±0.3 MB: over 8 readings, a slope of this much is a leak, not noise. */
const MAX_BYTES_PER_REQUEST = 150;
/** In --long: 100 KB for each new project id. */
const MAX_RSS_BYTES_PER_REQUEST = 1000;
const MAX_STRETCH = 4;
const CHURN_EVERY = 100;
const LARGE_BODY_HOSTS = 2000;
/**
 * In --long, the server's --data-limit (MiB): starting fleets of new project ids fill it within
 * the first minutes, so that the run shows memory flat at the bound rather than growing toward
 * the default 1 GiB.
 */
const LONG_DATA_LIMIT_MIB = 128;
const CLI = new URL('../../dist/bundle/hss-mock.mjs', import.meta.url).pathname;
const PROBE = pathToFileURL(new URL('soak-probe.js', import.meta.url).pathname).href;

const child = spawn(
  process.execPath,
  [
    ...['--expose-gc', '--import', PROBE, CLI, '--port', '0', '--hosts', '500', '--log-level', 'silent', '--journal-size', String(JOURNAL_SIZE)],
    ...(LONG ? ['--data-limit', String(LONG_DATA_LIMIT_MIB)] : []),
  ],
  { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
);
const base = await new Promise<string>((resolve) => {
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const banner = /listening on (\S+)/.exec(line);
    if (banner) resolve(banner[1]!);
  });
});

/** A full collection in the server, then the heap it still uses and its resident set, in MB. */
function measure(): Promise<{ heapMB: number; rssMB: number }> {
  child.send('measure');
  return once(child, 'message').then(([reply]) => {
    const { heapUsedBytes, rssBytes } = reply as { heapUsedBytes: number; rssBytes: number };
    return { heapMB: heapUsedBytes / 1e6, rssMB: rssBytes / 1e6 };
  });
}

function processFigures(): { rssMiB: number; handles: number } {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return { rssMiB: Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024, handles: readdirSync(`/proc/${child.pid}/fd`).length };
}

const served = new Map<string, number>();
const unexpected: string[] = [];
/** Readings of the heap in use after a full collection, with the requests served when each was asked for. */
const samples: { requests: number; heapMB: number; rssMB: number }[] = [];
let requests = 0;
let projectIds = 0;
let atWarmUp: { rssMiB: number; handles: number; projectIds: number } | undefined;
let measuring = false;
let nextSampleAt = WARM_UP_REQUESTS;

/** Counts a request served; at the checkpoints of work done, reads the server's memory. */
function count(kind: string): void {
  served.set(kind, (served.get(kind) ?? 0) + 1);
  requests += 1;
  if (requests < nextSampleAt || measuring) return;
  nextSampleAt = requests + SAMPLE_EVERY;
  atWarmUp ??= { ...processFigures(), projectIds };
  measuring = true;
  const at = requests;
  void measure().then((reading) => {
    samples.push({ requests: at, ...reading });
    measuring = false;
  });
}

interface Step {
  kind: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  expect: number;
  check?: (body: Record<string, unknown>) => string | undefined;
}

function signedHeaders(path: string): Record<string, string> {
  const headers = { 'x-sdk-date': formatSdkDate(Date.now()) };
  const signature = expectedSignature({ method: 'GET', url: path, headers, bodySha256: EMPTY_BODY_SHA256 }, ['x-sdk-date'], DEVELOPMENT_KEY.secretKey);
  return { ...headers, authorization: `SDK-HMAC-SHA256 Access=${DEVELOPMENT_KEY.accessKey}, SignedHeaders=x-sdk-date, Signature=${signature}` };
}

const QUERIES = ['', 'limit=200', 'os_type=Windows&agent_status=not_online', 'host_name=prod', 'label=web', 'enterprise_project_id=all_granted_eps', 'version=hss.version.basic&above_version=true', 'ip_addr=10.0.0.1', 'detect_result=risk&limit=50'];

/** A PUT body of many hosts, as a suite that arranges a large fleet sends it. */
const LARGE_BODY = Array.from({ length: LARGE_BODY_HOSTS }, (_, i) => ({
  host_name: `big-${i}`,
  os_type: i % 3 === 0 ? 'Windows' : 'Linux',
  agent_status: 'online',
  enterprise_project_id: '0',
  labels: ['soak', `rack-${i % 40}`],
}));

/** The next request of a client, and what it must get. */
function nextStep(random: () => number, client: number, serial: number): Step {
  // Control writes go to the client's own project, which its resets keep bounded; the emulated API
  // is asked about it too, or in --long about a new project every CHURN_EVERY requests (what it
  // keeps of those is what a suite isolating its tests by project id makes it keep).
  const home = `/_mock/projects/soak-${client}`;
  const project = LONG ? `soak-${client}-${Math.floor(serial / CHURN_EVERY)}` : `soak-${client}`;
  const hosts = `/v5/${project}/host-management/hosts`;
  const token = { 'x-auth-token': `soak-token-${client}` };
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
  const listing = (body: Record<string, unknown>) =>
    typeof body.total_num === 'number' && Array.isArray(body.data_list) ? undefined : 'not a host list';
  const roll = random();
  if (roll < 0.35) {
    const query = `${pick(QUERIES)}${random() < 0.5 ? `&offset=${Math.floor(random() * 500)}` : ''}`;
    return { kind: 'query (token)', path: `${hosts}?${query}`, headers: token, expect: 200, check: listing };
  }
  if (roll < 0.5) {
    const path = `${hosts}?limit=${Math.floor(random() * 200)}`;
    return { kind: 'query (AK/SK)', path, headers: signedHeaders(path), expect: 200, check: listing };
  }
  if (roll < 0.58) return { kind: 'invalid parameter', path: `${hosts}?limit=${pick(['-1', '201', 'ten', '1e2'])}`, headers: token, expect: 400 };
  if (roll < 0.62) return { kind: 'no credentials', path: hosts, expect: 401 };
  if (roll < 0.66) return { kind: 'unknown path', path: `/v5/${project}/nothing`, headers: token, expect: 404 };
  if (roll < 0.7) {
    const [status, fault] = pick([[429, '429'], [504, '504'], [401, '401']] as const);
    return { kind: `injected ${status}`, path: hosts, headers: { ...token, 'x-mock-fault': fault }, expect: status };
  }
  if (roll < 0.82) return { kind: 'control: add a host', method: 'POST', path: `${home}/hosts`, body: { host_id: `h-${serial}`, os_type: 'Linux' }, expect: 201 };
  if (roll < 0.88) {
    return { kind: 'control: patch a host', method: 'PATCH', path: `${home}/hosts/h-${serial - 1}`, body: { agent_status: 'offline' }, expect: -1 };
  }
  if (roll < 0.92) return { kind: 'control: delete a host', method: 'DELETE', path: `${home}/hosts/h-${serial - 2}`, expect: -1 };
  if (LONG && roll < 0.925) {
    return { kind: `control: replace with ${LARGE_BODY_HOSTS} hosts`, method: 'PUT', path: `${home}/hosts`, body: LARGE_BODY, expect: 200 };
  }
  if (roll < 0.94) return { kind: 'control: reset a project', method: 'POST', path: `${home}/reset`, expect: 204 };
  return {
    kind: 'control: read the journal',
    path: '/_mock/requests',
    expect: 200,
    check: (body) => (typeof body.total === 'number' && body.total <= JOURNAL_SIZE ? undefined : `journal over its bound: ${body.total}`),
  };
}

let finished = false;

async function client(index: number): Promise<void> {
  // Seeded, so that a failing run can be repeated.
  const random = seededRandom(1000 + index);
  for (let serial = 0; !finished; serial++) {
    if (LONG && serial % CHURN_EVERY === 0) projectIds += 1;
    const step = nextStep(random, index, serial);
    const response = await fetch(`${base}${step.path}`, {
      method: step.method ?? 'GET',
      headers: { ...step.headers, ...(step.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: step.body === undefined ? undefined : JSON.stringify(step.body),
    });
    const text = await response.text();
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    // A patch or delete of a host that a reset or an earlier delete removed is a 404: both are right.
    const expected = step.expect === -1 ? [200, 204, 404] : [step.expect];
    const problem = !expected.includes(response.status)
      ? `${response.status} instead of ${expected.join('/')}: ${text.slice(0, 200)}`
      : !/^[0-9a-f]{32}$/.test(response.headers.get('x-request-id') ?? '')
        ? 'no request id'
        : step.check?.(body);
    if (problem) unexpected.push(`${step.kind} ${step.method ?? 'GET'} ${step.path}: ${problem}`);
    count(step.kind);
  }
}

const started = Date.now();
const clients = Array.from({ length: CLIENTS }, (_, index) => client(index));
// Until --seconds have passed and there are enough readings; at most MAX_STRETCH times as long.
const enoughWork = () => samples.length >= MIN_SAMPLES;
while (Date.now() - started < SECONDS * 1000 * (enoughWork() ? 1 : MAX_STRETCH)) await new Promise((resolve) => setTimeout(resolve, 100));
finished = true;
await Promise.all(clients);
while (measuring) await new Promise((resolve) => setTimeout(resolve, 10));
const seconds = (Date.now() - started) / 1000;
const atEnd = processFigures();
child.kill('SIGTERM');
const [exitCode] = (await once(child, 'exit')) as [number];

const half = Math.floor(samples.length / 2);
const median = <T>(values: T[], key: (value: T) => number) => key([...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)]!);
const [first, second] = [samples.slice(0, half), samples.slice(half)];
const firstHeap = enoughWork() ? median(first, (sample) => sample.heapMB) : NaN;
const secondHeap = enoughWork() ? median(second, (sample) => sample.heapMB) : NaN;
const growth = secondHeap / firstHeap - 1;
/** Bytes a request: the least-squares slope of a figure of the readings against the requests served. */
function bytesPerRequestOf(figure: (sample: (typeof samples)[number]) => number): number {
  if (!enoughWork()) return NaN;
  const meanRequests = samples.reduce((sum, sample) => sum + sample.requests, 0) / samples.length;
  const meanFigure = samples.reduce((sum, sample) => sum + figure(sample), 0) / samples.length;
  const covariance = samples.reduce((sum, sample) => sum + (sample.requests - meanRequests) * (figure(sample) - meanFigure), 0);
  return (covariance * 1e6) / samples.reduce((sum, sample) => sum + (sample.requests - meanRequests) ** 2, 0);
}
const bytesPerRequest = bytesPerRequestOf((sample) => sample.heapMB);
const rssBytesPerRequest = bytesPerRequestOf((sample) => sample.rssMB);
const newProjects = projectIds - (atWarmUp?.projectIds ?? 0);
const problems = [
  ...unexpected.slice(0, 10),
  ...(unexpected.length > 10 ? [`... and ${unexpected.length - 10} more unexpected answers`] : []),
  ...(enoughWork() ? [] : [`${requests} requests in ${seconds.toFixed(0)} s: too little work to judge memory (${MIN_SAMPLES} readings need ${WARM_UP_REQUESTS + MIN_SAMPLES * SAMPLE_EVERY})`]),
  ...(growth > 0.1 ? [`memory grew ${(growth * 100).toFixed(1)}% after warm-up (heap in use after a full collection, second half of the readings against the first)`] : []),
  ...(bytesPerRequest > MAX_BYTES_PER_REQUEST ? [`memory grew ${bytesPerRequest.toFixed(0)} bytes a request (more than ${MAX_BYTES_PER_REQUEST})`] : []),
  ...(LONG && rssBytesPerRequest > MAX_RSS_BYTES_PER_REQUEST
    ? [`the resident set grew ${rssBytesPerRequest.toFixed(0)} bytes a request (more than ${MAX_RSS_BYTES_PER_REQUEST}): ${((rssBytesPerRequest * CHURN_EVERY) / 1000).toFixed(0)} KB a new project id`]
    : []),
  ...(atWarmUp && atEnd.handles > atWarmUp.handles + 2 * CLIENTS ? [`open handles grew from ${atWarmUp.handles} to ${atEnd.handles}`] : []),
  ...(exitCode === 0 ? [] : [`exit code ${exitCode} after SIGTERM`]),
];

console.log(`soak${LONG ? ' --long' : ''}: ${seconds.toFixed(0)} s, ${CLIENTS} clients, ${requests} requests (${Math.round(requests / seconds)}/s), ${unexpected.length} unexpected answers`);
for (const [kind, n] of [...served].sort()) console.log(`  ${kind.padEnd(34)} ${n}`);
if (LONG) console.log(`project ids used: ${projectIds} (${newProjects} new after warm-up)`);
console.log(`memory (RSS): ${atWarmUp?.rssMiB.toFixed(0)} MiB after ${WARM_UP_REQUESTS} requests of warm-up, ${atEnd.rssMiB.toFixed(0)} MiB at the end`);
console.log(
  `heap in use after a full collection, ${samples.length} readings every ${SAMPLE_EVERY} requests after warm-up, median of each half: ` +
    `${firstHeap.toFixed(1)} MB, then ${secondHeap.toFixed(1)} MB (${(growth * 100).toFixed(1)}%); growth ${bytesPerRequest.toFixed(0)} bytes a request` +
    `${LONG ? `, so ${((bytesPerRequest * CHURN_EVERY) / 1000).toFixed(1)} KB a new project id` : ''}`,
);
console.log(
  `resident set (SQLite's memory too) at the same readings: ${samples[0]?.rssMB.toFixed(0)} MB, then ${samples.at(-1)?.rssMB.toFixed(0)} MB; growth ${rssBytesPerRequest.toFixed(0)} bytes a request` +
    `${LONG ? `, so ${((rssBytesPerRequest * CHURN_EVERY) / 1000).toFixed(1)} KB a new project id` : ' (not judged in a short run)'}`,
);
console.log(`open handles: ${atWarmUp?.handles} after warm-up, ${atEnd.handles} at the end; exit code after SIGTERM: ${exitCode}`);
if (problems.length > 0) {
  console.log(`FAILED:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('passed');
