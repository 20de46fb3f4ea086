"""Webhooks end to end: endpoints through the API, every event type fired by the real pipeline
(ingest → analysis → themes; PutFeedback), every delivery verified with the Standard Webhooks
reference library, retries on the schedule, 410, rotation, Slack bodies, the address policy, and
nothing lost across `kill -9`."""

import base64
import datetime
import json
import threading
import time
import uuid

import requests
from standardwebhooks.webhooks import Webhook

from conftest import FAST, Hark, reviews


def events_of(received):
    return [json.loads(r["body"]) for r in received]


def test_an_endpoint_shows_its_secret_once(hark, receiver):
    e = hark.endpoint(receiver.url("/once"), ["theme.created"], description="ops")
    assert e["id"].startswith("whk_") and e["secret"].startswith("whsec_")
    assert len(base64.b64decode(e["secret"][len("whsec_"):])) >= 24
    got = hark.api("GET", f"/api/1/webhooks/{e['id']}").json()
    assert "secret" not in got and got["url"] == receiver.url("/once") and got["state"] == "enabled"
    assert e["id"] in [x["id"] for x in hark.api("GET", "/api/1/webhooks").json()["endpoints"]]
    # Another project never sees it.
    other = Hark.__new__(Hark)
    other.base, other.auth = hark.base, tuple(_new_project(hark))
    assert other.api("GET", f"/api/1/webhooks/{e['id']}").status_code == 404
    assert other.api("DELETE", f"/api/1/webhooks/{e['id']}").status_code == 404
    assert hark.api("DELETE", f"/api/1/webhooks/{e['id']}").status_code == 204
    assert hark.api("GET", f"/api/1/webhooks/{e['id']}").status_code == 404


def _new_project(hark):
    from conftest import admin
    p = admin(hark.data, "create-project", f"other-{uuid.uuid4().hex[:6]}")
    return p["api_key"], p["secret_key"]


def test_bad_endpoints_are_refused_with_every_problem_named(hark):
    r = hark.api("POST", "/api/1/webhooks", json={"url": "ftp://x.example", "events": ["theme.nope"],
                                                  "filter": {"min_mentions": -1}})
    assert r.status_code == 400
    paths = {i["path"] for i in r.json()["issues"]}
    assert {"events[0]", "filter.min_mentions"} <= paths, r.json()
    r = hark.api("POST", "/api/1/webhooks", json={"url": "ftp://x.example", "events": ["theme.created"]})
    assert r.status_code == 400 and r.json()["issues"][0]["path"] == "url"


def test_private_addresses_are_refused_by_default():
    h = Hark()  # no allow_private_networks
    try:
        for url in ["http://127.0.0.1:9/x", "http://localhost/x", "http://10.1.2.3/x",
                    "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://192.168.0.10/x"]:
            r = h.api("POST", "/api/1/webhooks", json={"url": url, "events": ["theme.created"]})
            assert r.status_code == 400, (url, r.text)
            assert r.json()["issues"][0]["path"] == "url", r.json()
        assert h.api("GET", "/api/1/webhooks").json()["endpoints"] == []
    finally:
        h.stop()


def test_a_test_send_is_signed_per_standard_webhooks(hark, receiver):
    e = hark.endpoint(receiver.url("/test-send"), ["theme.created"])
    receiver.expect("/test-send", e["secret"])
    r = hark.api("POST", f"/api/1/webhooks/{e['id']}/test")
    assert r.status_code == 202 and r.json() == {"queued": 1}
    got = receiver.wait_for("/test-send", lambda rs: len(rs) == 1)[0]
    assert got["verified"] is True
    assert got["headers"]["webhook-id"].startswith("msg_")
    assert got["headers"]["content-type"].startswith("application/json")
    body = json.loads(got["body"])
    assert body["type"] == "webhook.test" and body["data"]["endpoint_id"] == e["id"]
    datetime.datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00"))
    # The delivery and its attempt are listed.
    deliveries = hark.api("GET", f"/api/1/webhooks/{e['id']}/deliveries").json()["deliveries"]
    assert [d["status"] for d in deliveries] == ["delivered"]
    detail = hark.api("GET", f"/api/1/webhooks/{e['id']}/deliveries/{deliveries[0]['id']}").json()
    assert detail["event_id"] == got["headers"]["webhook-id"]
    assert [a["status"] for a in detail["attempts"]] == [200]
    assert detail["attempts"][0]["response"] == "received"


