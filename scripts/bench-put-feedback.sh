#!/usr/bin/env bash
# The PutFeedback benchmark: builds hark and hark-bench in release mode, then measures SigV4-signed
# PutFeedback calls against a real `hark serve` beside the raw store rate on the same feedback.
# Arguments go to `hark-bench put-feedback` (e.g. --rounds 5 --connections 64).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release -p hark -p hark-bench
exec target/release/hark-bench put-feedback "$@"
