// buildApp(options): the emulator as a Fastify instance, not listening (tests use app.inject).
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';
import Fastify, { LogController, type FastifyError, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { createRequire } from 'node:module';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TObject, TSchema } from '@sinclair/typebox';
import type { ErrorObject } from 'ajv';
import fastJson from 'fast-json-stringify';
import { authenticationHook, faultHook } from './api-hooks.js';
import { adminGuard, authenticator, DEVELOPMENT_KEY, type Caller, type KeyGrant, type TokenGrant } from '../auth/auth.js';
import { Control } from '../control/control.js';
import { FaultInjector } from '../faults/faults.js';
import { ApiError, errors, InputError, StartupError } from '../contract/errors.js';
import { Fleet } from '../fleet/fleet.js';
import { RequestJournal } from '../control/journal.js';
import { registerRoutes, type App, type RouteDeps } from './routes.js';
import { BYTES_PER_GENERATED_HOST, DataLimitError, DuplicateHostError, HostStore, ResetError } from '../store/store.js';
import { compile, compileQuery, describeError } from '../contract/validation.js';
import { VERSION } from '../contract/version.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The control API's operations, for the library's helpers. */
    control: Control;
  }
  interface FastifyRequest {
    /** Who called the emulated API, once authentication has looked. */
    caller: Caller | null;
    /** The error_code answered, for the journal. */
    errorCode: string | null;
    /** The fault rule (or `header`) that fired for this request, for the journal. */
    fault: string | null;
  }
}

