#!/usr/bin/env bash
# The webhooks benchmark: builds hark and hark-bench in release mode, then measures
# 1. deliveries/s of a real `hark serve`'s delivery worker draining a backlog of 20,000
#    chat_feedback.received deliveries to 4, 8 and 16 endpoints on a local receiver (127.0.0.1,
#    answers 204), beside the benchmark posting the same count to the receiver directly;
# 2. the ingest API rate and the analysed-items rate (local model from hark-data/model, reviews
#    from ../shared/data) with two endpoints subscribed to feedback.analyzed vs none.
# Prints per-round figures and a table of medians. Arguments go to `hark-bench webhooks`
# (e.g. --rounds 5 --endpoints 4,16 --per-endpoint 8 --no-pipeline).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-model.sh hark-data/model
cargo build --quiet --release -p hark -p hark-bench
exec target/release/hark-bench webhooks --model hark-data/model --data ../shared/data "$@"
