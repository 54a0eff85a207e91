// Command-line options and their environment twins, parsed and validated once, here at the edge.
import { parseArgs } from 'node:util';
import { StartupError } from './errors.js';

interface OptionSpec {
  kind: 'integer' | 'string';
  help: string;
  /** Shown in --help as the value's name. */
  value: string;
  min?: number;
  max?: number;
  repeatable?: boolean;
  default?: number | string;
}

/** Every option: `--name`, and its twin `HSS_MOCK_NAME` (repeatable ones take a comma-separated list). */
export const OPTION_SPECS = {
  port: { kind: 'integer', value: 'N', min: 0, max: 65535, default: 8080, help: 'port to listen on; 0 picks a free one' },
  host: { kind: 'string', value: 'ADDR', default: '127.0.0.1', help: 'address to listen on (0.0.0.0: every interface)' },
  hosts: { kind: 'integer', value: 'N', min: 0, max: 2_000_000, default: 50, help: 'hosts generated for each project' },
  seed: { kind: 'integer', value: 'S', min: 0, max: 4_294_967_295, default: 1, help: 'seed of generated hosts' },
  token: { kind: 'string', value: 'TOKEN', repeatable: true, help: 'accept only this X-Auth-Token (repeatable); default: any token' },
  fixtures: { kind: 'string', value: 'PATH', repeatable: true, help: 'fixture file or folder of hosts to serve (repeatable)' },
} as const satisfies Record<string, OptionSpec>;

type Specs = typeof OPTION_SPECS;
type ValueOf<S extends OptionSpec> = S['kind'] extends 'integer' ? number : string;
export type Options = {
  -readonly [K in keyof Specs]: Specs[K] extends { repeatable: true } ? string[] : ValueOf<Specs[K]>;
};

export type Command = { command: 'serve'; options: Options } | { command: 'help' } | { command: 'version' };

export function envName(name: string): string {
  return `HSS_MOCK_${name.toUpperCase().replaceAll('-', '_')}`;
}

/** Reads argv (without node and the script) and the environment; flags win over their twins. */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        ...Object.fromEntries(
          Object.entries(OPTION_SPECS).map(([name, spec]) => [name, { type: 'string', multiple: 'repeatable' in spec }]),
        ),
      },
    });
  } catch (error) {
    throw new StartupError(`${(error as Error).message.replace(/\s*\n\s*/g, ' ')}; see --help`);
  }
  if (parsed.values.help) return { command: 'help' };
  if (parsed.values.version) return { command: 'version' };

  const options: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(OPTION_SPECS) as [string, OptionSpec][]) {
    const flag = (parsed.values as Record<string, string | string[] | undefined>)[name];
    const twin = env[envName(name)];
    const source = flag !== undefined ? `--${name}` : envName(name);
    const raw = flag ?? (twin === undefined ? undefined : spec.repeatable ? twin.split(',').filter(Boolean) : twin);
    if (spec.repeatable) {
      options[name] = ((raw ?? []) as string[]).map((value) => read(spec, value, source));
    } else {
      options[name] = raw === undefined ? spec.default : read(spec, raw as string, source);
    }
  }
  return { command: 'serve', options: options as Options };
}

function read(spec: OptionSpec, value: string, source: string): number | string {
  if (spec.kind === 'string') {
    if (value === '') throw new StartupError(`${source} must not be empty`);
    return value;
  }
  const number = Number(value);
  if (!/^[0-9]+$/.test(value) || number < spec.min! || number > spec.max!) {
    throw new StartupError(`${source} must be an integer from ${spec.min} to ${spec.max} (got "${value}")`);
  }
  return number;
}

export function usage(version: string): string {
  const lines = Object.entries(OPTION_SPECS).map(([name, spec]: [string, OptionSpec]) => {
    const left = `  --${name} ${spec.value}`.padEnd(24);
    const suffix = spec.default === undefined ? '' : ` (default ${spec.default})`;
    return `${left}${spec.help}${suffix}\n${''.padEnd(24)}env ${envName(name)}`;
  });
  return [
    `hss-mock ${version}: a local emulator of Huawei Cloud HSS (GET /v5/{project_id}/host-management/hosts)`,
    '',
    'Usage: hss-mock [options]',
    '',
    'Options (each has an environment twin; a flag wins over its twin):',
    ...lines,
    `${'  -h, --help'.padEnd(24)}print this help`,
    `${'  --version'.padEnd(24)}print the version`,
    '',
  ].join('\n');
}
