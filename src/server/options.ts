// Command-line options and their environment twins, parsed and validated once, here at the edge.
import { parseArgs } from 'node:util';
import { LOG_LEVELS } from '../http/app.js';
import type { KeyGrant, TokenGrant } from '../auth/auth.js';
import { StartupError } from '../contract/errors.js';

interface OptionSpec {
  /** `token`: `TOKEN[@PROJECT]`; `keys`: `AK:SK[@PROJECT]`. */
  kind: 'integer' | 'string' | 'flag' | 'token' | 'keys' | 'choice';
  /** The values a `choice` takes. */
  choices?: readonly string[];
  /** Has no environment twin of its own (its twin is another option's). */
  noEnv?: boolean;
  help: string;
  /** Shown in --help as the value's name. */
  value?: string;
  min?: number;
  max?: number;
  repeatable?: boolean;
  default?: number | string | boolean;
}

const SEED = { kind: 'integer', value: 'S', min: 0, max: 4_294_967_295, default: 1, help: 'seed of generated hosts' } as const;

/** Every option of the server: `--name`, and its twin `HSS_MOCK_NAME` (repeatable ones take a comma-separated list). */
export const OPTION_SPECS = {
  port: { kind: 'integer', value: 'N', min: 0, max: 65535, default: 8080, help: 'port to listen on; 0 picks a free one' },
  host: { kind: 'string', value: 'ADDR', default: '127.0.0.1', help: 'address to listen on (0.0.0.0: every interface)' },
  hosts: { kind: 'integer', value: 'N', min: 0, max: 2_000_000, default: 50, help: 'hosts generated for each project' },
  seed: SEED,
  token: {
    kind: 'token',
    value: 'TOKEN[@PROJECT]',
    repeatable: true,
    help: 'accept only this X-Auth-Token, on PROJECT only if given (repeatable); default: any token',
  },
  credentials: {
    kind: 'keys',
    value: 'AK:SK[@PROJECT]',
    repeatable: true,
    help: 'accept this AK/SK pair, on PROJECT only if given (repeatable); default: the development pair',
  },
  ak: { kind: 'string', value: 'AK', repeatable: true, noEnv: true, help: 'access key, paired in order with --sk (like --credentials AK:SK)' },
  sk: { kind: 'string', value: 'SK', repeatable: true, noEnv: true, help: 'secret key, paired in order with --ak' },
  fixtures: { kind: 'string', value: 'PATH', repeatable: true, help: 'fixture file or folder of hosts to serve (repeatable)' },
  db: { kind: 'string', value: 'FILE', default: ':memory:', help: 'SQLite file that keeps the data across restarts' },
  'reset-db': { kind: 'flag', default: false, help: 'empty the --db file on start' },
  'admin-token': { kind: 'string', value: 'TOKEN', help: 'require Authorization: Bearer TOKEN on the control API' },
  'data-limit': {
    kind: 'integer',
    value: 'MIB',
    min: 16,
    max: 1_048_576,
    default: 1024,
    help: 'MiB the hosts database may hold (in memory, in the --db file and in temporary files); starting fleets are dropped, least recently used first, to stay within it',
  },
  'journal-size': { kind: 'integer', value: 'N', min: 0, max: 1_000_000, default: 1000, help: 'requests the journal keeps' },
  faults: { kind: 'string', value: 'FILE', help: 'JSON file of fault rules, loaded at start and on reset' },
  'rate-limit': { kind: 'integer', value: 'N', min: 0, max: 1_000_000, default: 0, help: 'requests a second for each caller before 429 APIGW.0308; 0: off' },
  'no-fault-headers': { kind: 'flag', default: false, help: 'ignore the X-Mock-Fault and X-Mock-Delay headers' },
  'headers-timeout': { kind: 'integer', value: 'MS', min: 1, max: 600_000, default: 10_000, help: "milliseconds to receive a request's headers, else 408" },
  'request-timeout': { kind: 'integer', value: 'MS', min: 1, max: 3_600_000, default: 60_000, help: 'milliseconds to receive a whole request, body included, else 408' },
  'max-connections': { kind: 'integer', value: 'N', min: 1, max: 1_000_000, default: 1000, help: 'open connections at most; more are closed at once' },
  'log-level': { kind: 'choice', value: 'LEVEL', choices: LOG_LEVELS, default: 'info', help: `one line a request at info; ${LOG_LEVELS.join(', ')}` },
} as const satisfies Record<string, OptionSpec>;

/** The options of `hss-mock generate`, which prints a fixture file of generated hosts. */
export const GENERATE_SPECS = {
  count: { kind: 'integer', value: 'N', min: 0, max: 2_000_000, default: 50, help: 'hosts to generate' },
  seed: SEED,
  project: { kind: 'string', value: 'ID', help: 'generate the fleet of this project id and key the file by it' },
} as const satisfies Record<string, OptionSpec>;

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
type ValueOf<S extends OptionSpec> = S extends { choices: readonly (infer C)[] }
  ? C
  : {
      integer: number;
      string: string;
      flag: boolean;
      token: TokenGrant;
      keys: KeyGrant;
      choice: string;
    }[S['kind']];
