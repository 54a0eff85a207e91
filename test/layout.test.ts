// The architecture as the folders show it: each folder of src/ imports only the folders its
// README names, so that no import runs upward and no two folders depend on each other.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import t from 'tap';

const SRC = new URL('../src/', import.meta.url).pathname;

/** The folders each folder may import, besides itself. The top level (cli.ts, index.ts) may import any. */
const ALLOWED: Record<string, string[]> = {
  contract: [],
  store: ['contract'],
  fleet: ['contract'],
  auth: ['contract'],
  faults: ['contract'],
  control: ['contract', 'store', 'fleet', 'faults'],
  http: ['contract', 'store', 'fleet', 'auth', 'faults', 'control'],
  server: ['contract', 'store', 'fleet', 'auth', 'faults', 'control', 'http'],
};

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(folder, entry.name)) : entry.name.endsWith('.ts') ? [join(folder, entry.name)] : [],
  );
}

/** The top-level folder of src/ a file is in, or '' for the top level. */
function folderOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  return parts.length > 1 ? parts[0]! : '';
}

t.test('every folder of src/ is known, and has a README saying what it owns and may import', async (t) => {
  const folders = readdirSync(SRC, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  t.same(folders.sort(), Object.keys(ALLOWED).sort());
  for (const folder of folders) t.match(readFileSync(join(SRC, folder, 'README.md'), 'utf8'), /^# /, `${folder}/README.md`);
});

t.test('no import runs upward: each folder imports only the folders below it', async (t) => {
  let imports = 0;
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const to = folderOf(join(dirname(file), specifier!));
      imports += 1;
      if (from === '' || to === from) continue;
      t.ok(ALLOWED[from]!.includes(to), `${relative(SRC, file)} imports ${specifier} (${from} → ${to || 'top level'})`);
    }
  }
  t.ok(imports > 50, `the imports of every file were read (${imports})`);
});
