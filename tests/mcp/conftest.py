"""Fixtures for the MCP suite: a real `hark serve` (SQLite in a temp dir, the real model) with two
projects made with the admin CLI. Project "mcp" holds real app reviews (minibar, English) and
votes on AI answers, analysed by the real worker and clustered into themes; project "other"
holds a few reviews with marker words that must never reach project "mcp"'s MCP tools.

Environment: as `tests/harkproc.py` says."""

import base64
import datetime
import json
import os
import pathlib
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from harkproc import HARK, MODEL, Serve, admin, clean_env, minibar_reviews, require  # noqa: E402,F401
# Reviews taken from each minibar app (3 apps).
ROWS_PER_APP = 60
# Bound on waiting for the analysis worker (not a test of speed).
ANALYSIS_DEADLINE_SECS = 300
MIN_THEMES = 2
# Project "other"'s texts: each carries a marker word that appears nowhere in project "mcp".
OTHER_TEXTS = [
    "Zanzibarquux sync crashes every night on my watch",
    "Zanzibarquux login is broken after the update",
    "Zanzibarquux heart rate chart does not load at all",
    "Zanzibarquux the sleep tracking stopped working",
    "Zanzibarquux step counter is wrong again and again",
    "Zanzibarquux the app crashes when I open the map",
]
# Votes on AI answers: (usefulness, reason, comment).
VOTES = [("USEFUL", "HELPFUL", "Clear steps, thanks"), ("USEFUL", None, None), ("USEFUL", "COMPLETE", None),
         ("NOT_USEFUL", "NOT_FACTUALLY_CORRECT", "The pairing steps are wrong for my watch"),
         ("NOT_USEFUL", "NOT_HELPFUL", "It did not answer my question about sleep data"),
         ("NOT_USEFUL", "OTHER", None), ("USEFUL", "RELEVANT_SOURCES", None)]


def basic(api_key, secret_key):
    return "Basic " + base64.b64encode(f"{api_key}:{secret_key}".encode()).decode()


class Project:
    """A project made with the admin CLI, and its REST API with its Basic credentials."""

    def __init__(self, hark, name):
        self.hark = hark
        p = admin(hark.data, "create-project", name)
        self.id = p["project_id"]
        self.api_key, self.secret_key = p["api_key"], p["secret_key"]
        self.auth = basic(self.api_key, self.secret_key)
        self.source = admin(hark.data, "create-source", "--project", self.id, "--name", "reviews")["source_id"]

    def request(self, method, path, body=None, params=None):
        """(status, parsed JSON or None) of a REST call with the project's credentials."""
        url = self.hark.base + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", self.auth)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, json.loads(raw) if raw else None

    def get(self, path, **params):
        status, body = self.request("GET", path, params=params)
        assert status == 200, f"GET {path}: {status} {body}"
        return body

    def ingest(self, items):
        for i in range(0, len(items), 100):
            status, body = self.request("POST", "/api/1/ai-feedback/ingest",
                                        {"source_id": self.source, "items": items[i:i + 100]})
            assert status == 200 and body["failed"] == 0, body


class Hark(Serve):
    """A running `hark serve` on a fresh data dir."""

    def __init__(self):
        super().__init__("hark-mcp-")


def read_corpus():
    """(app name, review text) rows from the minibar English CSVs."""
    return minibar_reviews(ROWS_PER_APP)


def put_votes(project):
    """Votes on a registered application's answers, over the Q Business surface with Basic auth."""
    app = admin(project.hark.data, "create-app", "--project", project.id, "--name", "assistant")["application_id"]
    now = time.time()
    for n, (usefulness, reason, comment) in enumerate(VOTES):
        vote = {"usefulness": usefulness, "submittedAt": int(now - 86400 * n)}
        if reason:
            vote["reason"] = reason
        if comment:
            vote["comment"] = comment
        conv, msg = str(uuid.UUID(int=n + 1)), str(uuid.UUID(int=1000 + n))
        status, body = project.request(
            "POST", f"/applications/{app}/conversations/{conv}/messages/{msg}/feedback?userId=u{n}",
            {"messageUsefulness": vote})
        assert status == 200, (status, body)
    return app


def wait_for_analysis(project):
    """Until the project's queue is empty, every item is analysed and themes exist."""
    deadline = time.monotonic() + ANALYSIS_DEADLINE_SECS
    state = None
    while time.monotonic() < deadline:
        status = project.get("/api/1/analysis/status")
        state = status
        if status["model"] == "ready" and status["queue"]["ready"] == 0 and status["queue"]["leased"] == 0:
            break
        time.sleep(1)
    else:
        raise AssertionError(f"analysis did not finish in {ANALYSIS_DEADLINE_SECS}s: {state}\n"
                             f"{project.hark.log_path.read_text()[-3000:]}")
    status, body = project.request("POST", "/api/1/themes/recluster")
    assert status == 200, (status, body)


@pytest.fixture(scope="session")
def hark():
    require("MCP")
    corpus = read_corpus()
    h = Hark()
    h.mcp = Project(h, "mcp")
    h.other = Project(h, "other")
    # Theme discovery only when asked (recluster), so themes hold still while compared.
    h.start(HARK_ANALYSIS__DISCOVER_EVERY_SECS="86400", HARK_ANALYSIS__MIN_UNLINKED="1000000")
    try:
        now = datetime.datetime.now(datetime.timezone.utc)
        items = []
        for n, (app, text) in enumerate(corpus):
            created = now - datetime.timedelta(days=n % 21, hours=n % 7, minutes=n)
            items.append({"unique_id": f"{app}-{n}", "body": text, "author": f"user {n % 40}",
                          "user_id": f"u{n % 40}", "created_at": created.isoformat().replace("+00:00", "Z")})
        h.mcp.ingest(items)
        h.other.ingest([{"unique_id": f"other-{n}", "body": t, "user_id": f"o{n}"}
                        for n, t in enumerate(OTHER_TEXTS)])
        h.mcp.app = put_votes(h.mcp)
        h.other.app = admin(h.data, "create-app", "--project", h.other.id, "--name", "other")["application_id"]
        wait_for_analysis(h.mcp)
        wait_for_analysis(h.other)
        themes = h.mcp.get("/api/1/themes", limit=500)["themes"]
        assert len(themes) >= MIN_THEMES, themes
        h.mcp.items = h.mcp.get("/api/1/items", limit=500)["items"]
        h.other.items = h.other.get("/api/1/items", limit=500)["items"]
        h.other.themes = h.other.get("/api/1/themes", limit=500)["themes"]
        yield h
    finally:
        h.stop()
        if os.environ.get("HARK_KEEP_DATA"):
            print(f"hark data kept in {h.data}")
        else:
            h.tmp.cleanup()