type OptionsOf<Specs extends Record<string, OptionSpec>> = {
  -readonly [K in keyof Specs as CamelCase<K & string>]: Specs[K] extends { repeatable: true }
    ? ValueOf<Specs[K]>[]
    : Specs[K] extends { default: unknown }
      ? ValueOf<Specs[K]>
      : ValueOf<Specs[K]> | undefined;
};
/** The server's options; `--ak`/`--sk` pairs are folded into `credentials`. */
export type Options = Omit<OptionsOf<typeof OPTION_SPECS>, 'ak' | 'sk'>;
export type GenerateOptions = OptionsOf<typeof GENERATE_SPECS>;

export type Command =
  | { command: 'serve'; options: Options }
  | { command: 'generate'; options: GenerateOptions }
  | { command: 'help' }
  | { command: 'version' };

function envName(name: string): string {
  return `HSS_MOCK_${name.toUpperCase().replaceAll('-', '_')}`;
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Reads argv (without node and the script) and the environment; flags win over their twins. */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): Command {
  if (argv[0] === 'generate') {
    const parsed = parse(argv.slice(1), GENERATE_SPECS);
    if (parsed === 'help') return { command: 'help' };
    return { command: 'generate', options: read(parsed, GENERATE_SPECS, {}) as GenerateOptions };
  }
  const parsed = parse(argv, OPTION_SPECS);
  if (parsed === 'help') return { command: 'help' };
  if (parsed.version) return { command: 'version' };
  const { ak, sk, ...options } = read(parsed, OPTION_SPECS, env) as OptionsOf<typeof OPTION_SPECS>;
  return { command: 'serve', options: { ...options, credentials: [...pairKeys(ak, sk), ...options.credentials] } };
}

/** `--ak A1 --sk S1 --ak A2 --sk S2`: pairs, in order. */
function pairKeys(accessKeys: string[], secretKeys: string[]): KeyGrant[] {
  if (accessKeys.length !== secretKeys.length) {
    throw new StartupError(`--ak and --sk come in pairs (got ${accessKeys.length} --ak and ${secretKeys.length} --sk)`);
  }
  return accessKeys.map((accessKey, i) => ({ accessKey, secretKey: secretKeys[i]!, projects: [] }));
}

type Parsed = Record<string, string | string[] | boolean | undefined>;

function parse(argv: string[], specs: Record<string, OptionSpec>): Parsed | 'help' {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        ...Object.fromEntries(
          Object.entries(specs).map(([name, spec]) => [name, { type: spec.kind === 'flag' ? 'boolean' : 'string', multiple: spec.repeatable === true }]),
        ),
      },
    });
    return values.help ? 'help' : (values as Parsed);
  } catch (error) {
    throw new StartupError(`${(error as Error).message.replace(/\s*\n\s*/g, ' ')}; see --help`);
  }
}

/** Each option from its flag, else its environment twin, else its default; checked against its spec. */
function read(parsed: Parsed, specs: Record<string, OptionSpec>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const flag = parsed[name];
    const twin = spec.noEnv ? undefined : env[envName(name)];
    const source = flag !== undefined ? `--${name}` : envName(name);
    let value: unknown;
    if (typeof flag === 'boolean') value = flag;
    else if (spec.repeatable) value = ((flag as string[] | undefined) ?? twin?.split(',').filter(Boolean) ?? []).map((item) => readValue(spec, item, source));
    else if (flag !== undefined || twin !== undefined) value = readValue(spec, (flag ?? twin) as string, source);
    else value = spec.default;
    options[camelCase(name)] = value;
  }
  return options;
}

/** `VALUE@PROJECT` split at its last `@`. */
function bound(value: string): [value: string, projects: string[]] {
  const at = value.lastIndexOf('@');
  return at === -1 ? [value, []] : [value.slice(0, at), [value.slice(at + 1)]];
}

/** An option read from its text (a flag's argument or an environment twin), then checked as the library's options are. */
function readValue(spec: OptionSpec, text: string, source: string): unknown {
  if (text === '') throw new StartupError(`${source} must not be empty`);
  if (spec.kind === 'token') {
    const [token, projects] = bound(text);
    if (token === '' || projects[0] === '') throw new StartupError(`${source} must be TOKEN or TOKEN@PROJECT`);
    return { token, projects };
  }
  if (spec.kind === 'keys') {
    const [pair, projects] = bound(text);
    const colon = pair.indexOf(':');
    if (colon < 1 || colon === pair.length - 1 || projects[0] === '') throw new StartupError(`${source} must be AK:SK or AK:SK@PROJECT`);
    return { accessKey: pair.slice(0, colon), secretKey: pair.slice(colon + 1), projects };
  }
  if (spec.kind === 'flag') {
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    throw new StartupError(`${source} must be true, false, 1 or 0 (got ${JSON.stringify(text)})`);
  }
  // Decimal digits only: Number() would also take `1e3`, `0x10` and ` 5`.
  const value = spec.kind === 'integer' ? (/^[0-9]+$/.test(text) ? Number(text) : NaN) : text;
  return checkValue(spec, value, source, JSON.stringify(text));
}