export interface AppOptions {
  /** Seed of generated fleets. */
  seed: number;
  /** Size of each generated fleet. */
  hosts: number;
  /** Accepted `X-Auth-Token` values, each perhaps bound to projects; none: any token. */
  token: readonly TokenGrant[];
  /** Accepted AK/SK pairs, each perhaps bound to projects; none: the well-known development pair. */
  credentials: readonly KeyGrant[];
  /** Fixture files and folders. */
  fixtures: readonly string[];
  /** SQLite database file, or `:memory:`. */
  db: string;
  /** Empty the database file on start. */
  resetDb: boolean;
  /** When set, the control API requires `Authorization: Bearer <adminToken>`. */
  adminToken: string | undefined;
  /** Requests the journal keeps. */
  journalSize: number;
  /** MiB the hosts database may hold (in memory, in the --db file and in temporary files). */
  dataLimit: number;
  /** A JSON file of fault rules, loaded at start and on reset. */
  faults: string | undefined;
  /** Requests a second for each caller before 429 APIGW.0308; 0: no throttling. */
  rateLimit: number;
  /** Ignore X-Mock-Fault and X-Mock-Delay. */
  noFaultHeaders: boolean;
  /** One line a request at `info`; `silent` logs nothing. */
  logLevel: LogLevel;
  /** Human-readable logs (for a terminal) instead of JSON lines. */
  prettyLogs: boolean;
  /** Milliseconds to receive a request's headers (at most `requestTimeout`), else 408. */
  headersTimeout: number;
  /** Milliseconds to receive a whole request, body included, else 408. Answers (delays, stalls) are not bounded by it. */
  requestTimeout: number;
  /** Open connections at most; more are closed as they come. */
  maxConnections: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const DEFAULT_APP_OPTIONS: AppOptions = {
  seed: 1,
  hosts: 50,
  token: [],
  credentials: [],
  fixtures: [],
  db: ':memory:',
  resetDb: false,
  adminToken: undefined,
  journalSize: 1000,
  dataLimit: 1024,
  faults: undefined,
  rateLimit: 0,
  noFaultHeaders: false,
  logLevel: 'silent',
  prettyLogs: false,
  headersTimeout: 10_000,
  requestTimeout: 60_000,
  maxConnections: 1000,
};

/** Room for the documented 32768-character token with the rest of a request's headers. */
const MAX_HEADER_BYTES = 64 * 1024;
/** Longer URIs are refused with 414; the longest valid query (25 parameters at their limits, encoded) is under 24 KiB. */
const MAX_URI_LENGTH = 32 * 1024;
/** Control API writes carry hosts in bulk (about 30,000 a call). */
const CONTROL_BODY_LIMIT = 32 * 1024 * 1024;
/** Fastify's default, for every other route. */
const API_BODY_LIMIT = 1024 * 1024;
const CONTROL_PATH = /^\/_mock(?:[/?]|$)/;
/** How often Node looks for requests past their timeout: a held connection is closed at most this long after its timeout. */
const MAX_TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** Builds the app: fixtures are read and the database opened here, so bad ones throw a StartupError before anything is served. */
export function buildApp(overrides: Partial<AppOptions> = {}): App {
  const options = { ...DEFAULT_APP_OPTIONS, ...overrides };
  if (options.hosts * BYTES_PER_GENERATED_HOST > options.dataLimit * 2 ** 20) {
    const needed = Math.ceil((options.hosts * BYTES_PER_GENERATED_HOST) / 2 ** 20);
    throw new StartupError(`--hosts ${options.hosts} needs about ${needed} MiB for one project's fleet, more than --data-limit ${options.dataLimit}`);
  }
  const fleet = new Fleet(options);
  const store = new HostStore({
    path: options.db,
    reset: options.resetDb,
    startingFleet: fleet.startingFleet,
    generatedHost: fleet.generatedHost,
    generatorModule: fleet.generatorModule,
    dataLimit: options.dataLimit * 2 ** 20,
  });
  const journal = new RequestJournal(options.journalSize);
  const authenticate = authenticator(options.token, options.credentials);
  const faults = new FaultInjector({ file: options.faults, seed: options.seed, rateLimit: options.rateLimit, headers: !options.noFaultHeaders });
  /** Connections a `stall` fault holds open, let go of when the app closes. */
  const stalled = new Set<Socket>();
  /** Aborted when the app closes: delays end at once, so that shutdown is prompt. */
  const closing = new AbortController();
  // Node refuses a headers timeout longer than the request timeout; the request timeout bounds the headers too.
  const headersTimeout = Math.min(options.headersTimeout, options.requestTimeout);
  const app = Fastify({
    logger: {
      level: options.logLevel,
      // pino-pretty is loaded only for a terminal: it costs start-up time otherwise.
      ...(options.prettyLogs && { stream: (createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty'))(PRETTY_LOGS) }),
    },
    logController: new OneLinePerRequest(),
    bodyLimit: API_BODY_LIMIT,
    genReqId: newRequestId,
    // A client's own X-Request-Id is not trusted: the gateway makes its own.
    requestIdHeader: false,
    exposeHeadRoutes: false,
    // Bounds on receiving a request (not on answering it: a delayed answer is not held by them).
    requestTimeout: options.requestTimeout,
    http: {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout,
      requestTimeout: options.requestTimeout,
      connectionsCheckingInterval: Math.min(MAX_TIMEOUT_CHECK_INTERVAL_MS, headersTimeout),
      // A request without Host is answered by the onRequest hook, in the documented body, not by Node's bare 400.
      requireHostHeader: false,
    },
    routerOptions: {
      ignoreTrailingSlash: true,
      // project_id may be 256 characters, each up to 9 when percent-encoded; longer ones reach validation.
      maxParamLength: MAX_HEADER_BYTES,
      // Lenient decoding, as the gateway's: `+` is a space, broken %-escapes stay as they are.
      querystringParser: (query) => parseQueryString(query),
    },
    schemaController: SCHEMA_CONTROLLER,
    clientErrorHandler: answerUnreadableRequest,
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      sendError(request, reply, toApiError(error));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Past the cap, Node closes a new connection as soon as it is accepted, before it can hold anything.
  app.server.maxConnections = options.maxConnections;
  app.server.on('drop', () => app.log.warn(`refused a connection: ${options.maxConnections} are open, the most max-connections allows`));

  // An empty body with a JSON content type (as some clients send with DELETE) is no body.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, undefined) : parseJson(request, body as string, done),
  );
  app.decorateRequest('caller', null);
  app.decorateRequest('errorCode', null);
  app.decorateRequest('fault', null);
  // Callback hooks: cheaper than async ones on every request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (request.url.length > MAX_URI_LENGTH) return done(errors.requestError(414, 'the request URI is too long'));
    // HTTP/1.1 requires Host (RFC 9112, section 3.2); HTTP/1.0 clients may leave it out.
    if (request.headers.host === undefined && request.raw.httpVersion === '1.1') return done(errors.requestError(400, 'the Host header is missing'));
    done();
  });
  /** Journals a request to the emulated API; `status` 0: the connection was dropped without an answer. */
  const journalize = (request: FastifyRequest, status: number) =>
    journal.record({
      at: Date.now(),
      method: request.method,
      url: request.url,
      project_id: (request.params as { project_id?: string } | undefined)?.project_id ?? null,
      auth: request.caller?.auth ?? 'none',
      caller: request.caller?.id ?? null,
      region: headerText(request.headers.region),
      status,
      error_code: request.errorCode,
      fault: request.fault,
      request_id: request.id,
    });
  app.addHook('onResponse', (request, reply, done) => {
    if (!CONTROL_PATH.test(request.url)) journalize(request, reply.statusCode);
    done();
  });
  app.addHook('preClose', async () => {
    closing.abort();
    for (const socket of stalled) socket.destroy();
  });
  // An answer sent while closing (a delay cut short) ends its connection: an idle keep-alive
  // connection left behind would hold the close until its timeout.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing.signal.aborted) reply.header('connection', 'close');
    done(null, payload);
  });
  app.setNotFoundHandler(async () => {
    throw errors.apiNotFound();
  });
  app.setErrorHandler((error, request, reply) => {
    const control = CONTROL_PATH.test(request.url) && !(request.routeOptions.config as { answersAsTheApi?: boolean }).answersAsTheApi;
    const apiError = toApiError(error, request.is404, control);
    if (apiError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    sendError(request, reply, apiError);
  });
  app.addHook('onClose', async () => store.close());

  const control = new Control(store, fleet, journal, faults.rules);
  app.decorate('control', control);
  let document: Promise<unknown> | undefined;
  const deps: RouteDeps = {
    store,
    control,
    authenticate: authenticationHook(authenticate, API_BODY_LIMIT),
    injectFault: faultHook(faults, (request) => journalize(request, 0), stalled, closing.signal),
    requireAdmin: adminGuard(options.adminToken),
    controlBodyLimit: CONTROL_BODY_LIMIT,
    openApiDocument: () => (document ??= openApiDocument(deps)),
  };
  registerRoutes(app, deps);
  return app;
}

/**
 * Validators and serializers, compiled on first use: most routes are never called in a run, and
 * compiling them all would double the start-up time. Given at construction, so that Fastify does
 * not load its own compilers (and their copies of Ajv) for nothing.
 */
const SCHEMA_CONTROLLER: FastifyServerOptions['schemaController'] = {
  compilersFactory: {
    // Fastify types these with Ajv's function type; ours is the same contract (a boolean, and `errors`).
    buildValidator: () => (({ schema, httpPart }: { schema: unknown; httpPart?: string }) =>
      httpPart === 'querystring' ? compileQuery(schema as TObject) : compile(schema as TSchema)) as never,
    buildSerializer: () => ({ schema }) => onFirstUse(() => fastJson(schema as TSchema)),
  },
};

/**
 * The OpenAPI document, made when first asked for (the generator and what it loads cost start-up
 * time otherwise): the same routes, registered on an instance of their own after the generator,
 * which sees them all; their handlers never run there.
 */
async function openApiDocument(deps: RouteDeps): Promise<unknown> {
  const { default: swagger } = await import('@fastify/swagger');
  const documenter = Fastify({ logger: false, exposeHeadRoutes: false, schemaController: SCHEMA_CONTROLLER }).withTypeProvider<TypeBoxTypeProvider>();
  await documenter.register(swagger, { openapi: OPENAPI_INFO });
  await documenter.register(async (instance) => registerRoutes(instance.withTypeProvider<TypeBoxTypeProvider>(), deps));
  await documenter.ready();
  const document = documenter.swagger();
  await documenter.close();
  return document;
}

const OPENAPI_INFO = {
  openapi: '3.0.3',
  info: {
    title: 'hss-mock',
    version: VERSION,
    description:
      "Huawei Cloud HSS's GET /v5/{project_id}/host-management/hosts, as hss-mock emulates it, and hss-mock's control API under /_mock.",
  },
  components: {
    securitySchemes: {
      token: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: 'An IAM token' },
      aksk: {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: `SDK-HMAC-SHA256 signature with X-Sdk-Date; the development pair is ${DEVELOPMENT_KEY.accessKey} / ${DEVELOPMENT_KEY.secretKey}`,
      },
      admin: { type: 'http', scheme: 'bearer', description: 'The --admin-token, when one is set' },
    },
  },
} as const;

/** On a terminal: `[10:00:00.000] INFO: GET /v5/p/host-management/hosts 200 1.2ms {"reqId": ...}`. */
export const PRETTY_LOGS = {
  colorize: true,
  singleLine: true,
  ignore: 'pid,hostname,method,url,status,ms',
  messageFormat: (log: Record<string, unknown>, messageKey: string) =>
    log.method === undefined ? String(log[messageKey]) : `${log.method} ${log.url} ${log.status} ${log.ms}ms`,
};

const LEVELS_SHOWING_INFO = new Set(['info', 'debug', 'trace']);

/** Logs one line a request when it completes (instead of Fastify's two), with what the journal keeps: never headers. */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!LEVELS_SHOWING_INFO.has(request.log.level)) return;
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    request.log.info(
      { method: request.method, url: request.url, status: reply.statusCode, ms, error_code: request.errorCode ?? undefined, err: error ?? undefined },
      'request',
    );
  }
}

