// Every route, registered in one place.
import type { FastifyInstance, FastifyBaseLogger, RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IncomingHttpHeaders } from 'node:http';
import type { Caller } from './auth.js';
import { ListHostsQuery, ProjectParams } from './schemas.js';
import type { HostPage, HostStore } from './store.js';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface RouteDeps {
  store: HostStore;
  authenticate: (headers: IncomingHttpHeaders) => Caller;
}

/** Table 4 around hosts the store serialized by the Host schema. */
function pageJson({ total, hosts }: HostPage): string {
  return `{"total_num":${total},"data_list":[${hosts.join(',')}]}`;
}

export function registerRoutes(app: App, { store, authenticate }: RouteDeps): void {
  app.get(
    '/v5/:project_id/host-management/hosts',
    {
      schema: { params: ProjectParams, querystring: ListHostsQuery },
      onRequest: async (request) => {
        authenticate(request.headers);
      },
    },
    async (request, reply) => {
      const page = store.listHosts(request.params.project_id, request.query);
      return reply.type('application/json; charset=utf-8').send(pageJson(page));
    },
  );
}
