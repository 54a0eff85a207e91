// Every route, registered in one place: the emulated API, then the control API under /_mock.
// The schemas here validate requests and describe the OpenAPI document at /_mock/openapi.json.
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { Control } from '../control/control.js';
import type { HostStore } from '../store/store.js';
import {
  AuthHeaders,
  ErrorBody,
  FaultList,
  FaultParams,
  FaultRule,
  FaultRuleView,
  GenerateBody,
  GenerateResult,
  Health,
  Host,
  HostList,
  HostParams,
  Journal,
  JournalQuery,
  ListHostsQuery,
  ListHostsResponse,
  ProjectList,
  ProjectParams,
  ProjectsQuery,
  serializeHost,
  type Host as HostType,
  type ListHostsQuery as ListHostsQueryType,
} from '../contract/schemas.js';
import { VERSION } from '../contract/version.js';
import { errors } from '../contract/errors.js';
import { CONSOLE_HEADERS, consoleFile } from './console.js';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

type ProjectRequest = FastifyRequest<{ Params: { project_id: string } }>;

export interface RouteDeps {
  store: HostStore;
  control: Control;
  /** Who calls the emulated API; refuses with 401/403. */
  authenticate: (request: ProjectRequest) => Promise<void>;
  /** Throttling and injected faults, after authentication. */
  injectFault: (request: ProjectRequest, reply: FastifyReply) => Promise<void>;
  requireAdmin: (headers: IncomingHttpHeaders) => void;
  /** Body limit of control API writes, in bytes. */
  controlBodyLimit: number;
  /** The OpenAPI document of these routes. */
  openApiDocument: () => Promise<unknown>;
}

/** Sends JSON that is already serialized (hosts are serialized by the Host schema), whole or streamed. */
function sendJson(reply: FastifyReply, status: number, json: string | Buffer | Readable): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(json);
}

function hostsJson(hosts: readonly HostType[]): string {
  return `[${hosts.map(serializeHost).join(',')}]`;
}

const errorResponses = { '4xx': ErrorBody, '5xx': ErrorBody };

/** Route config that adds schemas to the OpenAPI document only: what the handler checks itself, or authentication checks. */
function documented(extra: Record<string, TSchema>) {
  return {
    config: {
      swaggerTransform: ({ schema, url }: { schema: object; url: string }) => ({ schema: { ...schema, ...extra }, url }),
    },
  };
}
const noContent = { 204: Type.Null({ description: 'Done' }), ...errorResponses };