def test_analysis_and_themes_fire_their_events(hark, receiver):
    secret_path = "/pipeline"
    e = hark.endpoint(receiver.url(secret_path), ["feedback.analyzed", "theme.created", "theme.updated"])
    receiver.expect(secret_path, e["secret"])
    texts = reviews(40)
    hark.ingest([{"unique_id": f"rev-{n}", "body": t, "user_id": f"u{n % 5}"} for n, t in enumerate(texts)])
    hark.wait_for_analysis()
    analysed = receiver.wait_for(secret_path, lambda rs: sum(
        json.loads(r["body"])["type"] == "feedback.analyzed" for r in rs) >= len(texts))
    assert all(r["verified"] for r in analysed)
    items = {i["unique_id"]: i for i in hark.api("GET", "/api/1/items", params={"limit": 500}).json()["items"]}
    by_unique = {}
    for ev in events_of(analysed):
        if ev["type"] == "feedback.analyzed":
            by_unique[ev["data"]["unique_id"]] = ev["data"]
    assert set(by_unique) == {f"rev-{n}" for n in range(len(texts))}
    for uid, data in by_unique.items():
        item = hark.api("GET", f"/api/1/items/{items[uid]['id']}").json()
        assert data["item_id"] == item["id"] and data["source_id"] == hark.source_id
        assert data["category"] == item["analysis"]["category"]
        assert data["sentiment"]["label"] == item["analysis"]["sentiment"]["label"]
        assert data["mentions"] == len(item["analysis"]["mentions"])

    r = hark.api("POST", "/api/1/themes/recluster")
    assert r.status_code == 200, r.text
    themes = hark.api("GET", "/api/1/themes", params={"limit": 500}).json()["themes"]
    assert themes
    created = receiver.wait_for(secret_path, lambda rs: {
        json.loads(x["body"])["data"]["theme"]["id"] for x in rs
        if json.loads(x["body"])["type"] == "theme.created"} >= {t["id"] for t in themes})
    assert all(r["verified"] for r in created)
    first = themes[0]
    r = hark.api("PATCH", f"/api/1/themes/{first['id']}", json={"name": "Named by a person"})
    assert r.status_code == 200, r.text
    renamed = receiver.wait_for(secret_path, lambda rs: any(
        json.loads(x["body"])["type"] == "theme.updated"
        and json.loads(x["body"])["data"]["change"] == "renamed" for x in rs))
    update = [ev for ev in events_of(renamed) if ev["type"] == "theme.updated"][-1]["data"]
    assert update["theme"] == {"id": first["id"], "name": "Named by a person"}


def test_rising_themes_are_announced_once_per_theme_and_week(hark, receiver):
    """Runs after the pipeline test: its reviews arrived this week, none last week, so every theme
    with 3 mentions or more this week grew past a threshold of 1.5."""
    path = "/rising"
    e = hark.endpoint(receiver.url(path), ["theme.rising"], filter={"growth_threshold": 1.5})
    receiver.expect(path, e["secret"])
    listing = hark.api("GET", "/api/1/themes", params={"limit": 500}).json()
    rising = set(listing["rising"])
    assert rising, listing
    got = receiver.wait_for(path, lambda rs: {json.loads(r["body"])["data"]["theme"]["id"] for r in rs} >= rising)
    time.sleep(3)  # the watcher looks every second: nothing is announced twice
    got = receiver.received(path)
    ids = [json.loads(r["body"])["data"]["theme"]["id"] for r in got]
    assert len(ids) == len(set(ids)) and set(ids) == rising, (ids, rising)
    for ev in events_of(got):
        d = ev["data"]
        assert d["this_week"] >= 3 and d["last_week"] == 0 and d["growth"] == d["this_week"]
    assert all(r["verified"] for r in got)


def test_a_useful_rate_drop_is_announced_once_a_day(hark, receiver):
    path = "/quality"
    e = hark.endpoint(receiver.url(path), ["chat_quality.dropped"], filter={"useful_rate_below": 0.6})
    receiver.expect(path, e["secret"])
    from conftest import admin
    app = admin(hark.data, "create-app", "--project", hark.project_id, "--name", "quality")["application_id"]
    conv = str(uuid.uuid4())

    def vote(usefulness):
        r = requests.post(f"{hark.base}/applications/{app}/conversations/{conv}/messages/{uuid.uuid4()}/feedback",
                          json={"messageUsefulness": {"usefulness": usefulness, "submittedAt": time.time()}},
                          auth=hark.auth, timeout=60)
        assert r.status_code == 200, r.text

    for u in ["USEFUL", "USEFUL", "NOT_USEFUL", "USEFUL"]:
        vote(u)
    time.sleep(2.5)  # 4 votes: too few to judge
    assert receiver.received(path) == []
    for u in ["NOT_USEFUL", "NOT_USEFUL", "NOT_USEFUL"]:
        vote(u)  # 3 useful of 7: 0.43 < 0.6
    got = receiver.wait_for(path, lambda rs: len(rs) == 1)
    vote("NOT_USEFUL")
    time.sleep(2.5)
    got = receiver.received(path)
    assert len(got) == 1 and got[0]["verified"]
    d = json.loads(got[0]["body"])["data"]
    assert d["application_id"] == app and d["votes"] == 7 and d["threshold"] == 0.6
    assert abs(d["useful_rate"] - 3 / 7) < 1e-9


