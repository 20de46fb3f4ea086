"""Fixtures of the OpenAPI suite: a real `hark serve` (SQLite in a temp dir, the real model, the
admin API on) with an analysed corpus of real app reviews, chat feedback and themes, so that the
fuzzer reaches the handlers' logic and not only their 404s.

Environment: HARK_BIN (default target/debug/hark), HARK_SHARED_DATA (default
<repo>/../shared/data), HARK_ANALYSIS__MODEL_DIR (default <repo>/hark-data/model)."""

import csv
import json
import os
import pathlib
import subprocess
import tempfile
import time

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
HARK = os.environ.get("HARK_BIN", str(ROOT / "target" / "debug" / "hark"))
SHARED = pathlib.Path(os.environ.get("HARK_SHARED_DATA", str(ROOT.parent / "shared" / "data")))
MODEL = pathlib.Path(os.environ.get("HARK_ANALYSIS__MODEL_DIR", str(ROOT / "hark-data" / "model")))
ADMIN_TOKEN = "openapi-suite-admin-token-0123456789"
REVIEWS = 60
DEADLINE_SECS = 300


def clean_env(**extra):
    """The environment without the caller's HARK_* variables (hark reads them as configuration)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARK_")}
    env.update(extra)
    return env


def admin(data_dir, *args):
    out = subprocess.run([HARK, "admin", *args, "--data-dir", str(data_dir)], env=clean_env(),
                         check=True, capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout)


def reviews():
    files = sorted((SHARED / "minibar").glob("*.en.csv"))
    if not files:
        pytest.exit(f"the OpenAPI suite needs the minibar reviews in {SHARED}/minibar", returncode=2)
    rows = []
    for f in files:
        with open(f, newline="", encoding="utf-8") as fh:
            rows += [r["data"].strip() for r in csv.DictReader(fh) if len((r["data"] or "").strip()) >= 20][:20]
    return rows[:REVIEWS]


class Hark:
    """A running hark with one project, a webhook source, an analysed corpus and chat feedback."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hark-openapi-")
        self.data = pathlib.Path(self.tmp.name)
        project = admin(self.data, "create-project", "openapi")
        self.project_id = project["project_id"]
        self.auth = (project["api_key"], project["secret_key"])
        self.source_id = admin(self.data, "create-source", "--project", self.project_id,
                               "--name", "reviews")["source_id"]
        self.app_id = admin(self.data, "create-app", "--project", self.project_id,
                            "--name", "assistant")["application_id"]
        self.user_id = admin(self.data, "create-user", "--project", self.project_id,
                             "--email", "viewer@hark.test", "--role", "viewer")["user_id"]
        self.log_path = self.data / "serve.log"
        self.log = open(self.log_path, "w")
        env = clean_env(HARK_LOG_LEVEL="warn", HARK_ANALYSIS__MODEL_DIR=str(MODEL), HARK_ADMIN_TOKEN=ADMIN_TOKEN)
        self.proc = subprocess.Popen([HARK, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(self.data)],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, env=env)
        for line in self.proc.stdout:
            if "listening on http://" in line:
                self.base = line[line.index("http://"):].strip()
                break
        else:
            raise RuntimeError(f"hark did not start:\n{self.log_path.read_text()}")

    def api(self, method, path, **kw):
        return requests.request(method, self.base + path, auth=self.auth, timeout=120, **kw)

    def seed(self):
        items = [{"unique_id": f"review-{n}", "body": text, "user_id": f"user-{n % 7}"}
                 for n, text in enumerate(reviews())]
        r = self.api("POST", "/api/1/ai-feedback/ingest", json={"source_id": self.source_id, "items": items})
        assert r.status_code == 200 and r.json()["failed"] == 0, r.text
        self.conversation_id = "c0ffee00-0000-4000-8000-000000000001"
        self.message_ids = [f"c0ffee00-0000-4000-8000-00000000010{n}" for n in range(2)]
        for n, (usefulness, comment) in enumerate([("NOT_USEFUL", "The refund steps were wrong"),
                                                    ("USEFUL", "Clear and quick")]):
            message = f"{self.base}/applications/{self.app_id}/conversations/{self.conversation_id}/messages/{self.message_ids[n]}"
            r = requests.post(message, auth=self.auth, timeout=60,
                              json={"role": "assistant", "text": f"Answer {n}", "userId": "u1"})
            assert r.status_code == 200, r.text
            vote = {"usefulness": usefulness, "submittedAt": time.time(), "comment": comment}
            r = requests.post(message + "/feedback", params={"userId": "u1"}, auth=self.auth, timeout=60,
                              json={"messageUsefulness": vote})
            assert r.status_code == 200, r.text
        deadline = time.monotonic() + DEADLINE_SECS
        while time.monotonic() < deadline:
            status = self.api("GET", "/api/1/analysis/status").json()
            if status["model"] == "ready" and status["queue"]["ready"] == 0 and status["queue"]["leased"] == 0:
                break
            time.sleep(1)
        else:
            raise AssertionError(f"analysis did not finish: {status}")
        r = self.api("POST", "/api/1/themes/recluster")
        assert r.status_code == 200, r.text
        self.item_ids = [i["id"] for i in self.api("GET", "/api/1/items", params={"limit": 500}).json()["items"]]
        self.theme_ids = [t["id"] for t in self.api("GET", "/api/1/themes").json()["themes"]]
        assert len(self.item_ids) == len(items) and self.theme_ids

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.log.close()


@pytest.fixture(scope="session")
def hark():
    for path, what in ((HARK, "the hark binary (cargo build -p hark, or set HARK_BIN)"),
                       (MODEL / "model.safetensors", "the model (bash scripts/fetch-model.sh hark-data/model)")):
        if not os.path.exists(path):
            pytest.exit(f"the OpenAPI suite needs {what}: {path} is missing", returncode=2)
    h = Hark()
    try:
        h.seed()
        yield h
    finally:
        h.stop()