export function registerRoutes(app: App, deps: RouteDeps): void {
  const { store, control } = deps;
  const startedAt = Date.now();
  /** The emulated API's answer to a query; the console's list route gives the same bytes. */
  const sendHostPage = async (reply: FastifyReply, projectId: string, query: unknown) => {
    // The schema's defaults have filled in enterprise_project_id, limit and offset.
    return sendJson(reply, 200, (await store.listHosts(projectId, query as ListHostsQueryType)).json);
  };

  app.get(
    '/v5/:project_id/host-management/hosts',
    {
      ...documented({ headers: AuthHeaders }),
      schema: {
        summary: 'Querying ECSs (ListHostStatus)',
        tags: ['HSS'],
        security: [{ token: [] }, { aksk: [] }],
        params: ProjectParams,
        querystring: ListHostsQuery,
        response: { 200: ListHostsResponse, ...errorResponses },
      },
      onRequest: [deps.authenticate, deps.injectFault],
    },
    async (request, reply) => sendHostPage(reply, request.params.project_id, request.query),
  );

  const mock = { tags: ['control'] };
  app.get('/_mock/health', { schema: { ...mock, summary: 'Readiness check', response: { 200: Health } } }, async () => ({
    status: 'ok' as const,
    version: VERSION,
    uptime_seconds: (Date.now() - startedAt) / 1000,
    ...store.dataSize(),
  }));

  const guarded = { onRequest: async (request: { headers: IncomingHttpHeaders }) => deps.requireAdmin(request.headers) };
  const writes = { ...guarded, bodyLimit: deps.controlBodyLimit };
  const admin = { ...mock, security: [{ admin: [] }] };
  const project = { ...admin, params: ProjectParams };
  const host = { ...admin, params: HostParams };
  const hostsInput = documented({
    body: Type.Union([Host, Type.Array(Host), ListHostsResponse], { description: 'A host, an array of hosts, or a saved API response' }),
  });

  app.get(
    '/_mock/projects',
    { ...guarded, schema: { ...admin, summary: 'The projects in use, by id, with their host counts', querystring: ProjectsQuery, response: { 200: ProjectList, ...errorResponses } } },
    async (request) => control.projects(request.query.offset, request.query.limit),
  );

  app.get(
    '/_mock/projects/:project_id/hosts',
    { ...guarded, schema: { ...project, summary: 'Every host of a project, in API order', response: { 200: HostList, ...errorResponses } } },
    async (request, reply) => sendJson(reply, 200, Readable.from(await control.hostsJson(request.params.project_id))),
  );

  app.get(
    '/_mock/projects/:project_id/list',
    {
      ...guarded,
      // Its answers are the emulated API's, errors included (HSS.0001 for a bad parameter).
      config: { answersAsTheApi: true },
      schema: {
        ...project,
        summary: 'What the emulated API answers to the same query, without authentication, faults, throttling or journal',
        querystring: ListHostsQuery,
        response: { 200: ListHostsResponse, ...errorResponses },
      },
    },
    async (request, reply) => sendHostPage(reply, request.params.project_id, request.query),
  );

  app.post(
    '/_mock/projects/:project_id/hosts',
    { ...writes, ...hostsInput, schema: { ...project, summary: 'Add hosts after the current ones', response: { 201: HostList, ...errorResponses } } },
    async (request, reply) => sendJson(reply, 201, hostsJson(await control.addHosts(request.params.project_id, request.body))),
  );

  app.put(
    '/_mock/projects/:project_id/hosts',
    { ...writes, ...hostsInput, schema: { ...project, summary: 'Replace every host of a project', response: { 200: HostList, ...errorResponses } } },
    async (request, reply) => sendJson(reply, 200, hostsJson(await control.replaceHosts(request.params.project_id, request.body))),
  );

  app.patch(
    '/_mock/projects/:project_id/hosts/:host_id',
    {
      ...writes,
      ...documented({ body: Type.Partial(Type.Object(Host.properties), { description: 'Fields to change; null removes one' }) }),
      schema: { ...host, summary: 'Change fields of one host (JSON merge patch)', response: { 200: Host, ...errorResponses } },
    },
    async (request, reply) => sendJson(reply, 200, serializeHost(await control.patchHost(request.params.project_id, request.params.host_id, request.body))),
  );

  app.delete('/_mock/projects/:project_id/hosts/:host_id', { ...guarded, schema: { ...host, summary: 'Delete one host', response: noContent } }, async (request, reply) => {
    await control.deleteHost(request.params.project_id, request.params.host_id);
    return reply.code(204).send(null);
  });

  app.delete('/_mock/projects/:project_id/hosts', { ...guarded, schema: { ...project, summary: 'Delete every host of a project', response: noContent } }, async (request, reply) => {
    await control.deleteHosts(request.params.project_id);
    return reply.code(204).send(null);
  });

  app.post(
    '/_mock/projects/:project_id/generate',
    { ...writes, schema: { ...project, summary: 'Replace the fleet with a generated one', body: GenerateBody, response: { 200: GenerateResult, ...errorResponses } } },
    async (request) => control.generate(request.params.project_id, request.body.count, request.body.seed),
  );

  app.post('/_mock/projects/:project_id/reset', { ...guarded, schema: { ...project, summary: 'Back to the start-up state', response: noContent } }, async (request, reply) => {
    await control.reset(request.params.project_id);
    return reply.code(204).send(null);
  });

  app.post('/_mock/reset', { ...guarded, schema: { ...admin, summary: 'Every project back to the start-up state; empty journal', response: noContent } }, async (_request, reply) => {
    await control.reset();
    return reply.code(204).send(null);
  });

  app.get(
    '/_mock/requests',
    { ...guarded, schema: { ...admin, summary: 'The request journal, oldest first (order=desc: newest first), in pages', querystring: JournalQuery, response: { 200: Journal, ...errorResponses } } },
    async (request) => control.requests(request.query),
  );

  app.delete('/_mock/requests', { ...guarded, schema: { ...admin, summary: 'Clear the request journal', response: noContent } }, async (_request, reply) => {
    control.clearRequests();
    return reply.code(204).send(null);
  });

  app.get(
    '/_mock/faults',
    { ...guarded, schema: { ...admin, summary: 'The fault rules, in the order they are tried', response: { 200: FaultList, ...errorResponses } } },
    async () => control.faults(),
  );

  app.post(
    '/_mock/faults',
    {
      ...writes,
      ...documented({ body: Type.Union([FaultRule, Type.Array(FaultRule)]) }),
      schema: { ...admin, summary: 'Add fault rules', response: { 201: Type.Array(FaultRuleView), ...errorResponses } },
    },
    async (request, reply) => reply.code(201).send(control.addFaults(request.body)),
  );

  app.delete('/_mock/faults', { ...guarded, schema: { ...admin, summary: 'Remove every fault rule', response: noContent } }, async (_request, reply) => {
    control.clearFaults();
    return reply.code(204).send(null);
  });

  app.delete(
    '/_mock/faults/:id',
    { ...guarded, schema: { ...admin, summary: 'Remove one fault rule', params: FaultParams, response: noContent } },
    async (request, reply) => {
      control.removeFault(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get('/_mock/openapi.json', { ...guarded, schema: { hide: true } }, async () => deps.openApiDocument());

  // The web console: its files need no admin token (they hold no data; the page asks for it).
  const sendConsoleFile = async (reply: FastifyReply, name: string) => {
    const file = await consoleFile(name);
    if (!file) throw errors.apiNotFound();
    return reply.headers(CONSOLE_HEADERS).type(file.type).send(file.body);
  };
  // The router ignores trailing slashes, so /_mock/ui comes here too: it is sent to /_mock/ui/,
  // where the page's relative links resolve.
  app.get('/_mock/ui/', { schema: { hide: true } }, async (request, reply) =>
    request.url.startsWith('/_mock/ui/') ? sendConsoleFile(reply, 'index.html') : reply.redirect('/_mock/ui/'),
  );
  app.get('/_mock/ui/:file', { schema: { hide: true } }, async (request: FastifyRequest<{ Params: { file: string } }>, reply) =>
    sendConsoleFile(reply, request.params.file),
  );
}
