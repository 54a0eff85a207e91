// Shared by the tests: an app on an in-memory database, and a typed way to call the hosts API.
import { buildApp, type AppOptions } from '../src/http/app.js';
import type { Host } from '../src/contract/schemas.js';

export const HOSTS_PATH = '/v5/project-a/host-management/hosts';
export const TOKEN = { 'x-auth-token': 'test-token' };
export const MIXED_FLEET = new URL('../fixtures/mixed-fleet.json', import.meta.url).pathname;
export const SEED_EXAMPLE = new URL('../fixtures/seed-example.json', import.meta.url).pathname;

export type App = ReturnType<typeof buildApp>;

/** An app for one test, closed when the test ends. */
export function testApp(t: { teardown(fn: () => unknown): void }, options: Partial<AppOptions> = {}): App {
  const app = buildApp(options);
  t.teardown(() => app.close());
  return app;
}

/** An app serving the mixed fleet fixture to every project. */
export function mixedFleetApp(t: { teardown(fn: () => unknown): void }): App {
  return testApp(t, { fixtures: [MIXED_FLEET] });
}

export interface HostsAnswer {
  status: number;
  headers: Record<string, unknown>;
  body: { total_num: number; data_list: Host[]; error_code?: string; error_msg?: string; request_id?: string };
}

/** GET the hosts API with a query string (given raw, as a client would send it). */
export async function listHosts(app: App, query = '', headers: Record<string, string> = TOKEN, path = HOSTS_PATH): Promise<HostsAnswer> {
  const response = await app.inject({ method: 'GET', url: query ? `${path}?${query}` : path, headers });
  return { status: response.statusCode, headers: response.headers, body: response.json() };
}

/** The names of the hosts a query returns (one page). */
export async function namesOf(app: App, query: string): Promise<string[]> {
  const { status, body } = await listHosts(app, query);
  if (status !== 200) throw new Error(`expected 200, got ${status}: ${JSON.stringify(body)}`);
  return body.data_list.map((host) => host.host_name!);
}