/** A function that compiles itself the first time it is called. */
function onFirstUse<A, R>(compile: () => (arg: A) => R): (arg: A) => R {
  let compiled: ((arg: A) => R) | undefined;
  return (arg) => (compiled ??= compile())(arg);
}

function headerText(value: string | string[] | undefined): string | null {
  return value === undefined ? null : String(value);
}

function newRequestId(): string {
  return randomUUID().replaceAll('-', '');
}

/**
 * What the gateway answers to a request it cannot read, before any route: 494 when the headers are
 * too large, 408 when the request (headers, or body) did not arrive within its timeout.
 */
function answerUnreadableRequest(error: { code?: string }, socket: Socket): void {
  if (!socket.writable) return void socket.destroy();
  const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const [status, reason, detail] = timedOut
    ? ([408, 'Request Timeout', 'the request was not received in time'] as const)
    : error.code === 'HPE_HEADER_OVERFLOW'
      ? ([494, 'Request Header Or Cookie Too Large', 'the request headers are too large'] as const)
      : ([400, 'Bad Request', 'the request could not be parsed'] as const);
  const requestId = newRequestId();
  const body = JSON.stringify(errors.requestError(status, detail).body(requestId));
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
  // A client that stopped sending would hold the half-closed connection: let go of it now, as Node
  // does of its own 408 (the answer is written already).
  if (timedOut) socket.destroy();
}