def test_chat_feedback_fires_received_and_not_useful(hark, receiver):
    path = "/chat"
    e = hark.endpoint(receiver.url(path), ["chat_feedback.received", "chat_feedback.not_useful"],
                      filter={"sources": [hark.app_id]})
    receiver.expect(path, e["secret"])
    conv = str(uuid.uuid4())
    votes = [(str(uuid.uuid4()), "NOT_USEFUL", "The refund window is 14 days, not 30."),
             (str(uuid.uuid4()), "USEFUL", None)]
    for msg, usefulness, comment in votes:
        vote = {"usefulness": usefulness, "submittedAt": time.time()}
        if comment:
            vote["comment"] = comment
            vote["reason"] = "NOT_FACTUALLY_CORRECT"
        r = requests.post(f"{hark.base}/applications/{hark.app_id}/conversations/{conv}/messages/{msg}/feedback",
                          params={"userId": "jane@example.com"}, json={"messageUsefulness": vote},
                          auth=hark.auth, timeout=60)
        assert r.status_code == 200, r.text
    got = receiver.wait_for(path, lambda rs: len(rs) >= 3)
    time.sleep(1)
    got = receiver.received(path)
    assert len(got) == 3 and all(r["verified"] for r in got)
    kinds = sorted((ev["type"], ev["data"]["message_id"]) for ev in events_of(got))
    assert kinds == sorted([("chat_feedback.received", votes[0][0]), ("chat_feedback.not_useful", votes[0][0]),
                            ("chat_feedback.received", votes[1][0])])
    bad = [ev["data"] for ev in events_of(got) if ev["type"] == "chat_feedback.not_useful"][0]
    assert bad["comment"] == votes[0][2] and bad["reason"] == "NOT_FACTUALLY_CORRECT"
    assert bad["application_id"] == hark.app_id and bad["conversation_id"] == conv
    assert bad["user_id"] == "jane@example.com"


def test_failures_are_retried_on_the_schedule_with_one_webhook_id(hark, receiver):
    path = "/flaky"
    e = hark.endpoint(receiver.url(path), ["theme.created"])
    receiver.expect(path, e["secret"], statuses=[500, 503])
    assert hark.api("POST", f"/api/1/webhooks/{e['id']}/test").status_code == 202
    got = receiver.wait_for(path, lambda rs: len(rs) == 3, timeout=30)
    assert [r["status"] for r in got] == [500, 503, 200]
    assert len({r["headers"]["webhook-id"] for r in got}) == 1
    assert all(r["verified"] for r in got)
    # The schedule is 1 s then 2 s, each ±20 %.
    assert got[1]["at"] - got[0]["at"] >= 0.75 and got[2]["at"] - got[1]["at"] >= 1.5
    delivery = hark.api("GET", f"/api/1/webhooks/{e['id']}/deliveries").json()["deliveries"][0]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 3
    attempts = hark.api("GET", f"/api/1/webhooks/{e['id']}/deliveries/{delivery['id']}").json()["attempts"]
    assert [a["status"] for a in attempts] == [500, 503, 200]
    assert hark.api("GET", f"/api/1/webhooks/{e['id']}").json()["state"] == "enabled"


