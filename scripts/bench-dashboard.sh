#!/usr/bin/env bash
# The dashboard benchmark: builds a SQLite project of 200,000 items, 300 themes and 50,000 chat
# feedback (synthetic analysis; no model needed), starts a real `hark serve` on it, and prints
# each page's server time (p50, p95 over 30 requests) and weight, with `GET /api/1/themes` as
# the baseline measured in the same run. Release build. `--data-dir DIR` keeps the data set
# for the next run (building it takes a few minutes); other flags: `hark-bench dashboard --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p hark -p hark-bench
exec target/release/hark-bench dashboard "$@"
