#!/usr/bin/env bash
# Runs every test of Twin.sln (tests start their own PostgreSQL and Orleans silos) and ends with
# one line "N passed, N failed" summed over all test projects. Extra arguments go to `dotnet test`.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/prereqs.sh || exit $?

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
