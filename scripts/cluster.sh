#!/usr/bin/env bash
# The topology of docker-compose.yml as plain processes on this machine: one PostgreSQL (`twin postgres`, the
# embedded launcher) and N `twin serve` silos forming one Orleans cluster whose membership lives in that PostgreSQL
# (TWIN_CLUSTERING=adonet), configured through the same environment variables as the containers.
#
# Usage: scripts/cluster.sh [--silos N] [--data DIR] [--api-port PORT]
#   --silos N        silos to start (default 2)
#   --data DIR       folder for PostgreSQL's data and the silos' logs (default .twin-cluster; reused when there)
#   --api-port PORT  API of silo 1 (default 8080); silo k listens on PORT+k-1, all on 127.0.0.1
# Env: TWIN_TOKEN / TWIN_READ_TOKEN (shared by every silo; generated into DIR/tokens when unset).
# Runs in the foreground until Ctrl-C or SIGTERM, then stops the silos and PostgreSQL.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
silos=2; data=".twin-cluster"; api=8080
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) silos="$2"; shift 2;;
    --data) data="$2"; shift 2;;
    --api-port) api="$2"; shift 2;;
    -h|--help) sed -n '2,11p' "$0"; exit 0;;
    *) echo "cluster.sh: unknown argument $1 (see --help)" >&2; exit 2;;
  esac
done
case "$silos" in ''|*[!0-9]*) echo "cluster.sh: --silos must be a number" >&2; exit 2;; esac
mkdir -p "$data"; data="$(cd "$data" && pwd)"
# as root, PostgreSQL runs as another OS user, which must be able to enter this folder
chmod o+x "$data"
twin="$here/twin"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# one write token and one read-only token for the whole cluster: any silo answers any client
mkdir -p "$data/tokens"; chmod 700 "$data/tokens"
token() { # $1 variable name, $2 file
  if [ -n "${!1:-}" ]; then printf '%s' "${!1}"; return; fi
  [ -s "$2" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$2")
  cat "$2"
}
TWIN_TOKEN="$(token TWIN_TOKEN "$data/tokens/write-token")"
TWIN_READ_TOKEN="$(token TWIN_READ_TOKEN "$data/tokens/read-token")"
export TWIN_TOKEN TWIN_READ_TOKEN

pids=(); stopping=""
stop() {
  trap - INT TERM EXIT
  stopping=1
  echo "cluster.sh: stopping ${#pids[@]} process(es) ..." >&2
  # silos first (newest first), PostgreSQL last; each by its own pid
  for (( i=${#pids[@]}-1; i>=0; i-- )); do kill -TERM "${pids[$i]}" 2>/dev/null || true; wait "${pids[$i]}" 2>/dev/null || true; done
}
trap stop INT TERM EXIT

pg_port="$(free_port)"
"$twin" postgres --data "$data/pg" --port "$pg_port" > "$data/postgres.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do grep -q "ready on" "$data/postgres.log" 2>/dev/null && break; kill -0 "${pids[0]}" 2>/dev/null || break; sleep 0.5; done
grep -q "ready on" "$data/postgres.log" || { echo "cluster.sh: PostgreSQL did not start:" >&2; cat "$data/postgres.log" >&2; exit 1; }
export TWIN_CONNECTION_STRING="Host=127.0.0.1;Port=$pg_port;Database=twin;Username=postgres"
export TWIN_CLUSTERING=adonet TWIN_ADVERTISED_IP=127.0.0.1
echo "cluster.sh: PostgreSQL on 127.0.0.1:$pg_port (data $data/pg)"

for k in $(seq 1 "$silos"); do
  port=$((api + k - 1))
  TWIN_SILO_PORT="$(free_port)" TWIN_GATEWAY_PORT="$(free_port)" \
    "$twin" serve --urls "http://127.0.0.1:$port" --data "$data/silo$k" > "$data/silo$k.log" 2>&1 &
  pids+=($!)
done
for k in $(seq 1 "$silos"); do
  port=$((api + k - 1))
  for _ in $(seq 1 240); do curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 || { echo "cluster.sh: silo $k did not get ready:" >&2; tail -20 "$data/silo$k.log" >&2; exit 1; }
  echo "cluster.sh: silo $k ready at http://127.0.0.1:$port (log $data/silo$k.log)"
done
echo "cluster.sh: write token in $data/tokens/write-token (or your TWIN_TOKEN); e.g. TWIN_TOKEN=\$(cat $data/tokens/write-token) ./twin status --server http://127.0.0.1:$api"
echo "cluster.sh: Ctrl-C stops the cluster"
wait -n "${pids[@]}" || true
[ -n "$stopping" ] || echo "cluster.sh: a process exited; stopping the rest" >&2
