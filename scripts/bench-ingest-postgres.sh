#!/usr/bin/env bash
# The ingest benchmark on PostgreSQL: starts a local server with PostgreSQL's durable defaults
# (fsync on, synchronous commit; its own cluster in /tmp/hark-pg-bench, port 54330), builds
# hark and hark-bench in release mode, then for each round measures on fresh databases:
# PostgreSQL itself upserting the same rows with plain set-based SQL (the raw baseline), hark's
# store called directly (for information), and a real `hark serve` over HTTP.
# Arguments go to hark-bench (e.g. --rounds 5 --connections 16).
set -euo pipefail
cd "$(dirname "$0")/.."
url="$(HARK_PG_DIR=/tmp/hark-pg-bench HARK_PG_PORT=54330 HARK_PG_DURABLE=1 \
    bash scripts/pg-test-server.sh | sed -n 's/^export HARK_TEST_POSTGRES_URL=//p')"
cargo build --quiet --release -p hark -p hark-bench
exec target/release/hark-bench ingest --postgres "$url" "$@"
