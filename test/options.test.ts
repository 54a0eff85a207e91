// Command-line options and their environment twins.
import t from 'tap';
import { StartupError } from '../src/errors.js';
import { parseCommandLine, usage } from '../src/options.js';

const serve = (argv: string[], env: Record<string, string> = {}) => {
  const command = parseCommandLine(argv, env);
  if (command.command !== 'serve') throw new Error(`expected serve, got ${command.command}`);
  return command.options;
};

t.test('defaults', async (t) => {
  t.same(serve([]), { port: 8080, host: '127.0.0.1', hosts: 50, seed: 1, token: [], fixtures: [] });
});

t.test('flags', async (t) => {
  const options = serve(['--port', '0', '--host', '0.0.0.0', '--hosts', '2000000', '--seed', '4294967295', '--token', 'a', '--token=b', '--fixtures', 'x.json']);
  t.same(options, { port: 0, host: '0.0.0.0', hosts: 2000000, seed: 4294967295, token: ['a', 'b'], fixtures: ['x.json'] });
});

t.test('environment twins; a flag wins over its twin', async (t) => {
  const env = { HSS_MOCK_PORT: '9000', HSS_MOCK_HOST: '::1', HSS_MOCK_HOSTS: '5', HSS_MOCK_SEED: '7', HSS_MOCK_TOKEN: 'a,b', HSS_MOCK_FIXTURES: 'f1,f2' };
  t.same(serve([], env), { port: 9000, host: '::1', hosts: 5, seed: 7, token: ['a', 'b'], fixtures: ['f1', 'f2'] });
  t.same(serve(['--port', '1', '--token', 'c'], env).port, 1);
  t.same(serve(['--port', '1', '--token', 'c'], env).token, ['c']);
});

t.test('help and version', async (t) => {
  t.same(parseCommandLine(['--help'], {}), { command: 'help' });
  t.same(parseCommandLine(['-h'], {}), { command: 'help' });
  t.same(parseCommandLine(['--version'], {}), { command: 'version' });
  const text = usage('1.2.3');
  for (const name of ['port', 'host', 'hosts', 'seed', 'token', 'fixtures']) {
    t.match(text, new RegExp(`--${name} `), `--${name} is listed`);
    t.match(text, new RegExp(`env HSS_MOCK_${name.toUpperCase()}\\b`), `with its twin`);
  }
  t.match(text, /\(default 8080\)/);
});

t.test('bad options stop with one clear line', async (t) => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['--port', 'abc'], {}, /^--port must be an integer from 0 to 65535 \(got "abc"\)$/],
    [['--port', '65536'], {}, /^--port must be an integer from 0 to 65535/],
    [['--port=-1'], {}, /^--port must be an integer/],
    [['--port', '-1'], {}, /^Option '--port' argument is ambiguous\. .*; see --help$/],
    [['--hosts', '2000001'], {}, /^--hosts must be an integer from 0 to 2000000/],
    [['--seed', '1.5'], {}, /^--seed must be an integer from 0 to 4294967295/],
    [[], { HSS_MOCK_PORT: 'x' }, /^HSS_MOCK_PORT must be an integer/],
    [['--host', ''], {}, /^--host must not be empty$/],
    [['--bogus'], {}, /Unknown option '--bogus'; see --help$/],
    [['--port'], {}, /--port.*argument missing|argument missing/],
    [['stray'], {}, /Unexpected argument 'stray'/],
  ];
  for (const [argv, env, message] of cases) {
    const error = t.throws(() => parseCommandLine(argv, env), `${argv.join(' ')} ${JSON.stringify(env)}`) as Error;
    t.type(error, StartupError);
    t.match(error.message, message);
    t.notMatch(error.message, /\n/);
  }
});
