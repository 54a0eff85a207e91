// buildApp(options): the emulator as a Fastify instance, not listening (tests use app.inject).
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TObject, TSchema } from '@sinclair/typebox';
import type { ErrorObject } from 'ajv';
import { adminGuard, authenticator, type Caller, type KeyGrant, type TokenGrant } from './auth.js';
import { ApiError, errors, StartupError } from './errors.js';
import { Fleet } from './fleet.js';
import { HostInputError } from './host-input.js';
import { RequestJournal } from './journal.js';
import { registerRoutes, type App } from './routes.js';
import { DuplicateHostError, HostStore } from './store.js';
import { compile, compileQuery, describeError } from './validation.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called the emulated API, once authentication has looked. */
    caller: Caller | null;
    /** The error_code answered, for the journal. */
    errorCode: string | null;
  }
}

export interface AppOptions {
  /** Seed of generated fleets. */
  seed: number;
  /** Size of each generated fleet. */
  hostsPerProject: number;
  /** Accepted `X-Auth-Token` values, each perhaps bound to projects; none: any token. */
  tokens: readonly TokenGrant[];
  /** Accepted AK/SK pairs, each perhaps bound to projects; none: the well-known development pair. */
  credentials: readonly KeyGrant[];
  /** Fixture files and folders. */
  fixtures: readonly string[];
  /** SQLite database file, or `:memory:`. */
  database: string;
  /** Empty the database file on start. */
  resetDatabase: boolean;
  /** When set, the control API requires `Authorization: Bearer <adminToken>`. */
  adminToken: string | undefined;
  /** Requests the journal keeps. */
  journalSize: number;
  logger: FastifyServerOptions['logger'];
}

export const DEFAULT_APP_OPTIONS: AppOptions = {
  seed: 1,
  hostsPerProject: 50,
  tokens: [],
  credentials: [],
  fixtures: [],
  database: ':memory:',
  resetDatabase: false,
  adminToken: undefined,
  journalSize: 1000,
  logger: false,
};

/** Room for the documented 32768-character token with the rest of a request's headers. */
export const MAX_HEADER_BYTES = 64 * 1024;
/** Control API writes carry hosts in bulk (about 30,000 a call). */
const CONTROL_BODY_LIMIT = 32 * 1024 * 1024;
/** Fastify's default, for every other route. */
const API_BODY_LIMIT = 1024 * 1024;
const CONTROL_PATH = /^\/_mock(?:[/?]|$)/;

/** Builds the app: fixtures are read and the database opened here, so bad ones throw a StartupError before anything is served. */
export function buildApp(overrides: Partial<AppOptions> = {}): App {
  const options = { ...DEFAULT_APP_OPTIONS, ...overrides };
  const fleet = new Fleet(options);
  const store = new HostStore(options.database, fleet.startingHosts, options.resetDatabase);
  const journal = new RequestJournal(options.journalSize);
  const app = Fastify({
    logger: options.logger,
    bodyLimit: API_BODY_LIMIT,
    genReqId: newRequestId,
    // A client's own X-Request-Id is not trusted: the gateway makes its own.
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
      sendError(request, reply, toApiError(error));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('caller', null);
  app.decorateRequest('errorCode', null);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'querystring' ? compileQuery(schema as TObject) : compile(schema as TSchema),
  );
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (CONTROL_PATH.test(request.url)) return;
    journal.record({
      time: new Date().toISOString(),
      method: request.method,
      url: request.url,
      project_id: (request.params as { project_id?: string } | undefined)?.project_id ?? null,
      auth: request.caller?.auth ?? 'none',
      caller: request.caller?.id ?? null,
      region: headerText(request.headers.region),
      status: reply.statusCode,
      error_code: request.errorCode,
      request_id: request.id,
    });
  });
  app.setNotFoundHandler(async () => {
    throw errors.apiNotFound();
  });
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error, request.is404);
    if (apiError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    sendError(request, reply, apiError);
  });
  app.addHook('onClose', async () => store.close());

  registerRoutes(app, {
    store,
    fleet,
    journal,
    authenticate: authenticator(options.tokens, options.credentials),
    requireAdmin: adminGuard(options.adminToken),
    controlBodyLimit: CONTROL_BODY_LIMIT,
    apiBodyLimit: API_BODY_LIMIT,
  });
  return app;
}

function headerText(value: string | string[] | undefined): string | null {
  return value === undefined ? null : String(value);
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

function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError): void {
  request.errorCode = error.errorCode;
  reply.code(error.statusCode).send(error.body(request.id));
}

/** Any error, as one of the catalogue's. `unrouted`: no route matched (its body was read, and failed, on the way). */
function toApiError(error: unknown, unrouted = false): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HostInputError) return errors.invalidBody(error.message);
  if (error instanceof DuplicateHostError) return errors.duplicateHost(error.projectId, error.hostId);
  // Only a reset reads fixtures while serving.
  if (error instanceof StartupError) return errors.fixturesUnusable(error.message);
  const { validation, validationContext, code, statusCode, message } = error as FastifyError;
  if (statusCode === 413) return errors.requestError(413, 'the body is too large');
  if (unrouted) return errors.apiNotFound();
  if (validation?.[0]) {
    const first = validation[0] as ErrorObject;
    return validationContext === 'body'
      ? errors.invalidBody(describeError(first, 'pointer'))
      : errors.invalidParameter(describeError(first, 'parameter'));
  }
  if (code === 'FST_ERR_BAD_URL') return errors.requestError(400, 'the path is not valid percent-encoded UTF-8');
  if (statusCode === 415) return errors.unsupportedMediaType();
  if (statusCode === 400) return errors.invalidBody(message);
  return errors.internal();
}
