"""The Webhooks section of `/settings`: an admin adds an endpoint pointing at a local receiver,
sees its secret once, sends a test event that the receiver verifies with the standardwebhooks
library, sees it delivered, disables, enables, rotates the secret and deletes; others' posts,
posts without the CSRF token and refused forms; hostile text stays inert; axe finds no serious
violations. (The suite's hark runs with HARK_WEBHOOKS__ALLOW_PRIVATE_NETWORKS=true: see
harness.py.)"""

import http.server
import threading

import pytest
import requests
from axe_selenium_python import Axe
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from standardwebhooks import Webhook

from harness import click_and_wait, csrf_of, norm, page_text, session_cookies, sign_in
from test_layout import AXE_JS, describe

HOSTILE = "ops <script>window.__xss=1</script> <img src=x onerror=\"window.__xss=1\"> channel"
# Bound on a delivery reaching the receiver (the worker polls every 500 ms).
DELIVERY_DEADLINE_SECS = 30


class Receiver:
    """A local HTTP endpoint recording every POST (lower-cased headers, raw body); answers 204."""

    def __init__(self):
        self.received = []
        self.cond = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver.cond:
                    receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    receiver.cond.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/hark"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count):
        """The first `count` requests, once they have arrived."""
        with self.cond:
            arrived = self.cond.wait_for(lambda: len(self.received) >= count, timeout=DELIVERY_DEADLINE_SECS)
            assert arrived, f"{len(self.received)} deliveries arrived, expected {count}"
            return list(self.received[:count])

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def endpoints(hark):
    return hark.get("/api/1/webhooks")["endpoints"]


def card(driver, endpoint_id):
    return driver.find_element(By.CSS_SELECTOR, f"article[id='webhook-{endpoint_id}']")


def submit_new_endpoint(driver, url, events=(), categories=(), description="", kind="standard"):
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/settings/webhooks']")
    form.find_element(By.NAME, "url").send_keys(url)
    form.find_element(By.CSS_SELECTOR, f"select[name=kind] option[value='{kind}']").click()
    for e in events:
        form.find_element(By.CSS_SELECTOR, f"input[name=event][value='{e}']").click()
    for c in categories:
        form.find_element(By.CSS_SELECTOR, f"input[name=category][value='{c}']").click()
    if description:
        form.find_element(By.NAME, "description").send_keys(description)
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def click_in_card(driver, endpoint_id, action):
    button = card(driver, endpoint_id).find_element(By.CSS_SELECTOR, f"form[action$='/{action}'] button")
    click_and_wait(driver, button)


def verified(secret, request):
    headers, body = request
    return Webhook(secret).verify(body, headers)


def wait_delivered(driver, hark, endpoint_id, count):
    """Reloads the endpoint's deliveries page until `count` deliveries show `delivered`."""
    def delivered(d):
        d.get(f"{hark.base}/settings/webhooks/{endpoint_id}")
        rows = d.find_elements(By.CSS_SELECTOR, "main tbody tr")
        return rows if sum("delivered" in r.text for r in rows) >= count else False
    return WebDriverWait(driver, DELIVERY_DEADLINE_SECS).until(delivered)


