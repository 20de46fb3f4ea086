#!/usr/bin/env bash
# The ingest benchmark: builds hark and hark-bench in release mode, then measures the raw SQLite
# store rate and the end-to-end HTTP rate of a real `hark serve` on the same payloads.
# Arguments go to hark-bench (e.g. --rounds 5 --connections 16 --requests 3000).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release -p hark -p hark-bench
exec target/release/hark-bench ingest "$@"