function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError): void {
  request.errorCode = error.errorCode;
  reply.code(error.statusCode).send(error.body(request.id));
}

/**
 * Any error, as one of the catalogue's. `unrouted`: no route matched (its body was read, and failed,
 * on the way). `control`: a control API route, whose errors have codes of their own.
 */
function toApiError(error: unknown, unrouted = false, control = false): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof InputError) return errors.invalidBody(error.message);
  if (error instanceof DuplicateHostError) return errors.duplicateHost(error.projectId, error.hostId);
  if (error instanceof DataLimitError) return errors.dataLimit(error.message);
  if (error instanceof ResetError) return errors.resetMeanwhile();
  // Only a reset reads start-up files (fixtures, faults) while serving.
  if (error instanceof StartupError) return errors.startupFilesUnusable(error.message);
  const { validation, validationContext, code, statusCode, message } = error as FastifyError;
  // The body stopped arriving and the connection was closed (by its timeout, or by the client):
  // nobody hears this answer, and it is no internal failure.
  if (code === 'ECONNRESET') return errors.requestError(408, 'the request was not received in time');
  if (statusCode === 413) return errors.requestError(413, 'the body is too large');
  if (unrouted) return errors.apiNotFound();
  if (validation?.[0]) {
    const first = validation[0] as ErrorObject;
    if (validationContext === 'body') return errors.invalidBody(describeError(first, 'pointer'));
    const detail = describeError(first, 'parameter');
    return control ? errors.invalidControlParameter(detail) : errors.invalidParameter(detail);
  }
  if (code === 'FST_ERR_BAD_URL') return errors.requestError(400, 'the path is not valid percent-encoded UTF-8');
  if (statusCode === 415) return errors.unsupportedMediaType();
  if (statusCode === 400) return errors.invalidBody(message);
  return errors.internal();
}
