#!/usr/bin/env bash
# The Docker image, built and run for real: builds it, starts it, waits for its health check,
# lists hosts with curl, loads the web console's files, checks that it runs as `node`, stops it
# with SIGTERM and checks that it exited cleanly. The engine: CONTAINER_ENGINE if set, else docker, else a
# podman-compatible stand-in beside the repository (../shared/tools/podman) where one exists (it
# configures podman for machines where its defaults cannot run a container), else podman.
# CI runs it after the tests (npm run test:container).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${CONTAINER_ENGINE:-}" ]; then engine=$CONTAINER_ENGINE
elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then engine=docker
elif [ -x "$repo/../shared/tools/podman" ]; then engine="$repo/../shared/tools/podman"
elif command -v podman >/dev/null 2>&1; then engine=podman
else
  echo "container test: no container engine found; install docker or podman, or set CONTAINER_ENGINE=/path/to/engine" >&2
  exit 2
fi
image=hss-mock:test
name=hss-mock-test-$$
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")

cleanup() { "$engine" rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
fail() { echo "container test: $*" >&2; "$engine" logs "$name" >&2 || true; exit 1; }

# --format docker keeps HEALTHCHECK (podman's default OCI format drops it; Docker ignores the flag's absence).
format=(); [[ "$engine" == *podman* ]] && format=(--format docker)
"$engine" build --pull=never --network=host "${format[@]}" -t "$image" "$repo"
size=$("$engine" image inspect "$image" --format '{{.Size}}')
echo "image size: $((size / 1024 / 1024)) MiB"

"$engine" run -d --name "$name" -p "127.0.0.1:$port:8080" -e HSS_MOCK_HOSTS=12 "$image" >/dev/null
base="http://127.0.0.1:$port"

for _ in $(seq 1 60); do
  status=$("$engine" inspect "$name" --format '{{.State.Health.Status}}' 2>/dev/null || true)
  [ "$status" = healthy ] && break
  "$engine" healthcheck run "$name" >/dev/null 2>&1 || true
  sleep 1
done
[ "$status" = healthy ] || fail "never healthy (status: $status)"
echo "health check: $status"

hosts=$(curl -sf -H 'X-Auth-Token: t' "$base/v5/demo/host-management/hosts?enterprise_project_id=all_granted_eps&limit=3")
echo "$hosts" | node -e "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{const b=JSON.parse(s);if(b.total_num!==12||b.data_list.length!==3)process.exit(1)})" \
  || fail "unexpected hosts answer: $hosts"
echo "hosts: 12 in all, a page of 3"

# Read whole, then searched: under pipefail, grep -q leaving early makes the writer fail.
page=$(curl -sf "$base/_mock/ui/") || fail "no web console at /_mock/ui/"
grep -q '<title>hss-mock console</title>' <<<"$page" || fail "no web console at /_mock/ui/"
for file in $(cd "$repo/console" && ls -- *.html *.css *.js *.svg); do
  curl -sf -o /dev/null "$base/_mock/ui/$file" || fail "the console's $file is not served"
done
echo "web console: every file served"

user=$("$engine" exec "$name" node -e "console.log(require('os').userInfo().username)")
[ "$user" = node ] || fail "runs as $user, not node"
echo "runs as: $user"

"$engine" stop -t 20 "$name" >/dev/null
code=$("$engine" inspect "$name" --format '{{.State.ExitCode}}')
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
logs=$("$engine" logs "$name" 2>&1)
grep -q "listening on http://0.0.0.0:8080" <<<"$logs" || fail "no banner in the logs"
echo "stopped with SIGTERM: exit code $code"
