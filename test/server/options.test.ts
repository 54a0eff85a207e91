// Command-line options and their environment twins.
import t from 'tap';
import { StartupError } from '../../src/contract/errors.js';
import { parseCommandLine, usage } from '../../src/server/options.js';

const serve = (argv: string[], env: Record<string, string> = {}) => {
  const command = parseCommandLine(argv, env);
  if (command.command !== 'serve') throw new Error(`expected serve, got ${command.command}`);
  return command.options;
};

const DEFAULTS = {
  port: 8080,
  host: '127.0.0.1',
  hosts: 50,
  seed: 1,
  token: [],
  credentials: [],
  fixtures: [],
  db: ':memory:',
  resetDb: false,
  adminToken: undefined,
  dataLimit: 1024,
  journalSize: 1000,
  faults: undefined,
  rateLimit: 0,
  noFaultHeaders: false,
  headersTimeout: 10000,
  requestTimeout: 60000,
  maxConnections: 1000,
  logLevel: 'info',
};

t.test('defaults', async (t) => {
  t.strictSame(serve([]), DEFAULTS);
});

t.test('flags', async (t) => {
  const options = serve([
    ...['--port', '0', '--host', '0.0.0.0', '--hosts', '2000000', '--seed', '4294967295', '--token', 'a', '--token=b'],
    ...['--fixtures', 'x.json', '--db', 'data.db', '--reset-db', '--admin-token', 'secret', '--journal-size', '0'],
    ...['--credentials', 'AK1:SK1', '--ak', 'AK2', '--sk', 'S:K2', '--credentials', 'AK3:SK3@p3', '--token', 'c@p1', '--log-level', 'warn'],
    ...['--faults', 'faults.json', '--rate-limit', '200', '--no-fault-headers', '--data-limit', '64'],
    ...['--headers-timeout', '5', '--request-timeout', '3600000', '--max-connections', '1'],
  ]);
  t.strictSame(options, {
    port: 0,
    host: '0.0.0.0',
    hosts: 2000000,
    seed: 4294967295,
    token: [
      { token: 'a', projects: [] },
      { token: 'b', projects: [] },
      { token: 'c', projects: ['p1'] },
    ],
    credentials: [
      { accessKey: 'AK2', secretKey: 'S:K2', projects: [] },
      { accessKey: 'AK1', secretKey: 'SK1', projects: [] },
      { accessKey: 'AK3', secretKey: 'SK3', projects: ['p3'] },
    ],
    fixtures: ['x.json'],
    db: 'data.db',
    resetDb: true,
    adminToken: 'secret',
    dataLimit: 64,
    journalSize: 0,
    faults: 'faults.json',
    rateLimit: 200,
    noFaultHeaders: true,
    headersTimeout: 5,
    requestTimeout: 3600000,
    maxConnections: 1,
    logLevel: 'warn',
  });
});

t.test('environment twins; a flag wins over its twin', async (t) => {
  const env = {
    HSS_MOCK_PORT: '9000',
    HSS_MOCK_HOST: '::1',
    HSS_MOCK_HOSTS: '5',
    HSS_MOCK_SEED: '7',
    HSS_MOCK_TOKEN: 'a,b@p',
    HSS_MOCK_CREDENTIALS: 'K1:S1,K2:S2@p2',
    HSS_MOCK_AK: 'ignored: --ak has no twin of its own',
    HSS_MOCK_FIXTURES: 'f1,f2',
    HSS_MOCK_DB: '/data/hss.db',
    HSS_MOCK_RESET_DB: 'true',
    HSS_MOCK_ADMIN_TOKEN: 'admin',
    HSS_MOCK_JOURNAL_SIZE: '10',
    HSS_MOCK_LOG_LEVEL: 'silent',
    HSS_MOCK_FAULTS: '/f.json',
    HSS_MOCK_RATE_LIMIT: '5',
    HSS_MOCK_NO_FAULT_HEADERS: '1',
    HSS_MOCK_HEADERS_TIMEOUT: '100',
    HSS_MOCK_REQUEST_TIMEOUT: '200',
    HSS_MOCK_MAX_CONNECTIONS: '300',
  };
  t.strictSame(serve([], env), {
    port: 9000,
    host: '::1',
    hosts: 5,
    seed: 7,
    token: [
      { token: 'a', projects: [] },
      { token: 'b', projects: ['p'] },
    ],
    credentials: [
      { accessKey: 'K1', secretKey: 'S1', projects: [] },
      { accessKey: 'K2', secretKey: 'S2', projects: ['p2'] },
    ],
    fixtures: ['f1', 'f2'],
    db: '/data/hss.db',
    resetDb: true,
    adminToken: 'admin',
    dataLimit: 1024,
    journalSize: 10,
    faults: '/f.json',
    rateLimit: 5,
    noFaultHeaders: true,
    headersTimeout: 100,
    requestTimeout: 200,
    maxConnections: 300,
    logLevel: 'silent',
  });
  t.equal(serve(['--port', '1', '--token', 'c'], env).port, 1);
  t.strictSame(serve(['--port', '1', '--token', 'c'], env).token, [{ token: 'c', projects: [] }]);
  t.equal(serve([], { HSS_MOCK_RESET_DB: '0' }).resetDb, false);
  t.equal(serve([], { HSS_MOCK_RESET_DB: '1' }).resetDb, true);
  t.equal(serve([], { HSS_MOCK_RESET_DB: 'false' }).resetDb, false);
});

