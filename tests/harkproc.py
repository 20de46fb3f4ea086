"""What the Python suites share (each suite's conftest.py imports it): where the hark binary,
the shared data and the model are, the environment hark runs in, the admin CLI, a `hark serve`
process on a fresh data dir, and the minibar reviews.

Environment: HARK_BIN (default target/debug/hark), HARK_SHARED_DATA (default
<repo>/../shared/data), HARK_ANALYSIS__MODEL_DIR (default <repo>/hark-data/model)."""

import csv
import json
import os
import pathlib
import subprocess
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
HARK = os.environ.get("HARK_BIN", str(ROOT / "target" / "debug" / "hark"))
SHARED = pathlib.Path(os.environ.get("HARK_SHARED_DATA", str(ROOT.parent / "shared" / "data")))
MODEL = pathlib.Path(os.environ.get("HARK_ANALYSIS__MODEL_DIR", str(ROOT / "hark-data" / "model")))


def clean_env(**extra):
    """The environment without the caller's HARK_* variables (hark reads them as configuration)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARK_")}
    env.update(extra)
    return env


def admin(data_dir, *args):
    """The JSON printed by `hark admin ARGS` on `data_dir`."""
    out = subprocess.run([HARK, "admin", *args, "--data-dir", str(data_dir)], env=clean_env(),
                         check=True, capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout)


def require(suite, model=True):
    """Stops the session with a clear message when the binary (or the model) is missing."""
    needs = [(HARK, "the hark binary (cargo build -p hark, or set HARK_BIN)")]
    if model:
        needs.append((MODEL / "model.safetensors", "the model (bash scripts/fetch-model.sh hark-data/model)"))
    for path, what in needs:
        if not os.path.exists(path):
            pytest.exit(f"the {suite} suite needs {what}: {path} is missing", returncode=2)


class Serve:
    """A `hark serve` on a fresh data dir (kept across restarts), the real model, logs to
    `serve.log` in the data dir; `base` is its URL once started."""

    def __init__(self, prefix, **env):
        self.tmp = tempfile.TemporaryDirectory(prefix=prefix)
        self.data = pathlib.Path(self.tmp.name)
        self.log_path = self.data / "serve.log"
        self.env = clean_env(HARK_LOG_LEVEL="warn", HARK_ANALYSIS__MODEL_DIR=str(MODEL), **env)
        self.proc = None
        self.log = None

    def start(self, **env):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([HARK, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(self.data)],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True,
                                     env={**self.env, **env})
        for line in self.proc.stdout:
            if "listening on http://" in line:
                self.base = line[line.index("http://"):].strip()
                return
        raise RuntimeError(f"hark did not start:\n{self.log_path.read_text()}")

    def kill(self):
        """SIGKILL, as a crash."""
        self.proc.kill()
        self.proc.wait(timeout=60)
        self.proc = None
        self.log.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        self.proc = None
        if self.log:
            self.log.close()


def minibar_reviews(per_app, min_chars=20):
    """(app name, review text) rows: the first `per_app` reviews of at least `min_chars` of each
    minibar English CSV."""
    files = sorted((SHARED / "minibar").glob("*.en.csv"))
    if not files:
        pytest.exit(f"these tests need the minibar reviews in {SHARED}/minibar "
                    "(set HARK_SHARED_DATA to the shared data folder)", returncode=2)
    rows = []
    for f in files:
        with open(f, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            taken = [(f.name.split(".")[0], (r["data"] or "").strip()) for r in reader
                     if len((r["data"] or "").strip()) >= min_chars]
            rows += taken[:per_app]
    return rows
