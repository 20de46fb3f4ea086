#!/usr/bin/env bash
# The analysis quality report on ../shared/data and data/dev, for each model in $MODELS
# (default: "minilm multilingual"; each fetched first): categories on Mini-BAR English and
# French (zero-shot, and learned from the other apps' files in both languages), questions on the
# hand-labelled dev set, sentiment vs star ratings (zero-shot, the shipped head, and a head
# learned leaving the tested app out; minilm only), themes on banking77 at 1k/3k/all queries.
# "mpnet" (all-mpnet-base-v2, English) is known but not in the default list: it embeds about 8x
# slower than minilm, so its run alone takes longer than the two default models together
# (`MODELS=mpnet scripts/eval.sh` runs it).
# `--write-sentiment-head crates/hark-analysis/src/sentiment/minilm.json` (with the same
# --sentiment-train files) rebuilds the shipped sentiment head.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p hark
d=../shared/data
en="$d/minibar/garmin-connect.en.csv,$d/minibar/huawei-health.en.csv,$d/minibar/samsung-health.en.csv"
fr="$d/minibar/garmin-connect.fr.csv,$d/minibar/huawei-health.fr.csv,$d/minibar/samsung-health.fr.csv"
for model in ${MODELS:-minilm multilingual}; do
  case "$model" in
    minilm) dir=hark-data/model ;;
    multilingual) dir=hark-data/model-multilingual ;;
    mpnet) dir=hark-data/model-mpnet ;;
    *) echo "unknown model $model" >&2; exit 2 ;;
  esac
  bash scripts/fetch-model.sh "$dir" "$model"
  echo "# model: $model ($dir)"
  target/release/hark eval --model "$dir" --categories "$en,$fr" "$@"
  target/release/hark eval --model "$dir" --categories data/dev/questions.dev.csv
  if [ "$model" = minilm ]; then
    target/release/hark eval --model "$dir" \
      --sentiment "$en,$d/urr/golden_set.csv" \
      --sentiment-train "$en,$d/urr/golden_set.csv" \
      --themes "$d/banking77/train.csv"
  else
    target/release/hark eval --model "$dir" --themes "$d/banking77/train.csv"
  fi
done
