// The ceiling of the benchmark: bare Fastify answering the hosts route with prebuilt pages of the
// same hosts hss-mock serves (no storage, no validation), encoded once — what this stack can do
// at best. A URL given a page of its own (the answer hss-mock gives it) gets it; any other, the
// first page of 200 hosts when it asks limit=200, else of 10.
// Usage: node ceiling.js PAGES.json, where PAGES.json is {"10": page, "200": page, "byUrl": {url: page}}.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const pages = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { 10: string; 200: string; byUrl: Record<string, string> };
const byUrl = new Map(Object.entries(pages.byUrl).map(([url, page]) => [url, Buffer.from(page)]));
const first = { 10: Buffer.from(pages[10]), 200: Buffer.from(pages[200]) };
const app = Fastify({ logger: false });
app.get('/v5/:project_id/host-management/hosts', async (request, reply) => {
  const { limit } = request.query as { limit?: string };
  return reply.type('application/json; charset=utf-8').send(byUrl.get(request.url) ?? (limit === '200' ? first[200] : first[10]));
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${address}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
