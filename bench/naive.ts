// The benchmark's naive anchor: what a few lines of Fastify + better-sqlite3 give, to compare
// hss-mock with honestly. A narrow table of the same hosts (one column per filter) beside their
// JSON, an index on each enum column, prepared statements kept, and for every request one COUNT
// and one page query, nothing remembered. It serves the filters the benchmark's queries use,
// with the same rules.
// Usage: node naive.js HOSTS.json (an array of hosts); prints its URL.
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import type { Host } from '../src/contract/schemas.js';

const EXACT = ['version', 'detect_result', 'host_status', 'os_type', 'protect_status', 'charging_mode', 'asset_value'] as const;
/** Boolean parameters and the 0/1 column each compares. */
const FLAGS: Record<string, (host: Host) => boolean> = {
  outside_host: (h) => h.outside_host === true,
  has_vul: (h) => (h.vulnerability ?? 0) > 0,
  has_baseline: (h) => (h.baseline ?? 0) > 0,
  has_intrusion: (h) => (h.intrusion ?? 0) > 0,
  agent_upgradable: (h) => h.upgradable === true,
  protect_interrupt: (h) => (h as { protect_interrupt?: boolean }).protect_interrupt === true,
  protect_degradation: (h) => (h as { protect_degradation?: boolean }).protect_degradation === true,
  incluster: (h) => (h as { cluster_id?: string }).cluster_id !== undefined,
  binding_key: (h) => (h as { key_name?: string }).key_name !== undefined,
};
const COLUMNS = ['enterprise_project_id', 'agent_status', 'host_name_folded', ...EXACT, ...Object.keys(FLAGS)];

const hosts = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Host[];
const db = new Database(':memory:');
db.exec(`CREATE TABLE hosts (id INTEGER PRIMARY KEY, ${COLUMNS.join(', ')})`);
db.exec('CREATE TABLE docs (id INTEGER PRIMARY KEY, doc TEXT)');
for (const column of ['enterprise_project_id', 'agent_status', ...EXACT]) db.exec(`CREATE INDEX hosts_${column} ON hosts (${column})`);
const insert = db.prepare(`INSERT INTO hosts (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
const insertDoc = db.prepare('INSERT INTO docs (id, doc) VALUES (?, ?)');
db.transaction(() => {
  for (const host of hosts) {
    const { lastInsertRowid } = insert.run(
      host.enterprise_project_id ?? null,
      host.agent_status ?? null,
      host.host_name?.toLowerCase() ?? null,
      ...EXACT.map((field) => host[field] ?? null),
      ...Object.values(FLAGS).map((flag) => Number(flag(host))),
    );
    insertDoc.run(lastInsertRowid, JSON.stringify(host));
  }
})();
db.exec('ANALYZE');
const statements = new Map<string, Database.Statement>();
const prepared = (sql: string) => statements.get(sql) ?? statements.set(sql, db.prepare(sql).pluck()).get(sql)!;

const app = Fastify({ logger: false });
app.get('/v5/:project_id/host-management/hosts', async (request, reply) => {
  const query = request.query as Record<string, string>;
  const where: string[] = [];
  const params: unknown[] = [];
  const ep = query.enterprise_project_id ?? '0';
  if (ep !== 'all_granted_eps') where.push('enterprise_project_id = ?'), params.push(ep);
  if (query.agent_status === 'not_online') where.push("agent_status IS NOT 'online'");
  else if (query.agent_status === 'installed') where.push("agent_status IS NOT 'not_installed'");
  else if (query.agent_status) where.push('agent_status = ?'), params.push(query.agent_status);
  if (query.host_name) where.push('instr(host_name_folded, ?) > 0'), params.push(query.host_name.toLowerCase());
  for (const field of EXACT) if (query[field]) where.push(`${field} = ?`), params.push(query[field]);
  for (const flag of Object.keys(FLAGS)) if (query[flag]) where.push(`${flag} = ?`), params.push(query[flag] === 'true' ? 1 : 0);
  const condition = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = prepared(`SELECT count(*) FROM hosts ${condition}`).get(...params) as number;
  const docs = prepared(`SELECT doc FROM docs WHERE id IN (SELECT id FROM hosts ${condition} ORDER BY id LIMIT ? OFFSET ?) ORDER BY id`).all(
    ...params,
    Number(query.limit ?? 10),
    Number(query.offset ?? 0),
  ) as string[];
  return reply.type('application/json; charset=utf-8').send(`{"total_num":${total},"data_list":[${docs.join(',')}]}`);
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${address}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
