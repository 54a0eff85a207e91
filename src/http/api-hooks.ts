// The emulated API's per-request steps before its handler: who calls (authentication and
// project bindings), then throttling and injected faults.
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authentication, AuthRequest } from '../auth/auth.js';
import { errors } from '../contract/errors.js';
import type { FaultInjector } from '../faults/faults.js';
import { bodySha256, EMPTY_BODY_SHA256, hasBody } from '../auth/signature.js';

type ProjectRequest = FastifyRequest<{ Params: { project_id: string } }>;

/** The longest a `stall` fault holds a connection. */
const MAX_STALL_MS = 10 * 60 * 1000;

/** Authenticates a request (401) and checks its project (403); records the caller either way. */
export function authenticationHook(authenticate: (request: AuthRequest) => Authentication, bodyLimit: number) {
  return async (request: ProjectRequest): Promise<void> => {
    const { caller, error } = authenticate({
      method: request.method,
      url: request.url,
      headers: request.headers,
      projectId: request.params.project_id,
      bodySha256: hasBody(request.raw)
        ? await bodySha256(request.raw, bodyLimit, () => errors.requestError(413, 'the body is too large'))
        : EMPTY_BODY_SHA256,
    });
    request.caller = caller ?? null;
    if (error) throw error;
  };
}

/**
 * Throttles and injects faults, after authentication (which has named the caller). A dropped
 * connection gets no answer, so it is journaled here; stalled connections are let go of when the
 * app closes, and a delay ends when `closing` aborts (the request is then answered at once).
 */
export function faultHook(faults: FaultInjector, journalizeUnanswered: (request: FastifyRequest) => void, stalled: Set<Socket>, closing: AbortSignal) {
  return async (request: ProjectRequest, reply: FastifyReply): Promise<void> => {
    const fault = faults.decide({
      projectId: request.params.project_id,
      query: request.query as Record<string, unknown>,
      caller: request.caller!.id,
      headers: request.headers,
    });
    if (!fault) return;
    request.fault = fault.source;
    const { action } = fault;
    if (action.kind === 'error') throw action.error;
    // Aborting is the only way this sleep fails.
    if (action.kind === 'delay') return void (await sleep(action.ms, undefined, { signal: closing }).catch(() => undefined));
    journalizeUnanswered(request);
    reply.hijack();
    const socket = request.raw.socket;
    if (action.kind === 'reset') return void socket.resetAndDestroy();
    stalled.add(socket);
    socket.once('close', () => stalled.delete(socket));
    // Until the client gives up; bounded, so that nothing is held for ever.
    setTimeout(() => socket.destroy(), MAX_STALL_MS).unref();
  };
}