t.test('generate', async (t) => {
  t.strictSame(parseCommandLine(['generate'], { HSS_MOCK_SEED: '9' }), { command: 'generate', options: { count: 50, seed: 1, project: undefined } }, 'no environment twins');
  t.strictSame(parseCommandLine(['generate', '--count', '7', '--seed', '3', '--project', 'p'], {}), {
    command: 'generate',
    options: { count: 7, seed: 3, project: 'p' },
  });
  t.strictSame(parseCommandLine(['generate', '--help'], {}), { command: 'help' });
  t.throws(() => parseCommandLine(['generate', '--count', '2000001'], {}), /^--count must be an integer from 0 to 2000000/);
  t.throws(() => parseCommandLine(['generate', '--port', '1'], {}), /Unknown option '--port'/);
});

t.test('help and version', async (t) => {
  t.same(parseCommandLine(['--help'], {}), { command: 'help' });
  t.same(parseCommandLine(['-h'], {}), { command: 'help' });
  t.same(parseCommandLine(['--version'], {}), { command: 'version' });
  const text = usage('1.2.3');
  for (const name of ['port', 'host', 'hosts', 'seed', 'token', 'credentials', 'fixtures', 'db', 'reset-db', 'admin-token', 'journal-size', 'log-level', 'faults', 'rate-limit', 'no-fault-headers', 'headers-timeout', 'request-timeout', 'max-connections']) {
    t.match(text, new RegExp(`--${name} `), `--${name} is listed`);
    t.match(text, new RegExp(`env HSS_MOCK_${name.toUpperCase().replaceAll('-', '_')}\\b`), `with its twin`);
  }
  t.match(text, /\(default 8080\)/);
  t.match(text, /--ak AK .*\n +env HSS_MOCK_CREDENTIALS \(AK:SK,\.\.\.\)/);
  t.match(text, /Usage: hss-mock generate \[options\]/);
  t.match(text, /--count N +hosts to generate \(default 50\)/);
});

t.test('bad options stop with one clear line', async (t) => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['--port', 'abc'], {}, /^--port must be an integer from 0 to 65535 \(got "abc"\)$/],
    [['--port', '65536'], {}, /^--port must be an integer from 0 to 65535/],
    [['--port=-1'], {}, /^--port must be an integer/],
    [['--port', '-1'], {}, /^Option '--port' argument is ambiguous\. .*; see --help$/],
    [['--hosts', '2000001'], {}, /^--hosts must be an integer from 0 to 2000000/],
    [['--seed', '1.5'], {}, /^--seed must be an integer from 0 to 4294967295/],
    [['--request-timeout', '0'], {}, /^--request-timeout must be an integer from 1 to 3600000 \(got "0"\)$/],
    [[], { HSS_MOCK_MAX_CONNECTIONS: '1e3' }, /^HSS_MOCK_MAX_CONNECTIONS must be an integer from 1 to 1000000 \(got "1e3"\)$/],
    [[], { HSS_MOCK_PORT: 'x' }, /^HSS_MOCK_PORT must be an integer/],
    [['--host', ''], {}, /^--host must not be empty$/],
    [[], { HSS_MOCK_RESET_DB: 'yes' }, /^HSS_MOCK_RESET_DB must be true, false, 1 or 0 \(got "yes"\)$/],
    [['--reset-db=1'], {}, /--reset-db.*does not take an argument/],
    [['--log-level', 'loud'], {}, /^--log-level must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)$/],
    [['--ak', 'A'], {}, /^--ak and --sk come in pairs \(got 1 --ak and 0 --sk\)$/],
    [['--credentials', 'AKONLY'], {}, /^--credentials must be AK:SK or AK:SK@PROJECT$/],
    [['--credentials', ':secret'], {}, /^--credentials must be AK:SK or AK:SK@PROJECT$/],
    [['--credentials', 'AK:'], {}, /^--credentials must be AK:SK or AK:SK@PROJECT$/],
    [['--credentials', 'AK:SK@'], {}, /^--credentials must be AK:SK or AK:SK@PROJECT$/],
    [[], { HSS_MOCK_CREDENTIALS: 'AK:s3cr3t@' }, /^HSS_MOCK_CREDENTIALS must be AK:SK or AK:SK@PROJECT$/],
    [['--token', '@p'], {}, /^--token must be TOKEN or TOKEN@PROJECT$/],
    [['--token', 't@'], {}, /^--token must be TOKEN or TOKEN@PROJECT$/],
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
