// The README's "A complete CI example", taken from README.md and run with bash against the built
// command, so that the script users copy cannot drift from what works.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import t from 'tap';

const REPO = new URL('../../', import.meta.url).pathname;

function ciExample(): string {
  const readme = readFileSync(new URL('README.md', `file://${REPO}`), 'utf8');
  const section = readme.slice(readme.indexOf('\n## A complete CI example\n'));
  return /```sh\n([\s\S]*?)```/.exec(section)![1]!;
}

async function runScript(env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn('bash', ['-c', ciExample()], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

t.test('the README CI example passes against the emulator it starts', async (t) => {
  t.match(ciExample(), /--port 0/, 'a free port, read from the banner');
  const { code, stderr } = await runScript();
  t.equal(stderr, '');
  t.equal(code, 0);
});

t.test('the README CI example stops at once when the emulator cannot start, instead of waiting for ever', async (t) => {
  const { code, stderr } = await runScript({ HSS_MOCK_HOSTS: 'abc' });
  t.equal(code, 1);
  t.equal(stderr, 'hss-mock: HSS_MOCK_HOSTS must be an integer from 0 to 2000000 (got "abc")\nhss-mock did not start\n');
});
