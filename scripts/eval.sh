#!/usr/bin/env bash
# The analysis quality report on ../shared/data: categories on Mini-BAR English (zero-shot, and
# learned from the other two apps), sentiment vs star ratings (Mini-BAR, URR), themes on banking77.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-model.sh hark-data/model
cargo build --release -q -p hark
d=../shared/data
exec target/release/hark eval --model hark-data/model \
  --categories "$d/minibar/garmin-connect.en.csv,$d/minibar/huawei-health.en.csv,$d/minibar/samsung-health.en.csv" \
  --sentiment "$d/minibar/garmin-connect.en.csv,$d/urr/golden_set.csv" \
  --themes "$d/banking77/train.csv" "$@"
