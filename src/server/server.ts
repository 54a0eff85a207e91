// startHssMock(options): the emulator listening, for the command line and for test suites alike.
import { buildApp, type AppOptions } from '../http/app.js';
import type { GenerateResult } from '../control/control.js';
import { StartupError } from '../contract/errors.js';
import { checkLibraryOptions } from './options.js';
import type { Host, JournalEntry, JournalQuery } from '../contract/schemas.js';

export interface HssMockOptions extends Partial<AppOptions> {
  /** Port to listen on; 0 (the default here) picks a free one. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
}

/** A running emulator. */
export interface HssMock {
  /** Where it listens, e.g. `http://127.0.0.1:43817`. */
  url: string;
  port: number;
  /** The control API's hosts calls, without HTTP. Bad input rejects, and writes nothing. */
  hosts: {
    /** Every host of a project, in API order. */
    list(projectId: string): Promise<Host[]>;
    /** Adds one host, an array, or a saved API response, completing partial hosts; resolves to the stored hosts. */
    add(projectId: string, hosts: Host | Host[] | { total_num: number; data_list: Host[] }): Promise<Host[]>;
    /** Replaces every host of a project; resolves to the stored hosts. */
    replace(projectId: string, hosts: Host | Host[] | { total_num: number; data_list: Host[] }): Promise<Host[]>;
    /** JSON merge patch of one host: `null` removes a field. */
    patch(projectId: string, hostId: string, patch: { [K in keyof Host]?: Host[K] | null }): Promise<Host>;
    delete(projectId: string, hostId: string): Promise<void>;
    /** Deletes every host: the project then serves an empty fleet. */
    deleteAll(projectId: string): Promise<void>;
    /** Replaces the fleet with a generated one. */
    generate(projectId: string, count: number, seed?: number): Promise<GenerateResult>;
  };
  /** The request journal, without HTTP. */
  requests: {
    /** A page of the journal (up to 1000 entries), oldest first unless `order` is `desc`. */
    list(query?: JournalQuery): { total: number; requests: JournalEntry[] };
    clear(): void;
  };
  /** Back to the start-up state: one project, or every project (and an empty journal). */
  reset(projectId?: string): Promise<void>;
  /** Stops listening once in-flight requests have finished (delays and stalls are cut short), and closes the database. */
  close(): Promise<void>;
}

/** Starts an emulator; several in one process stay independent. A bad or unknown option throws a StartupError, as on the command line. */
export async function startHssMock(options: HssMockOptions = {}): Promise<HssMock> {
  checkLibraryOptions(options as Record<string, unknown>);
  const { port = 0, host = '127.0.0.1', ...appOptions } = options;
  const app = buildApp(appOptions);
  // Fastify logs its own "Server listening" line; the command prints one banner instead.
  const level = app.log.level;
  app.log.level = level === 'silent' ? 'silent' : 'warn';
  try {
    await app.listen({ port, host });
    app.log.level = level;
  } catch (error) {
    await app.close();
    throw new StartupError(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
  }
  const address = app.server.address() as { port: number };
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const control = app.control;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    hosts: {
      list: (projectId) => control.hosts(projectId),
      add: (projectId, hosts) => control.addHosts(projectId, hosts),
      replace: (projectId, hosts) => control.replaceHosts(projectId, hosts),
      patch: (projectId, hostId, patch) => control.patchHost(projectId, hostId, patch),
      delete: (projectId, hostId) => control.deleteHost(projectId, hostId),
      deleteAll: (projectId) => control.deleteHosts(projectId),
      generate: (projectId, count, seed) => control.generate(projectId, count, seed),
    },
    requests: {
      list: (query) => control.requests(query),
      clear: () => control.clearRequests(),
    },
    reset: (projectId) => control.reset(projectId),
    close: () => app.close(),
  };
}
