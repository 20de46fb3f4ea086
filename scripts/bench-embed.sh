#!/usr/bin/env bash
# The embedding benchmark: fetches the model into hark-data/model if needed, builds hark-bench in
# release mode, then measures sentences/s of the local embedder on banking77 queries and Mini-BAR
# review sentences (../shared/data) beside the same model with every input padded to 128 tokens.
# Arguments go to `hark-bench embed` (e.g. --rounds 5 --per-set 4000 --model DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
case " $* " in
  *" --model "* | *" --model="*) ;; # a model folder was given: use it as it is
  *) scripts/fetch-model.sh hark-data/model ;;
esac
cargo build --quiet --release -p hark-bench
exec target/release/hark-bench embed "$@"
