#!/usr/bin/env bash
# The embedding benchmark: fetches the model if needed, builds hark-bench in release mode, then
# measures sentences/s of the local embedder on banking77 queries and Mini-BAR review sentences
# (../shared/data) beside the same model with every input padded to 128 tokens.
# Usage: scripts/bench-embed.sh [minilm|multilingual|mpnet] [hark-bench embed arguments]
#   The model (default minilm) picks hark-data/model, hark-data/model-multilingual or
#   hark-data/model-mpnet, unless --model DIR is given. Other arguments go to `hark-bench embed`
#   (e.g. --rounds 5 --per-set 4000; mpnet is about 8x slower than minilm: --per-set 500 keeps a
#   run short).
# When `import torch, sentence_transformers` works in $PYTHON (default python3), the same
# sentences are then embedded by PyTorch sentence-transformers on the same model folder (cut at
# 128 tokens like hark, batch size 32, torch's default threads) and its sentences/s printed
# beside hark's medians with hark's ratio to it. Nothing is installed for it: without PyTorch
# the comparison is skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=minilm
case "${1:-}" in
  minilm | multilingual | mpnet) kind="$1"; shift ;;
esac
case "$kind" in
  minilm) dir=hark-data/model ;;
  multilingual) dir=hark-data/model-multilingual ;;
  mpnet) dir=hark-data/model-mpnet ;;
esac
model="" prev=""
for a in "$@"; do
  case "$a" in --model=*) model="${a#--model=}" ;; esac
  [ "$prev" = --model ] && model="$a"
  prev="$a"
done
if [ -z "$model" ]; then
  scripts/fetch-model.sh "$dir" "$kind"
  model="$dir"
  set -- --model "$dir" "$@"
fi
cargo build --quiet --release -p hark-bench
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
target/release/hark-bench embed --write-sentences "$work/sentences.jsonl" "$@" | tee "$work/hark.txt"
python="${PYTHON:-python3}"
if ! "$python" -c 'import torch, sentence_transformers' 2>/dev/null; then
  echo "PyTorch comparison skipped: $python cannot import torch and sentence_transformers"
  exit 0
fi
"$python" - "$model" "$work/sentences.jsonl" "$work/hark.txt" <<'PY'
import json, os, re, sys, time
import torch
from sentence_transformers import SentenceTransformer

model_dir, sentences_file, hark_file = sys.argv[1:4]
sets = {}
for line in open(sentences_file, encoding="utf-8"):
    row = json.loads(line)
    sets.setdefault(row["set"], []).append(row["text"])
notes_path = os.path.join(model_dir, "hark-model.json")
prefix = json.load(open(notes_path)).get("prefix", "") if os.path.exists(notes_path) else ""
hark = {}
for line in open(hark_file):
    m = re.match(r"median (\S+)\s*: embedder\s+([\d.]+) sentences/s", line)
    if m:
        hark[m.group(1)] = float(m.group(2))
try:
    model = SentenceTransformer(model_dir, device="cpu")
except Exception as e:  # a folder hark reads but sentence-transformers does not
    print(f"PyTorch comparison skipped: sentence-transformers cannot load {model_dir}: {e}")
    sys.exit(0)
model.max_seq_length = 128  # hark cuts inputs at 128 tokens
print(f"--- PyTorch sentence-transformers (torch {torch.__version__}, {torch.get_num_threads()} threads, batch 32), same sentences:")
for name, texts in sets.items():
    texts = [prefix + t for t in texts]
    model.encode(texts[:64], batch_size=32)  # warm-up
    started = time.perf_counter()
    model.encode(texts, batch_size=32, normalize_embeddings=True)
    rate = len(texts) / (time.perf_counter() - started)
    ours = hark.get(name)
    ratio = f", hark median {ours:.1f} sentences/s = x{ours / rate:.2f}" if ours else ""
    print(f"pytorch {name:<8}: {rate:7.1f} sentences/s{ratio}")
PY