def test_admin_adds_tests_toggles_rotates_and_deletes_an_endpoint(hark, browser, receiver):
    sign_in(browser, hark, "admin")
    browser.get(hark.base + "/settings")
    before = {e["id"] for e in endpoints(hark)}
    submit_new_endpoint(browser, receiver.url, events=["theme.created", "feedback.analyzed"],
                        categories=["bug"], description=HOSTILE)

    # The secret, once, with the note to copy it now.
    assert norm(browser.find_element(By.TAG_NAME, "h1").text) == "New webhook endpoint"
    assert "Copy it now" in page_text(browser)
    secret = browser.find_element(By.ID, "webhook-secret").text.strip()
    assert secret.startswith("whsec_"), secret
    (created,) = [e for e in endpoints(hark) if e["id"] not in before]
    assert created["url"] == receiver.url and created["state"] == "enabled", created
    assert sorted(created["events"]) == ["feedback.analyzed", "theme.created"], created
    assert created["filter"] == {"categories": ["bug"]}, created
    assert created["description"] == HOSTILE.strip(), created
    eid = created["id"]

    # Back on the settings page: the card, the hostile description as text, never the secret.
    browser.get(hark.base + "/settings")
    assert secret not in browser.page_source
    c = card(browser, eid)
    assert HOSTILE.strip() in norm(c.text), c.text
    assert not c.find_elements(By.CSS_SELECTOR, "script, img"), "the description became markup"
    assert browser.execute_script("return window.__xss") is None
    assert "No deliveries yet." in c.text

    # A test event: the receiver gets it signed with the secret; the page shows it delivered.
    click_in_card(browser, eid, "test")
    assert browser.current_url.startswith(f"{hark.base}/settings/webhooks/{eid}"), browser.current_url
    assert "A test event was queued" in page_text(browser)
    (first,) = receiver.wait_for(1)
    payload = verified(secret, first)
    assert payload["type"] == "webhook.test", payload
    assert payload["data"]["endpoint_id"] == eid, payload
    rows = wait_delivered(browser, hark, eid, 1)
    cells = [norm(td.text) for td in rows[0].find_elements(By.TAG_NAME, "td")]
    assert cells[0].startswith("webhook.test") and cells[1:4] == ["delivered", "1", "204"], cells
    click_and_wait(browser, rows[0].find_element(By.CSS_SELECTOR, "a"))
    assert norm(browser.find_element(By.TAG_NAME, "h1").text).startswith("Delivery ")
    attempt = [norm(td.text) for td in browser.find_elements(By.CSS_SELECTOR, "main tbody tr td")]
    assert attempt[0] == "1" and attempt[2] == "204", attempt
    browser.get(hark.base + "/settings")
    assert "delivered" in card(browser, eid).text

    # Disable, then enable.
    click_in_card(browser, eid, "disable")
    assert hark.get(f"/api/1/webhooks/{eid}")["state"] == "disabled"
    c = card(browser, eid)
    assert "disabled" in norm(c.text), c.text
    assert not c.find_elements(By.CSS_SELECTOR, "form[action$='/test']"), "a test button on a disabled endpoint"
    click_in_card(browser, eid, "enable")
    assert hark.get(f"/api/1/webhooks/{eid}")["state"] == "enabled"
    assert "enabled" in norm(card(browser, eid).text)

    # Rotate: a new secret, once; the next delivery verifies with it.
    click_in_card(browser, eid, "rotate-secret")
    assert norm(browser.find_element(By.TAG_NAME, "h1").text) == "New webhook secret"
    rotated = browser.find_element(By.ID, "webhook-secret").text.strip()
    assert rotated.startswith("whsec_") and rotated != secret
    browser.get(hark.base + "/settings")
    click_in_card(browser, eid, "test")
    _, second = receiver.wait_for(2)
    assert verified(rotated, second)["type"] == "webhook.test"
    assert verified(secret, second)["type"] == "webhook.test", "the previous secret signs for 24 h"

    # Delete, behind its <details> confirmation.
    browser.get(hark.base + "/settings")
    c = card(browser, eid)
    delete = c.find_element(By.CSS_SELECTOR, "form[action$='/delete'] button")
    assert not delete.is_displayed(), "the delete button shows before its confirmation is opened"
    c.find_element(By.CSS_SELECTOR, "details summary").click()
    click_and_wait(browser, delete)
    assert not browser.find_elements(By.CSS_SELECTOR, f"article[id='webhook-{eid}']")
    assert eid not in {e["id"] for e in endpoints(hark)}
    assert browser.execute_script("return window.__xss") is None


def test_refused_forms_show_their_problems(hark, browser):
    sign_in(browser, hark, "admin")
    browser.get(hark.base + "/settings")
    before = endpoints(hark)
    submit_new_endpoint(browser, "https://hooks.example.com/none", description="kept <b>as typed</b>")
    problems = norm(browser.find_element(By.ID, "webhook-problems").text)
    assert "Choose at least one event." in problems, problems
    assert norm(browser.find_element(By.TAG_NAME, "h1").text) == "Settings"
    form = browser.find_element(By.CSS_SELECTOR, "form[action='/settings/webhooks']")
    assert form.find_element(By.NAME, "url").get_attribute("value") == "https://hooks.example.com/none"
    assert form.find_element(By.NAME, "description").get_attribute("value") == "kept <b>as typed</b>"
    submit_new_endpoint_after_reset(browser, "ftp://hooks.example.com/x", events=["theme.rising"])
    problems = norm(browser.find_element(By.ID, "webhook-problems").text)
    assert "scheme" in problems and "https" in problems, problems
    assert browser.find_element(By.CSS_SELECTOR, "input[name=event][value='theme.rising']").is_selected()
    r = requests.post(hark.base + "/settings/webhooks", cookies=session_cookies(browser), allow_redirects=False,
                      data={"csrf": csrf_of(browser), "url": "not a url", "event": "webhook.test"}, timeout=30)
    assert r.status_code == 400, r.status_code
    assert "Not a valid URL" in r.text and "is not an event type" in r.text, r.text[-2000:]
    assert endpoints(hark) == before