/**
 * Checks a typed value against its option's spec: the command line's once read from its text, the
 * library's as given, so that both refuse the same values with the same messages. Secrets (tokens,
 * keys, strings such as the admin token) are never echoed.
 */
function checkValue(spec: OptionSpec, value: unknown, source: string, given = typeof value === 'string' ? JSON.stringify(value) : String(value)): unknown {
  switch (spec.kind) {
    case 'integer':
      if (!Number.isInteger(value) || (value as number) < spec.min! || (value as number) > spec.max!) {
        throw new StartupError(`${source} must be an integer from ${spec.min} to ${spec.max} (got ${given})`);
      }
      break;
    case 'choice':
      if (!spec.choices!.includes(value as string)) throw new StartupError(`${source} must be one of ${spec.choices!.join(', ')} (got ${given})`);
      break;
    case 'flag':
      if (typeof value !== 'boolean') throw new StartupError(`${source} must be true or false (got ${given})`);
      break;
    case 'string':
      if (!nonEmpty(value)) throw new StartupError(`${source} must be a non-empty string`);
      break;
    case 'token':
      if (!isGrant(value, ['token'])) throw new StartupError(`${source} must be { token, projects? } with non-empty strings`);
      break;
    case 'keys':
      if (!isGrant(value, ['accessKey', 'secretKey'])) throw new StartupError(`${source} must be { accessKey, secretKey, projects? } with non-empty strings`);
      break;
  }
  return value;
}

function nonEmpty(text: unknown): boolean {
  return typeof text === 'string' && text !== '';
}

/** `{ token, projects? }` or `{ accessKey, secretKey, projects? }`: those fields only, non-empty strings. */
function isGrant(value: unknown, fields: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { projects, ...rest } = value as Record<string, unknown>;
  return (
    Object.keys(rest).length === fields.length &&
    fields.every((field) => nonEmpty(rest[field])) &&
    (projects === undefined || (Array.isArray(projects) && projects.every(nonEmpty)))
  );
}

/** Options of the library that the command line sets for it. */
const LIBRARY_ONLY_SPECS = {
  prettyLogs: { kind: 'flag', help: 'human-readable logs (for a terminal) instead of JSON lines' },
} as const satisfies Record<string, OptionSpec>;

/** The library's options by their camel-cased names; `--ak`/`--sk` are only the command line's way to give `credentials`. */
const LIBRARY_SPECS = new Map<string, OptionSpec>([
  ...Object.entries(OPTION_SPECS)
    .filter(([name]) => name !== 'ak' && name !== 'sk')
    .map(([name, spec]): [string, OptionSpec] => [camelCase(name), spec]),
  ...Object.entries(LIBRARY_ONLY_SPECS),
]);

/** Checks the library's options as the command line checks its own; a bad or unknown one throws a StartupError. Absent (undefined) ones take their defaults. */
export function checkLibraryOptions(options: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const spec = LIBRARY_SPECS.get(name);
    if (spec === undefined) throw new StartupError(`unknown option ${JSON.stringify(name)}; the options are ${[...LIBRARY_SPECS.keys()].join(', ')}`);
    if (!spec.repeatable) checkValue(spec, value, name);
    else if (!Array.isArray(value)) throw new StartupError(`${name} must be an array`);
    else value.forEach((item, index) => checkValue(spec, item, `${name}[${index}]`));
  }
}

function optionLines(specs: Record<string, OptionSpec>, withEnv: boolean): string[] {
  return Object.entries(specs).map(([name, spec]) => {
    const left = `  --${name}${spec.value ? ` ${spec.value}` : ''}`.padEnd(34);
    const suffix = spec.default === undefined || spec.default === false || spec.default === 0 ? '' : ` (default ${spec.default})`;
    const twin = spec.noEnv ? 'env HSS_MOCK_CREDENTIALS (AK:SK,...)' : `env ${envName(name)}`;
    return `${left}${spec.help}${suffix}${withEnv ? `\n${''.padEnd(34)}${twin}` : ''}`;
  });
}

export function usage(version: string): string {
  return [
    `hss-mock ${version}: a local emulator of Huawei Cloud HSS (GET /v5/{project_id}/host-management/hosts)`,
    '',
    'Usage: hss-mock [options]',
    '',
    'Options (each has an environment twin; a flag wins over its twin):',
    ...optionLines(OPTION_SPECS, true),
    `${'  -h, --help'.padEnd(34)}print this help`,
    `${'  --version'.padEnd(34)}print the version`,
    '',
    'Usage: hss-mock generate [options] > fixture.json',
    '',
    'Prints a fixture file of generated hosts: the fleet a project gets from the same seed and count.',
    ...optionLines(GENERATE_SPECS, false),
    '',
  ].join('\n');
}
