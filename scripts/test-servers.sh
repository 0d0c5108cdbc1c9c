#!/usr/bin/env bash
# Throwaway PostgreSQL cluster and Chroma server on loopback, for the server pass of the tests.
#
#   scripts/test-servers.sh start [DIR]   start both, wait until they answer, print the settings
#   scripts/test-servers.sh stop DIR      stop both and delete DIR
#
# `start` writes DIR/env with `export CGT_TEST_DATABASE_URL=... CGT_TEST_CHROMA_HOST=...
# CGT_TEST_CHROMA_PORT=...` lines (source it; `make test` then runs its second pass) and prints
# the same lines. PostgreSQL refuses to run as root: under root the cluster belongs to the
# `postgres` user (created by Debian's postgresql package). Durability is switched off (fsync,
# synchronous_commit): the cluster lives for one test run.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_USER=cgt_test
PG_PASSWORD=cgt_test
PG_DB=cgt_test

pg_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [[ -x "$dir/initdb" ]] && { echo "$dir"; return; }
    done
    echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2
    exit 1
}

free_port() {
    .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

as_pg() {  # run a command as the cluster's owner
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq $((seconds * 5))); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "$what did not answer within ${seconds}s" >&2
    return 1
}

start() {
    local dir=${1:-$(mktemp -d /tmp/cgt-test-servers.XXXXXX)}
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    local bin pg_port chroma_port
    bin=$(pg_bin)
    pg_port=$(free_port)
    chroma_port=$(free_port)

    # PostgreSQL: a fresh cluster in DIR/pg, owned by the user that runs it.
    mkdir -p "$dir/pg"
    if [[ $(id -u) -eq 0 ]]; then chown -R postgres: "$dir/pg"; chmod 755 "$dir"; fi
    as_pg "$bin/initdb" -D "$dir/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/pg/initdb.log" 2>&1 || { cat "$dir/pg/initdb.log" >&2; exit 1; }
    as_pg "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -p $pg_port -k $dir/pg -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
         -c autovacuum=off" >/dev/null \
        || { cat "$dir/pg/server.log" >&2; exit 1; }
    wait_for 60 "PostgreSQL" "$bin/pg_isready" -h 127.0.0.1 -p "$pg_port"
    "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<SQL
CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD' CREATEDB;
GRANT pg_signal_backend TO $PG_USER;  -- DROP DATABASE ... WITH (FORCE) of a test's database
CREATE DATABASE $PG_DB OWNER $PG_USER;
SQL

    # Chroma server: its own store in DIR/chroma.
    nohup .venv/bin/chroma run --path "$dir/chroma" --host 127.0.0.1 --port "$chroma_port" \
        >"$dir/chroma.log" 2>&1 &
    echo $! >"$dir/chroma.pid"
    wait_for 60 "Chroma" .venv/bin/python -c \
        "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$chroma_port/api/v2/heartbeat', timeout=2)" \
        || { cat "$dir/chroma.log" >&2; exit 1; }

    cat >"$dir/env" <<ENV
export CGT_TEST_SERVERS_DIR=$dir
export CGT_TEST_DATABASE_URL=postgresql+psycopg://$PG_USER:$PG_PASSWORD@127.0.0.1:$pg_port/$PG_DB
export CGT_TEST_CHROMA_HOST=127.0.0.1
export CGT_TEST_CHROMA_PORT=$chroma_port
ENV
    cat "$dir/env"
}

stop() {
    local dir=${1:?usage: $0 stop DIR}
    [[ -d "$dir" ]] || return 0
    if [[ -f "$dir/chroma.pid" ]]; then
        kill "$(cat "$dir/chroma.pid")" 2>/dev/null || true
    fi
    if [[ -f "$dir/pg/data/postmaster.pid" ]]; then
        as_pg "$(pg_bin)/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) start "${2:-}" ;;
    stop) stop "${2:-}" ;;
    *) echo "usage: $0 start [DIR] | stop DIR" >&2; exit 2 ;;
esac
