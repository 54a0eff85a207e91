#!/usr/bin/env node
// The hss-mock command: parses options, then serves, or prints a fixture file of generated hosts.
// A bad option, fixture or database stops it with one line and exit code 2, before anything is
// served or written.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import closeWithGrace from 'close-with-grace';
import { DEVELOPMENT_KEY } from './auth/auth.js';
import { StartupError } from './contract/errors.js';
import { HostFactory } from './fleet/generator.js';
import { parseCommandLine, usage, type GenerateOptions, type Options } from './server/options.js';
import { serializeHost } from './contract/schemas.js';
import { startHssMock } from './server/server.js';
import { VERSION } from './contract/version.js';

/** Without --project, `generate` prints the fleet of this project id, for every project to serve. */
const GENERATE_DEFAULT_PROJECT = 'default';
/** How long in-flight requests get to finish after SIGINT/SIGTERM. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How often a command that npm started looks whether it has lost its parent. */
const PARENT_CHECK_MS = 1000;

/** The startup banner: where it listens, what it serves, who gets in, where data lives, where the console is. */
function banner(url: string, options: Options): string {
  const data =
    options.fixtures.length === 0
      ? `${options.hosts} generated hosts per project, seed ${options.seed}`
      : `fixtures ${options.fixtures.join(', ')}`;
  const tokens = options.token.length === 0 ? 'any X-Auth-Token' : `${options.token.length} configured token(s)`;
  const keys =
    options.credentials.length === 0
      ? `AK/SK: the development pair ${DEVELOPMENT_KEY.accessKey} / ${DEVELOPMENT_KEY.secretKey}`
      : `${options.credentials.length} configured AK/SK pair(s)`;
  const storage = options.db === ':memory:' ? 'in memory' : `in ${options.db}`;
  return `hss-mock ${VERSION} listening on ${url} (${data}; ${tokens}; ${keys}; data ${storage}), web console at ${url}/_mock/ui/\n`;
}

async function serve(options: Options, startedByNpm: boolean): Promise<void> {
  // Read before the banner: a parent may die as soon as it has read the banner, and the watch
  // below must then see a parent other than this one (read after, it could be the new one).
  const parent = process.ppid;
  const mock = await startHssMock({ ...options, prettyLogs: process.stdout.isTTY === true });
  process.stdout.write(banner(mock.url, options));
  // In-flight requests finish (delays and stalls cut short), the database closes, then exit code 0.
  const { close } = closeWithGrace({ delay: SHUTDOWN_GRACE_MS }, () => mock.close());
  // npm (`npx hss-mock`, an npm script) starts the command through a shell and forwards SIGTERM
  // and SIGINT to that shell alone, which dies of them without passing them on. A command whose
  // parent has changed has lost the npm that started it: it stops as it would on SIGTERM.
  if (startedByNpm) {
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      void close();
    }, PARENT_CHECK_MS).unref();
  }
}

/** Prints a fixture file: a saved API response of the fleet, keyed by project id when one is given. */
async function generate({ count, seed, project }: GenerateOptions): Promise<void> {
  const hosts = new HostFactory(seed, project ?? GENERATE_DEFAULT_PROJECT).generate(count);
  async function* chunks() {
    yield project === undefined ? '' : `{${JSON.stringify(project)}:`;
    yield `{"total_num":${count},"data_list":[`;
    let first = true;
    for (const host of hosts) {
      yield `${first ? '\n' : ',\n'}${serializeHost(host)}`;
      first = false;
    }
    yield project === undefined ? '\n]}\n' : '\n]}}\n';
  }
  try {
    await pipeline(Readable.from(chunks()), process.stdout);
  } catch (error) {
    // A reader that stops early (`| head`) is not a failure.
    /* c8 ignore next */
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
}

async function main(): Promise<void> {
  const command = parseCommandLine(process.argv.slice(2), process.env);
  if (command.command === 'help') process.stdout.write(usage(VERSION));
  else if (command.command === 'version') process.stdout.write(`${VERSION}\n`);
  else if (command.command === 'generate') await generate(command.options);
  else await serve(command.options, process.env.npm_lifecycle_event !== undefined);
}

main().catch((error: Error) => {
  if (error instanceof StartupError) {
    process.stderr.write(`hss-mock: ${error.message}\n`);
    process.exit(2);
  }
  /* c8 ignore next 2 -- only a bug gets here; its stack is kept for the report */
  throw error;
});
