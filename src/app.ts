// buildApp(options): the emulator as a Fastify instance, not listening (tests use app.inject).
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';
import Fastify, { type FastifyError, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { TObject, TSchema } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { tokenAuthenticator } from './auth.js';
import { ApiError, errors } from './errors.js';
import type { FixtureSet } from './fixtures.js';
import { startingFleet } from './fleet.js';
import { registerRoutes, type App } from './routes.js';
import { HostStore } from './store.js';
import { compile, compileQuery, describeError } from './validation.js';
import type { ErrorObject } from 'ajv';

export interface AppOptions {
  /** Seed of generated fleets. */
  seed: number;
  /** Size of each generated fleet. */
  hostsPerProject: number;
  /** Accepted `X-Auth-Token` values; empty: any token. */
  tokens: readonly string[];
  fixtures: FixtureSet;
  /** SQLite database file, or `:memory:`. */
  database: string;
  logger: FastifyServerOptions['logger'];
}

export const DEFAULT_APP_OPTIONS: AppOptions = {
  seed: 1,
  hostsPerProject: 50,
  tokens: [],
  fixtures: { byProject: new Map() },
  database: ':memory:',
  logger: false,
};

/** Room for the documented 32768-character token with the rest of a request's headers. */
export const MAX_HEADER_BYTES = 64 * 1024;

export function buildApp(overrides: Partial<AppOptions> = {}): App {
  const options = { ...DEFAULT_APP_OPTIONS, ...overrides };
  const store = new HostStore(options.database, startingFleet(options));
  const app = Fastify({
    logger: options.logger,
    // Request ids look like the gateway's: 32 hex digits. A client's own X-Request-Id is not trusted.
    genReqId: newRequestId,
    requestIdHeader: false,
    exposeHeadRoutes: false,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    routerOptions: {
      ignoreTrailingSlash: true,
      // project_id may be 256 characters, each up to 9 when percent-encoded; longer ones reach validation.
      maxParamLength: MAX_HEADER_BYTES,
      // Lenient decoding, as the gateway's: `+` is a space, broken %-escapes stay as they are.
      querystringParser: (query) => parseQueryString(query),
    },
    clientErrorHandler: answerUnparsableRequest,
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      sendError(reply, request.id, toApiError(error));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'querystring' ? compileQuery(schema as TObject) : compile(schema as TSchema),
  );
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setNotFoundHandler(async () => {
    throw errors.apiNotFound();
  });
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error, request.is404);
    if (apiError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    sendError(reply, request.id, apiError);
  });
  app.addHook('onClose', async () => store.close());

  registerRoutes(app, { store, authenticate: tokenAuthenticator(options.tokens) });
  return app;
}

function newRequestId(): string {
  return randomUUID().replaceAll('-', '');
}

/** What the gateway answers to a request it cannot read, before any route: 494 when the headers are too large. */
function answerUnparsableRequest(error: { code?: string }, socket: Socket): void {
  if (!socket.writable) return void socket.destroy();
  const [status, reason, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? ([494, 'Request Header Or Cookie Too Large', 'the request headers are too large'] as const)
      : ([400, 'Bad Request', 'the request could not be parsed'] as const);
  const requestId = newRequestId();
  const body = JSON.stringify(errors.requestError(status, detail).body(requestId));
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function sendError(reply: FastifyReply, requestId: string, error: ApiError): void {
  reply.code(error.statusCode).send(error.body(requestId));
}

/** Any error, as one of the catalogue's. `unrouted`: no API matched (its body was read, and failed, on the way). */
function toApiError(error: unknown, unrouted = false): ApiError {
  if (error instanceof ApiError) return error;
  const { validation, code, statusCode } = error as FastifyError;
  if (statusCode === 413) return errors.requestError(413, 'the body is too large');
  if (unrouted) return errors.apiNotFound();
  if (validation?.[0]) {
    return errors.invalidParameter(describeError(validation[0] as ErrorObject, 'parameter'));
  }
  if (code === 'FST_ERR_BAD_URL') return errors.requestError(400, 'the path is not valid percent-encoded UTF-8');
  return errors.internal();
}
