#!/usr/bin/env bash
# The analysis benchmark: the real pipeline on 10,000 items of ../shared/data (ingest → mentions,
# embeddings, categories, sentiment, themes) vs embedding alone, and theme discovery over
# 100,000 mentions vs the neighbour search alone. Release build; prints figures and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-model.sh hark-data/model
cargo build --release -q -p hark-bench
exec target/release/hark-bench analysis --model hark-data/model --data ../shared/data "$@"
