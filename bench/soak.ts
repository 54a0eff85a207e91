// npm run soak [-- --seconds N --clients C]: mixed traffic at full speed on loopback against the
// built command — queries of every kind, token and AK/SK requests, control writes, resets,
// injected faults — from several concurrent clients. Fails (exit code 1) on any unexpected answer,
// memory (the heap in use after full collections) growing over 10% after warm-up, a journal past
// its bound, or growing open handles.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DEVELOPMENT_KEY } from '../src/auth/auth.js';
import { seededRandom } from '../src/faults/faults.js';
import { EMPTY_BODY_SHA256, expectedSignature, formatSdkDate } from '../src/auth/signature.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, clients: { type: 'string', default: '8' } } });
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const JOURNAL_SIZE = 500;
const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

// --trace-gc: V8 prints each collection on stdout, with the heap's size after it. After a full
// (mark-compact) collection that is the memory still in use, the figure a leak raises.
const child = spawn(
  process.execPath,
  ['--trace-gc', CLI, '--port', '0', '--hosts', '500', '--log-level', 'silent', '--journal-size', String(JOURNAL_SIZE)],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
/** The heap in use after each full collection, in MB, with when it was read. */
const fullCollections: { at: number; heapMB: number }[] = [];
const base = await new Promise<string>((resolve) => {
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const collection = /Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(line);
    if (collection) fullCollections.push({ at: Date.now(), heapMB: Number(collection[1]) });
    const banner = /listening on (\S+)/.exec(line);
    if (banner) resolve(banner[1]!);
  });
});

function processFigures(): { rssMiB: number; handles: number } {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return { rssMiB: Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024, handles: readdirSync(`/proc/${child.pid}/fd`).length };
}

const served = new Map<string, number>();
const unexpected: string[] = [];
const count = (kind: string) => served.set(kind, (served.get(kind) ?? 0) + 1);

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

/** The next request of a client, and what it must get. */
function nextStep(random: () => number, client: number, serial: number): Step {
  const project = `soak-${client}`;
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
  if (roll < 0.82) return { kind: 'control: add a host', method: 'POST', path: `/_mock/projects/${project}/hosts`, body: { host_id: `h-${serial}`, os_type: 'Linux' }, expect: 201 };
  if (roll < 0.88) {
    return { kind: 'control: patch a host', method: 'PATCH', path: `/_mock/projects/${project}/hosts/h-${serial - 1}`, body: { agent_status: 'offline' }, expect: -1 };
  }
  if (roll < 0.92) return { kind: 'control: delete a host', method: 'DELETE', path: `/_mock/projects/${project}/hosts/h-${serial - 2}`, expect: -1 };
  if (roll < 0.94) return { kind: 'control: reset a project', method: 'POST', path: `/_mock/projects/${project}/reset`, expect: 204 };
  return {
    kind: 'control: read the journal',
    path: '/_mock/requests',
    expect: 200,
    check: (body) => (typeof body.total === 'number' && body.total <= JOURNAL_SIZE ? undefined : `journal over its bound: ${body.total}`),
  };
}

async function client(index: number, until: number): Promise<void> {
  // Seeded, so that a failing run can be repeated.
  const random = seededRandom(1000 + index);
  for (let serial = 0; Date.now() < until; serial++) {
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
const warmUpMs = Math.max(3000, SECONDS * 300);
const until = started + SECONDS * 1000;
const clients = Array.from({ length: CLIENTS }, (_, index) => client(index, until));
await new Promise((resolve) => setTimeout(resolve, warmUpMs));
const atWarmUp = processFigures();
await Promise.all(clients);
const atEnd = processFigures();
// RSS is a sawtooth under load (it climbs by about 100 MiB between full collections, and how much
// of the freed heap is given back varies), so growth is judged on the heap in use after full
// collections: the median of the first half of those after warm-up against the second half.
const afterWarmUp = fullCollections.filter((collection) => collection.at >= started + warmUpMs).map((collection) => collection.heapMB);
const half = Math.floor(afterWarmUp.length / 2);
const median = (values: number[]) => (values.length === 0 ? NaN : [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
const firstHalf = median(afterWarmUp.slice(0, half));
const secondHalf = median(afterWarmUp.slice(half));
child.kill('SIGTERM');
const [exitCode] = (await once(child, 'exit')) as [number];

const requests = [...served.values()].reduce((sum, n) => sum + n, 0);
const growth = secondHalf / firstHalf - 1;
const problems = [
  ...unexpected.slice(0, 10),
  ...(unexpected.length > 10 ? [`... and ${unexpected.length - 10} more unexpected answers`] : []),
  ...(afterWarmUp.length < 2 ? [`${afterWarmUp.length} full collections after warm-up: too few to judge memory; run longer`] : []),
  ...(growth > 0.1 ? [`memory grew ${(growth * 100).toFixed(1)}% after warm-up (heap in use after full collections, second half against the first)`] : []),
  ...(atEnd.handles > atWarmUp.handles + 2 * CLIENTS ? [`open handles grew from ${atWarmUp.handles} to ${atEnd.handles}`] : []),
  ...(exitCode === 0 ? [] : [`exit code ${exitCode} after SIGTERM`]),
];

console.log(`soak: ${SECONDS} s, ${CLIENTS} clients, ${requests} requests (${Math.round(requests / SECONDS)}/s), ${unexpected.length} unexpected answers`);
for (const [kind, n] of [...served].sort()) console.log(`  ${kind.padEnd(30)} ${n}`);
console.log(`memory (RSS): ${atWarmUp.rssMiB.toFixed(0)} MiB after ${warmUpMs / 1000} s of warm-up, ${atEnd.rssMiB.toFixed(0)} MiB at the end`);
console.log(
  `heap in use after the ${afterWarmUp.length} full collections after warm-up, median of each half: ${firstHalf.toFixed(1)} MB, then ${secondHalf.toFixed(1)} MB (${(growth * 100).toFixed(1)}%)`,
);
console.log(`open handles: ${atWarmUp.handles} after warm-up, ${atEnd.handles} at the end; exit code after SIGTERM: ${exitCode}`);
if (problems.length > 0) {
  console.log(`FAILED:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('passed');