def submit_new_endpoint_after_reset(driver, url, events):
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/settings/webhooks']")
    form.find_element(By.NAME, "url").clear()
    form.find_element(By.NAME, "description").clear()
    submit_new_endpoint(driver, url, events=events)


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_others_posts_are_forbidden(hark, browser, role):
    sign_in(browser, hark, role)
    before = endpoints(hark)
    form = {"csrf": csrf_of(browser), "url": "https://hooks.example.com/x", "event": "theme.created"}
    r = requests.post(hark.base + "/settings/webhooks", data=form, cookies=session_cookies(browser),
                      allow_redirects=False, timeout=30)
    assert r.status_code == 403, r.status_code
    assert endpoints(hark) == before
    r = requests.get(hark.base + "/settings/webhooks/whk_none", cookies=session_cookies(browser),
                     allow_redirects=False, timeout=30)
    assert r.status_code == 403, r.status_code


def test_a_post_without_the_csrf_token_is_refused(hark, admin_browser):
    admin_browser.get(hark.base + "/settings")
    cookies = session_cookies(admin_browser)
    before = endpoints(hark)
    for token in (None, "forged"):
        form = {"url": "https://hooks.example.com/x", "event": "theme.created"}
        if token:
            form["csrf"] = token
        r = requests.post(hark.base + "/settings/webhooks", data=form, cookies=cookies,
                          allow_redirects=False, timeout=30)
        assert r.status_code == 403, r.status_code
    assert endpoints(hark) == before
    # The per-endpoint actions too.
    r = hark.api("POST", "/api/1/webhooks", json={"url": "https://hooks.example.com/kept", "events": ["theme.created"]})
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    try:
        for action in ("test", "disable", "rotate-secret", "delete"):
            r = requests.post(f"{hark.base}/settings/webhooks/{eid}/{action}", data={}, cookies=cookies,
                              allow_redirects=False, timeout=30)
            assert r.status_code == 403, f"{action}: {r.status_code}"
        assert hark.get(f"/api/1/webhooks/{eid}")["state"] == "enabled"
    finally:
        hark.api("DELETE", f"/api/1/webhooks/{eid}")


def axe_check(driver, what):
    axe = Axe(driver, script_url=str(AXE_JS))
    axe.inject()
    results = axe.run()
    assert results["passes"], "axe ran no checks"
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{what}: {len(bad)} serious/critical axe violations\n{describe(bad)}"


def test_the_section_is_accessible_and_fits_a_phone(hark, admin_browser, receiver):
    long_url = receiver.url + "/" + "segment" * 30
    r = hark.api("POST", "/api/1/webhooks", json={
        "url": long_url, "events": ["theme.created", "chat_quality.dropped"], "description": HOSTILE})
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    try:
        assert hark.api("POST", f"/api/1/webhooks/{eid}/test").status_code == 202
        receiver.wait_for(1)
        wait_delivered(admin_browser, hark, eid, 1)
        axe_check(admin_browser, "endpoint deliveries")
        click_and_wait(admin_browser, admin_browser.find_element(By.CSS_SELECTOR, "main tbody tr a"))
        axe_check(admin_browser, "a delivery")
        admin_browser.get(hark.base + "/settings")
        axe_check(admin_browser, "settings with an endpoint")
        assert admin_browser.execute_script("return window.__xss") is None
        # A refused form, shown again with its problems.
        submit_new_endpoint(admin_browser, "https://hooks.example.com/no-events")
        assert admin_browser.find_elements(By.ID, "webhook-problems")
        axe_check(admin_browser, "settings with a refused form")
        admin_browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                      {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        try:
            admin_browser.get(hark.base + "/settings")
            width = admin_browser.execute_script("return document.documentElement.scrollWidth")
            assert width <= 391, f"/settings is {width}px wide on a 390px phone"
        finally:
            admin_browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    finally:
        hark.api("DELETE", f"/api/1/webhooks/{eid}")
