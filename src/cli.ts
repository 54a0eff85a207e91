#!/usr/bin/env node
// The hss-mock command: parses options, loads fixtures, listens. A bad option or fixture stops it
// with one line and exit code 2, before anything is served or written.
import { readFileSync } from 'node:fs';
import { buildApp } from './app.js';
import { StartupError } from './errors.js';
import { loadFixtures } from './fixtures.js';
import { parseCommandLine, usage, type Options } from './options.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

async function serve(options: Options): Promise<void> {
  const fixtures = loadFixtures(options.fixtures);
  const app = buildApp({ seed: options.seed, hostsPerProject: options.hosts, tokens: options.token, fixtures });
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    throw new StartupError(`cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`);
  }
  const { port } = app.server.address() as { port: number };
  const hostPart = options.host.includes(':') ? `[${options.host}]` : options.host;
  const tokens = options.token.length === 0 ? 'any X-Auth-Token' : `${options.token.length} configured token(s)`;
  const data =
    options.fixtures.length === 0
      ? `${options.hosts} generated hosts per project, seed ${options.seed}`
      : `fixtures ${options.fixtures.join(', ')}`;
  process.stdout.write(`hss-mock ${version} listening on http://${hostPart}:${port} (${data}; ${tokens})\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void app.close().then(() => process.exit(0)));
  }
}

async function main(): Promise<void> {
  const command = parseCommandLine(process.argv.slice(2), process.env);
  if (command.command === 'help') process.stdout.write(usage(version));
  else if (command.command === 'version') process.stdout.write(`${version}\n`);
  else await serve(command.options);
}

main().catch((error: Error) => {
  if (error instanceof StartupError) {
    process.stderr.write(`hss-mock: ${error.message}\n`);
    process.exit(2);
  }
  /* c8 ignore next 2 -- only a bug gets here; its stack is kept for the report */
  throw error;
});
