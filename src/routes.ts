// Every route, registered in one place: the emulated API, then the control API under /_mock.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Authentication, AuthRequest } from './auth.js';
import { errors } from './errors.js';
import type { Fleet } from './fleet.js';
import { applyMergePatch, readHostsBody } from './host-input.js';
import type { RequestJournal } from './journal.js';
import { bodySha256 } from './signature.js';
import { GenerateBody, HostParams, JournalQuery, ListHostsQuery, ProjectParams, serializeHost, type Host } from './schemas.js';
import type { HostStore } from './store.js';
import { VERSION } from './version.js';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface RouteDeps {
  store: HostStore;
  fleet: Fleet;
  journal: RequestJournal;
  authenticate: (request: AuthRequest) => Authentication;
  requireAdmin: (headers: IncomingHttpHeaders) => void;
  /** Body limit of control API writes, in bytes. */
  controlBodyLimit: number;
  /** Body limit of the emulated API (whose GET bodies are only hashed, for signatures), in bytes. */
  apiBodyLimit: number;
}

/** Sends JSON that is already serialized (hosts are serialized by the Host schema when stored). */
function sendJson(reply: FastifyReply, status: number, json: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(json);
}

function hostsJson(hosts: readonly Host[]): string {
  return `[${hosts.map(serializeHost).join(',')}]`;
}

export function registerRoutes(app: App, deps: RouteDeps): void {
  const { store, fleet, journal } = deps;
  const startedAt = Date.now();

  app.get(
    '/v5/:project_id/host-management/hosts',
    {
      schema: { params: ProjectParams, querystring: ListHostsQuery },
      onRequest: async (request) => {
        const { caller, error } = deps.authenticate({
          method: request.method,
          url: request.url,
          headers: request.headers,
          projectId: request.params.project_id,
          bodySha256: await bodySha256(request.raw, deps.apiBodyLimit, () => errors.requestError(413, 'the body is too large')),
        });
        request.caller = caller ?? null;
        if (error) throw error;
      },
    },
    async (request, reply) => {
      const { total, hosts } = store.listHosts(request.params.project_id, request.query);
      return sendJson(reply, 200, `{"total_num":${total},"data_list":[${hosts.join(',')}]}`);
    },
  );

  app.get('/_mock/health', async () => ({ status: 'ok', version: VERSION, uptime_seconds: (Date.now() - startedAt) / 1000 }));

  const control = {
    onRequest: async (request: { headers: IncomingHttpHeaders }) => deps.requireAdmin(request.headers),
  };
  const write = { ...control, bodyLimit: deps.controlBodyLimit };
  const project = { params: ProjectParams };
  const host = { params: HostParams };

  app.get('/_mock/projects/:project_id/hosts', { ...control, schema: project }, async (request, reply) =>
    sendJson(reply, 200, `[${store.allHosts(request.params.project_id).join(',')}]`),
  );

  app.post('/_mock/projects/:project_id/hosts', { ...write, schema: project }, async (request, reply) => {
    const { project_id } = request.params;
    const hosts = fleet.complete(project_id, readHostsBody(request.body), store.countWrite(project_id));
    store.addHosts(project_id, hosts);
    return sendJson(reply, 201, hostsJson(hosts));
  });

  app.put('/_mock/projects/:project_id/hosts', { ...write, schema: project }, async (request, reply) => {
    const { project_id } = request.params;
    const hosts = fleet.complete(project_id, readHostsBody(request.body), store.countWrite(project_id));
    store.replaceHosts(project_id, hosts);
    return sendJson(reply, 200, hostsJson(hosts));
  });

  app.patch('/_mock/projects/:project_id/hosts/:host_id', { ...write, schema: host }, async (request, reply) => {
    const { project_id, host_id } = request.params;
    const current = store.getHost(project_id, host_id);
    if (!current) throw errors.hostNotFound(project_id, host_id);
    const patched = applyMergePatch(current, request.body);
    store.updateHost(project_id, host_id, patched);
    return sendJson(reply, 200, serializeHost(patched));
  });

  app.delete('/_mock/projects/:project_id/hosts/:host_id', { ...control, schema: host }, async (request, reply) => {
    const { project_id, host_id } = request.params;
    if (!store.deleteHost(project_id, host_id)) throw errors.hostNotFound(project_id, host_id);
    return reply.code(204).send();
  });

  app.delete('/_mock/projects/:project_id/hosts', { ...control, schema: project }, async (request, reply) => {
    store.replaceHosts(request.params.project_id, []);
    return reply.code(204).send();
  });

  app.post('/_mock/projects/:project_id/generate', { ...write, schema: { ...project, body: GenerateBody } }, async (request) => {
    const { project_id } = request.params;
    const { count, seed } = request.body;
    store.replaceHosts(project_id, fleet.generate(project_id, count, seed));
    return { project_id, count, seed: seed ?? fleet.seed };
  });

  app.post('/_mock/projects/:project_id/reset', { ...control, schema: project }, async (request, reply) => {
    fleet.reloadFixtures();
    store.resetProject(request.params.project_id);
    return reply.code(204).send();
  });

  app.post('/_mock/reset', control, async (_request, reply) => {
    fleet.reloadFixtures();
    store.resetAll();
    journal.clear();
    return reply.code(204).send();
  });

  app.get('/_mock/requests', { ...control, schema: { querystring: JournalQuery } }, async (request) => {
    const requests = journal.list(request.query);
    return { total: requests.length, requests };
  });

  app.delete('/_mock/requests', control, async (_request, reply) => {
    journal.clear();
    return reply.code(204).send();
  });
}
