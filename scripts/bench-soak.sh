#!/usr/bin/env bash
# The soak benchmark: a real `hark serve` (SQLite, the local model from hark-data/model when
# fetched) under mixed ingest, PutFeedback, reads and analysis for N minutes (`--minutes`,
# default 10), printing calls/s, p99 and the server's RSS per interval, then the trend.
# Release build; other flags: `hark-bench soak --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p hark -p hark-bench
exec target/release/hark-bench soak "$@"
