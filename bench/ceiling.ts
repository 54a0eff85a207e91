// The ceiling of the benchmark: bare Fastify answering the hosts route with prebuilt pages of the
// same hosts hss-mock serves (no storage, no validation), encoded once — what this stack can do
// at best.
// Usage: node ceiling.js PAGES.json, where PAGES.json is {"10": "<page>", "200": "<page>"}.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const pages = Object.fromEntries(Object.entries(JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Record<string, string>).map(([limit, page]) => [limit, Buffer.from(page)]));
const app = Fastify({ logger: false });
app.get('/v5/:project_id/host-management/hosts', async (request, reply) => {
  const { limit } = request.query as { limit?: string };
  return reply.type('application/json; charset=utf-8').send(limit === '200' ? pages['200'] : pages['10']);
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${address}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