def test_a_delivery_that_keeps_failing_gives_up_and_can_be_resent(hark, receiver):
    path = "/down"
    e = hark.endpoint(receiver.url(path), ["theme.created"])
    receiver.expect(path, e["secret"], statuses=[500, 500, 500])
    hark.api("POST", f"/api/1/webhooks/{e['id']}/test")
    receiver.wait_for(path, lambda rs: len(rs) == 3, timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        delivery = hark.api("GET", f"/api/1/webhooks/{e['id']}/deliveries").json()["deliveries"][0]
        if delivery["status"] == "failed":
            break
        time.sleep(0.2)
    assert delivery["status"] == "failed" and delivery["attempts"] == 3
    endpoint = hark.api("GET", f"/api/1/webhooks/{e['id']}").json()
    assert endpoint["state"] == "failing" and endpoint["failing_since"]
    r = hark.api("POST", f"/api/1/webhooks/{e['id']}/deliveries/{delivery['id']}/resend")
    assert r.status_code == 202
    got = receiver.wait_for(path, lambda rs: len(rs) == 4)
    assert got[3]["status"] == 200 and got[3]["headers"]["webhook-id"] == got[0]["headers"]["webhook-id"]
    assert hark.api("GET", f"/api/1/webhooks/{e['id']}").json()["state"] == "enabled"


def test_410_disables_the_endpoint(hark, receiver):
    path = "/gone"
    e = hark.endpoint(receiver.url(path), ["theme.created"])
    receiver.expect(path, e["secret"], statuses=[410])
    hark.api("POST", f"/api/1/webhooks/{e['id']}/test")
    receiver.wait_for(path, lambda rs: len(rs) == 1)
    deadline = time.monotonic() + 10
    while hark.api("GET", f"/api/1/webhooks/{e['id']}").json()["state"] != "disabled":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    endpoint = hark.api("GET", f"/api/1/webhooks/{e['id']}").json()
    assert "410" in endpoint["disabled_reason"]
    assert hark.api("POST", f"/api/1/webhooks/{e['id']}/test").status_code == 409
    time.sleep(1)
    assert len(receiver.received(path)) == 1
    # Enabled again by a person, it receives again.
    assert hark.api("PATCH", f"/api/1/webhooks/{e['id']}", json={"enabled": True}).status_code == 200
    hark.api("POST", f"/api/1/webhooks/{e['id']}/test")
    receiver.wait_for(path, lambda rs: len(rs) == 2)


def test_a_rotated_secret_signs_beside_the_old_one(hark, receiver):
    path = "/rotate"
    e = hark.endpoint(receiver.url(path), ["theme.created"])
    r = hark.api("POST", f"/api/1/webhooks/{e['id']}/rotate-secret")
    assert r.status_code == 200
    new = r.json()["secret"]
    assert new != e["secret"] and new.startswith("whsec_")
    receiver.expect(path, new)
    hark.api("POST", f"/api/1/webhooks/{e['id']}/test")
    got = receiver.wait_for(path, lambda rs: len(rs) == 1)[0]
    assert got["verified"] is True
    assert len(got["headers"]["webhook-signature"].split(" ")) == 2
    headers = {k.lower(): v for k, v in got["headers"].items()}
    Webhook(e["secret"]).verify(got["body"], headers)  # the old secret still verifies


def test_a_slack_endpoint_gets_a_readable_message(hark, receiver):
    path = "/slack"
    e = hark.endpoint(receiver.url(path), ["theme.created"], kind="slack")
    hark.api("POST", f"/api/1/webhooks/{e['id']}/test")
    body = json.loads(receiver.wait_for(path, lambda rs: len(rs) == 1)[0]["body"])
    assert body["text"] and isinstance(body["blocks"], list) and body["blocks"]


def test_attempts_and_the_outbox_are_on_metrics(hark):
    text = requests.get(hark.base + "/metrics", timeout=30).text
    assert 'hark_webhook_attempts_total{outcome="delivered"}' in text
    assert "hark_webhook_outbox_pending" in text


def test_nothing_acknowledged_is_lost_across_kill_9(receiver):
    """Votes sent while deliveries fail and hark is killed: after a restart, every acknowledged
    vote's event arrives (at least once); none for a call that was refused."""
    h = Hark(**{**FAST, "HARK_WEBHOOKS__RETRY_SCHEDULE": ",".join(["1s"] * 30)})
    path = "/crash"
    try:
        e = h.endpoint(receiver.url(path), ["chat_feedback.received"])
        receiver.expect(path, e["secret"], statuses=[500] * 10_000)
        acknowledged, refused = [], []
        stop = threading.Event()
        conv = str(uuid.uuid4())

        def vote():
            s = requests.Session()
            while not stop.is_set():
                msg = str(uuid.uuid4())
                try:
                    r = s.post(f"{h.base}/applications/{h.app_id}/conversations/{conv}/messages/{msg}/feedback",
                               json={"messageUsefulness": {"usefulness": "USEFUL", "submittedAt": time.time()}},
                               auth=h.auth, timeout=10)
                except requests.RequestException:
                    return
                (acknowledged if r.status_code == 200 else refused).append(msg)

        threads = [threading.Thread(target=vote) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(2)
        h.kill()
        stop.set()
        for t in threads:
            t.join()
        assert len(acknowledged) > 20, len(acknowledged)
        with receiver.lock:
            receiver.script[path] = []  # the receiver recovers
        h.start()
        delivered = receiver.wait_for(path, lambda rs: {
            ev["data"]["message_id"] for ev in events_of([r for r in rs if r["status"] == 200])
        } >= set(acknowledged), timeout=120)
        got = {ev["data"]["message_id"] for ev in events_of([r for r in delivered if r["status"] == 200])}
        assert got >= set(acknowledged)
        assert not (got & set(refused))
        assert all(r["verified"] for r in delivered)
    finally:
        h.stop()
