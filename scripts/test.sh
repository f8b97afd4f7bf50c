#!/usr/bin/env bash
# Runs every test of Twin.sln (tests start their own PostgreSQL and Orleans silos) and ends with
# one line "N passed, N failed" summed over all test projects. Extra arguments go to `dotnet test`.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh || exit $?
# the tests check docker-compose.yml with `docker-compose config` (no Docker engine needed): Debian's package
if ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "twin: installing Debian's 'docker-compose' package (the compose-file test runs it)..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
    echo "twin: installing 'docker-compose' with sudo (the compose-file test runs it)..." >&2
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  else
    echo "twin: docker-compose is missing and this user cannot install it; the compose-file test will fail (apt-get install docker-compose)." >&2
  fi
fi

results="$(mktemp -d /tmp/twin-test-results.XXXXXX)"
dotnet test Twin.sln -c Release --logger "trx" --results-directory "$results" "$@"
rc=$?

passed=0; failed=0; files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p="$(get passed)"; f="$(get failed)"; e="$(get error)"; t="$(get timeout)"; a="$(get aborted)"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
done
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # the run failed without a failing test (build error, crashed test host): count it, never hide it
  echo "test run exited with $rc without a failing test result (build error or crashed test host?)" >&2
  failed=1
fi
rm -rf "$results"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]
