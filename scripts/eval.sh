#!/usr/bin/env bash
# The analysis quality report on ../shared/data: categories on Mini-BAR English (zero-shot, and
# learned from the other two apps), sentiment vs star ratings (zero-shot, the shipped head, and a
# head learned leaving the tested app out), themes on banking77.
# `--write-sentiment-head crates/hark-analysis/src/sentiment/minilm.json` (with the same
# --sentiment-train files) rebuilds the shipped sentiment head.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-model.sh hark-data/model
cargo build --release -q -p hark
d=../shared/data
en="$d/minibar/garmin-connect.en.csv,$d/minibar/huawei-health.en.csv,$d/minibar/samsung-health.en.csv"
exec target/release/hark eval --model hark-data/model \
  --categories "$en" \
  --sentiment "$en,$d/urr/golden_set.csv" \
  --sentiment-train "$en,$d/urr/golden_set.csv" \
  --themes "$d/banking77/train.csv" "$@"
