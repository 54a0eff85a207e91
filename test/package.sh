#!/usr/bin/env bash
# The package as users get it: pack it, install the tarball into a temporary folder, and run
# consumers there (ESM JavaScript starting two instances; TypeScript type-checking the API;
# the installed command). Not part of `npm test`: CI runs it after (npm run test:package).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tarball=$(cd "$repo" && npm pack --silent --pack-destination "$work" | tail -n 1)
echo "package: $tarball ($(du -k "$work/$tarball" | cut -f1) KiB), $(tar -tzf "$work/$tarball" | wc -l) files"
if tar -tzf "$work/$tarball" | grep -Ev '^package/(dist/([a-z]+/)?[a-z-]+\.(js|d\.ts)|dist/bundle/hss-mock\.mjs|fixtures/[a-z-]+\.json|console/[a-z-]+\.(html|css|js|svg)|README\.md|package\.json)$'; then
  echo "the package holds files users do not need (above)" >&2
  exit 1
fi

cd "$work"
npm init -y >/dev/null
npm install --ignore-scripts --no-audit --no-fund --silent "./$tarball" @types/node@20
# better-sqlite3 compiles its native addon when installed; the one the repository built for this
# same Node.js and version stands in for that minute of compiling. Another version is rebuilt.
if [ "$(node -p "require('./node_modules/better-sqlite3/package.json').version")" = \
     "$(node -p "require('$repo/node_modules/better-sqlite3/package.json').version")" ]; then
  cp -r "$repo/node_modules/better-sqlite3/build" node_modules/better-sqlite3/
else
  npm rebuild better-sqlite3 --foreground-scripts
fi

cat > consumer.mjs <<'JS'
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { startHssMock } from 'hss-mock';

const first = await startHssMock({ hosts: 3, seed: 1 });
const second = await startHssMock({ hosts: 4, seed: 2 });
const list = async (mock) => {
  const response = await fetch(`${mock.url}/v5/p/host-management/hosts?enterprise_project_id=all_granted_eps`, { headers: { 'X-Auth-Token': 't' } });
  assert.equal(response.status, 200);
  return response.json();
};
const [a, b] = await Promise.all([list(first), list(second)]);
assert.equal(a.total_num, 3);
assert.equal(b.total_num, 4);
assert.notEqual(a.data_list[0].host_id, b.data_list[0].host_id);
await first.hosts.add('p', { host_name: 'from-the-consumer' });
assert.equal((await list(first)).total_num, 4);
assert.equal((await list(second)).total_num, 4);
// The web console's files are in the package, where the server looks for them.
for (const file of ['', ...readdirSync('node_modules/hss-mock/console')]) assert.equal((await fetch(`${first.url}/_mock/ui/${file}`)).status, 200, file);
await Promise.all([first.close(), second.close()]);
console.log('ESM consumer: two instances started, queried and closed; the console served');
JS
node consumer.mjs

cat > consumer.ts <<'TS'
import { startHssMock, type Host, type HssMock, type HssMockOptions } from 'hss-mock';

const options: HssMockOptions = { port: 0, hosts: 2, token: [{ token: 't', projects: ['p'] }], logLevel: 'silent' };
const mock: HssMock = await startHssMock(options);
const hosts: Host[] = await mock.hosts.list('p');
const names: (string | undefined)[] = hosts.map((host) => host.host_name);
console.log(names.length, mock.requests.list({ status: 200 }).total);
await mock.close();
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "noEmit": true, "skipLibCheck": true, "types": ["node"] }, "files": ["consumer.ts"] }
JSON
node -e "const p=require('./package.json'); p.type='module'; require('fs').writeFileSync('package.json', JSON.stringify(p, null, 2))"
"$repo/node_modules/.bin/tsc" -p tsconfig.json
echo "TypeScript consumer: the types resolve and check"

npx --no-install hss-mock --version
npx --no-install hss-mock generate --count 2 | node -e "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{const f=JSON.parse(s); if (f.data_list.length!==2) process.exit(1)})"
echo "installed command: runs"

# npx runs the command through a shell and forwards SIGTERM to that shell alone: the command stops too.
npx --no-install hss-mock --port 0 --log-level silent > npx.log &
npx_pid=$!
for _ in $(seq 150); do grep -q 'listening on' npx.log && break; sleep 0.2; done
url=$(grep -om1 'http://[0-9.:]*' npx.log)
kill -TERM "$npx_pid"
wait "$npx_pid" || true
for _ in $(seq 50); do curl -s -o /dev/null "$url/_mock/health" || break; sleep 0.2; done
if curl -s -o /dev/null "$url/_mock/health"; then
  echo "hss-mock still answers after npx received SIGTERM" >&2
  exit 1
fi
echo "installed command: stops with the SIGTERM npx receives"
