"""Fixtures of the webhooks suite: a real receiver (Python's http.server on 127.0.0.1) that
verifies every delivery with the Standard Webhooks reference library from PyPI
(`standardwebhooks`), and real `hark serve` processes (SQLite in a temp dir, the real model)
with private networks allowed (the receiver is on loopback) and a retry schedule in seconds.

Environment: HARK_BIN (default target/debug/hark), HARK_SHARED_DATA (default
<repo>/../shared/data), HARK_ANALYSIS__MODEL_DIR (default <repo>/hark-data/model)."""

import csv
import json
import os
import pathlib
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

ROOT = pathlib.Path(__file__).resolve().parents[2]
HARK = os.environ.get("HARK_BIN", str(ROOT / "target" / "debug" / "hark"))
SHARED = pathlib.Path(os.environ.get("HARK_SHARED_DATA", str(ROOT.parent / "shared" / "data")))
MODEL = pathlib.Path(os.environ.get("HARK_ANALYSIS__MODEL_DIR", str(ROOT / "hark-data" / "model")))


def clean_env(**extra):
    """The environment without the caller's HARK_* variables (hark reads them as configuration)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARK_")}
    env.update(extra)
    return env


def admin(data_dir, *args):
    out = subprocess.run([HARK, "admin", *args, "--data-dir", str(data_dir)], env=clean_env(),
                         check=True, capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout)


def reviews(n):
    files = sorted((SHARED / "minibar").glob("*.en.csv"))
    if not files:
        pytest.exit(f"the webhooks suite needs the minibar reviews in {SHARED}/minibar", returncode=2)
    rows = []
    for f in files:
        with open(f, newline="", encoding="utf-8") as fh:
            rows += [r["data"].strip() for r in csv.DictReader(fh) if len((r["data"] or "").strip()) >= 30][:25]
    return rows[:n]


class Receiver:
    """An HTTP receiver on 127.0.0.1. Each path answers with the statuses queued for it (then 200),
    and records every request: headers, body, whether its signature verified with `secret`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.script = {}
        self.secrets = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                with receiver.lock:
                    queued = receiver.script.get(self.path, [])
                    status = queued.pop(0) if queued else 200
                    secret = receiver.secrets.get(self.path)
                verified = None
                if secret is not None:
                    try:
                        Webhook(secret).verify(body, {k.lower(): v for k, v in self.headers.items()})
                        verified = True
                    except WebhookVerificationError:
                        verified = False
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                              "status": status, "verified": verified, "at": time.monotonic()})
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(b"received")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def expect(self, path, secret, statuses=()):
        with self.lock:
            self.secrets[path] = secret
            self.script[path] = list(statuses)

    def received(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def wait_for(self, path, predicate, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received(path)
            if predicate(got):
                return got
            time.sleep(0.1)
        raise AssertionError(f"{path}: not received in {timeout}s: "
                             f"{[(r['status'], r['body'][:200]) for r in self.received(path)]}")

    def close(self):
        self.server.shutdown()


class Hark:
    """A running `hark serve` with one project and a webhook source."""

    def __init__(self, **env):
        self.tmp = tempfile.TemporaryDirectory(prefix="hark-webhooks-")
        self.data = pathlib.Path(self.tmp.name)
        project = admin(self.data, "create-project", "webhooks")
        self.project_id = project["project_id"]
        self.auth = (project["api_key"], project["secret_key"])
        self.source_id = admin(self.data, "create-source", "--project", self.project_id,
                               "--name", "reviews")["source_id"]
        self.app_id = admin(self.data, "create-app", "--project", self.project_id,
                            "--name", "assistant")["application_id"]
        self.log_path = self.data / "serve.log"
        self.env = clean_env(HARK_LOG_LEVEL="warn", HARK_ANALYSIS__MODEL_DIR=str(MODEL), **env)
        self.proc = None
        self.start()

    def start(self):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([HARK, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(self.data)],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, env=self.env)
        for line in self.proc.stdout:
            if "listening on http://" in line:
                self.base = line[line.index("http://"):].strip()
                return
        raise RuntimeError(f"hark did not start:\n{self.log_path.read_text()}")

    def api(self, method, path, **kw):
        return requests.request(method, self.base + path, auth=self.auth, timeout=120, **kw)

    def endpoint(self, url, events, **fields):
        r = self.api("POST", "/api/1/webhooks", json={"url": url, "events": events, **fields})
        assert r.status_code == 201, r.text
        return r.json()

    def ingest(self, items):
        r = self.api("POST", "/api/1/ai-feedback/ingest", json={"source_id": self.source_id, "items": items})
        assert r.status_code == 200 and r.json()["failed"] == 0, r.text

    def wait_for_analysis(self, deadline_secs=300):
        deadline = time.monotonic() + deadline_secs
        while time.monotonic() < deadline:
            status = self.api("GET", "/api/1/analysis/status").json()
            if status["model"] == "ready" and status["queue"]["ready"] == 0 and status["queue"]["leased"] == 0:
                return
            time.sleep(0.5)
        raise AssertionError(f"analysis did not finish: {status}")

    def kill(self):
        self.proc.kill()
        self.proc.wait(timeout=60)
        self.log.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        self.log.close()


@pytest.fixture(scope="session")
def receiver():
    r = Receiver()
    yield r
    r.close()


# Private networks allowed (the receiver is on loopback); retries after 1 s, 2 s, then give up;
# rising themes and quality drops looked for every second.
FAST = {"HARK_WEBHOOKS__ALLOW_PRIVATE_NETWORKS": "true", "HARK_WEBHOOKS__RETRY_SCHEDULE": "1s,2s",
        "HARK_WEBHOOKS__POLL_MS": "100", "HARK_WEBHOOKS__WATCH_SECS": "1"}


@pytest.fixture(scope="session")
def hark():
    for path, what in ((HARK, "the hark binary (cargo build -p hark, or set HARK_BIN)"),
                       (MODEL / "model.safetensors", "the model (bash scripts/fetch-model.sh hark-data/model)")):
        if not os.path.exists(path):
            pytest.exit(f"the webhooks suite needs {what}: {path} is missing", returncode=2)
    h = Hark(**FAST)
    yield h
    h.stop()
