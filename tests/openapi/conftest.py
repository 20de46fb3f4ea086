"""Fixtures of the OpenAPI suite: a real `hark serve` (SQLite in a temp dir, the real model, the
admin API on) with an analysed corpus of real app reviews, chat feedback and themes, so that the
fuzzer reaches the handlers' logic and not only their 404s.

Environment: as `tests/harkproc.py` says."""

import pathlib
import sys
import time

import pytest
import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from harkproc import Serve, admin, minibar_reviews, require  # noqa: E402

ADMIN_TOKEN = "openapi-suite-admin-token-0123456789"
REVIEWS = 60
DEADLINE_SECS = 300


def reviews():
    return [text for _, text in minibar_reviews(20)][:REVIEWS]


class Hark(Serve):
    """A running hark with one project, a webhook source, an analysed corpus and chat feedback."""

    def __init__(self):
        super().__init__("hark-openapi-", HARK_ADMIN_TOKEN=ADMIN_TOKEN)
        project = admin(self.data, "create-project", "openapi")
        self.project_id = project["project_id"]
        self.auth = (project["api_key"], project["secret_key"])
        self.source_id = admin(self.data, "create-source", "--project", self.project_id,
                               "--name", "reviews")["source_id"]
        self.app_id = admin(self.data, "create-app", "--project", self.project_id,
                            "--name", "assistant")["application_id"]
        self.user_id = admin(self.data, "create-user", "--project", self.project_id,
                             "--email", "viewer@hark.test", "--role", "viewer")["user_id"]
        self.start()

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


@pytest.fixture(scope="session")
def hark():
    require("OpenAPI")
    h = Hark()
    try:
        h.seed()
        yield h
    finally:
        h.stop()
