"""Fixtures of the webhooks suite: a real receiver (Python's http.server on 127.0.0.1) that
verifies every delivery with the Standard Webhooks reference library from PyPI
(`standardwebhooks`), and real `hark serve` processes (SQLite in a temp dir, the real model)
with private networks allowed (the receiver is on loopback) and a retry schedule in seconds.

Environment: as `tests/harkproc.py` says."""

import json
import pathlib
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from harkproc import Serve, admin, minibar_reviews, require  # noqa: E402


def reviews(n):
    return [text for _, text in minibar_reviews(25, min_chars=30)][:n]


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


class Hark(Serve):
    """A running `hark serve` with one project, a webhook source and an application."""

    def __init__(self, **env):
        super().__init__("hark-webhooks-", **env)
        project = admin(self.data, "create-project", "webhooks")
        self.project_id = project["project_id"]
        self.auth = (project["api_key"], project["secret_key"])
        self.source_id = admin(self.data, "create-source", "--project", self.project_id,
                               "--name", "reviews")["source_id"]
        self.app_id = admin(self.data, "create-app", "--project", self.project_id,
                            "--name", "assistant")["application_id"]
        self.start()

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
    require("webhooks")
    h = Hark(**FAST)
    yield h
    h.stop()
