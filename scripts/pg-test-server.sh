#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the test suite (if it is not running
# yet) and prints the line that points the tests at it:
#   eval "$(scripts/pg-test-server.sh)"   # exports HARK_TEST_POSTGRES_URL
# Installs Debian's postgresql package when no server binaries exist and we are root. The
# cluster lives in $HARK_PG_DIR (default /tmp/hark-pg-test) and listens on 127.0.0.1 only, port
# $HARK_PG_PORT (default 54329), with password authentication (role hark, password hark).
# Durability settings are off (it holds nothing but test databases) unless HARK_PG_DURABLE=1:
# the benchmark starts its own server so, with PostgreSQL's durable defaults
# (scripts/bench-ingest-postgres.sh).
set -euo pipefail
PORT=${HARK_PG_PORT:-54329}
DIR=${HARK_PG_DIR:-/tmp/hark-pg-test}

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BIN=$(bindir)
if [ -z "$BIN" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "PostgreSQL server binaries not found: install Debian's postgresql package" >&2
        exit 1
    fi
    echo "installing PostgreSQL (Debian package postgresql)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends postgresql >&2
    BIN=$(bindir)
fi

# PostgreSQL refuses to run as root: as root, run its tools as the postgres user.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if ! "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
    if [ ! -f "$DIR/PG_VERSION" ]; then
        rm -rf "$DIR"
        mkdir -p "$DIR"
        [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
        pwfile=$(mktemp)
        echo hark >"$pwfile"
        [ "$(id -u)" = 0 ] && chown postgres: "$pwfile"
        as_owner "$BIN/initdb" -D "$DIR" -U hark --pwfile="$pwfile" --auth=scram-sha-256 \
            -E UTF8 --locale=C.UTF-8 >"$DIR.initdb.log" 2>&1 ||
            { cat "$DIR.initdb.log" >&2; rm -f "$pwfile"; exit 1; }
        rm -f "$pwfile"
    fi
    durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${HARK_PG_DURABLE:-0}" = 1 ] && durability=""
    as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start -o \
        "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=500 \
         -c shared_buffers=128MB $durability" >&2 ||
        { tail -n 30 "$DIR/server.log" >&2; exit 1; }
fi
# Drop the databases earlier test runs left (each test makes its own); one still in use by a
# running suite refuses to go and is kept.
PGPASSWORD=hark "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U hark -d postgres -Atc \
    "SELECT datname FROM pg_database WHERE datname LIKE 'hark\_t\_%' OR datname LIKE 'hark\_bench\_%'" |
    while read -r db; do
        PGPASSWORD=hark "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U hark -d postgres -qc \
            "DROP DATABASE \"$db\"" >/dev/null 2>&1 || true
    done
echo "export HARK_TEST_POSTGRES_URL=postgres://hark:hark@127.0.0.1:$PORT/postgres"
