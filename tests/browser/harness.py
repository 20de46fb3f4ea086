"""The browser suite's harness (conftest.py exposes its fixtures): a real `hark serve` (SQLite in a temp dir, the real model),
a project with one source per app, three dashboard users made with the admin CLI, a corpus of
real app reviews plus hostile items ingested over the HTTP API and analysed by the real worker,
and real headless Chromium driven by chromedriver.

Environment: HARK_BIN (default target/debug/hark), HARK_SHARED_DATA (default <repo>/../shared/data),
HARK_ANALYSIS__MODEL_DIR (default <repo>/hark-data/model)."""

import csv
import datetime
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time
import uuid

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

# Paths, the clean environment and the admin CLI are the Python suites' shared harness.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from harkproc import HARK, MODEL, ROOT, SHARED, admin, clean_env  # noqa: E402,F401
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Reviews taken from each minibar app (3 apps: ~300 items).
ROWS_PER_APP = 100
# Bound on waiting for the analysis worker and theme discovery (not a test of speed).
ANALYSIS_DEADLINE_SECS = 300
MIN_THEMES = 3

# Hostile items: (unique_id, fields). Every body carries a marker so a test can find it on a
# page; each payload sets window.__xss if it ever runs.
HOSTILE = [
    ("hostile-script", {"body": "HOSTILE-SCRIPT <script>window.__xss=1</script> the app crashes when I sync my watch",
                        "author": "<script>window.__xss=1</script>Eve"}),
    ("hostile-img", {"body": "HOSTILE-IMG \"><img src=x onerror=\"window.__xss=1\"> login is broken after the update",
                     "author": "\"><img src=x onerror=\"window.__xss=1\">"}),
    ("hostile-svg", {"body": "HOSTILE-SVG <svg onload=window.__xss=1> sleep tracking stopped working",
                     "author": "<b onmouseover=window.__xss=1>Mallory</b>"}),
    # A URL with a host passes ingest validation and still runs as script if it becomes a link.
    ("hostile-url", {"body": "HOSTILE-URL the heart rate chart does not load",
                     "url": "javascript://hark.test/%0Awindow.__xss=1"}),
    ("hostile-bidi", {"body": "HOSTILE-BIDI sync\u200b fails\u200d every\ufeff night \u202egnirts desrever",
                      "author": "\u202eevE nimda"}),
    ("hostile-long", {"body": "HOSTILE-LONG " + "steps" * 80 + " the step counter is wrong",
                      "author": "x" * 200}),
    ("hostile-parts", {"body": "HOSTILE-PARTS my workouts are missing",
                       "conversation_parts": [
                           {"unique_id": "hostile-parts-1", "author": "<i>agent</i>", "email": "agent@hark.test",
                            "body": "HOSTILE-PART <iframe src=\"javascript:window.__xss=1\"></iframe> please reinstall"}]}),
]
# Refused by ingest (an absolute URL needs a host); the suite checks it never gets in.
REFUSED_URL = ("hostile-js-url", {"body": "HOSTILE-JSURL the map is blank", "url": "javascript:window.__xss=1"})


class Hark:
    """A running `hark serve` with a project, its sources, users and analysed corpus."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hark-browser-")
        self.data = pathlib.Path(self.tmp.name)
        self.proc = None
        self.log_path = self.data / "serve.log"
        project = admin(self.data, "create-project", "browser")
        self.project_id = project["project_id"]
        self.auth = (project["api_key"], project["secret_key"])
        self.users = {}
        for role in ("admin", "editor", "viewer"):
            u = admin(self.data, "create-user", "--project", self.project_id,
                      "--email", f"{role}@hark.test", "--role", role)
            assert u["role"] == role and u["password"], u
            self.users[role] = u
        self.sources = {}

    def start(self, **env):
        # Webhook endpoints on 127.0.0.1: the suite's receivers are local.
        base_env = clean_env(HARK_LOG_LEVEL="warn", HARK_ANALYSIS__MODEL_DIR=str(MODEL),
                             HARK_WEBHOOKS__ALLOW_PRIVATE_NETWORKS="true", **env)
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([HARK, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(self.data)],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, env=base_env)
        for line in self.proc.stdout:
            if "listening on http://" in line:
                self.base = line[line.index("http://"):].strip()
                return
        raise RuntimeError(f"hark did not start:\n{self.log_path.read_text()}")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=60)
            self.proc = None
            self.log.close()

    # --- the JSON API, with the project's Basic credentials ---
    def api(self, method, path, **kw):
        return requests.request(method, self.base + path, auth=self.auth, timeout=60, **kw)

    def get(self, path, **params):
        r = self.api("GET", path, params=params)
        assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text[:500]}"
        return r.json()

    def all_items(self, **filters):
        items, cursor = [], None
        while True:
            params = dict(filters, limit=500)
            if cursor:
                params["cursor"] = cursor
            page = self.get("/api/1/items", **params)
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items

    def all_mentions(self, **filters):
        """Every mention (items' and AI-answer comments'), newest first."""
        mentions, before = [], None
        while True:
            params = dict(filters, limit=500)
            if before is not None:
                params["before"] = before
            page = self.get("/api/1/mentions", **params)
            mentions += page["mentions"]
            before = page.get("next_before")
            if before is None:
                return mentions

    def item(self, item_id):
        return self.get(f"/api/1/items/{item_id}")

    def themes(self, **filters):
        return self.get("/api/1/themes", **filters)["themes"]

    def item_by_unique_id(self, unique_id):
        return next(i for i in self.items if i["unique_id"] == unique_id)


def read_corpus():
    """(app name, review text) rows from the minibar English CSVs."""
    folder = SHARED / "minibar"
    files = sorted(folder.glob("*.en.csv")) if folder.is_dir() else []
    if not files:
        pytest.exit(f"browser tests need the minibar reviews: no {folder}/*.en.csv "
                    "(set HARK_SHARED_DATA to the shared data folder)", returncode=2)
    rows = []
    for f in files:
        with open(f, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            assert {"data", "app"} <= set(reader.fieldnames or []), f"{f}: headers {reader.fieldnames}"
            taken = 0
            for row in reader:
                text = (row["data"] or "").strip()
                if len(text) < 20:
                    continue
                rows.append((f.name.split(".")[0], text))
                taken += 1
                if taken == ROWS_PER_APP:
                    break
    return rows


def ingest(h, source_id, items):
    for i in range(0, len(items), 100):
        r = h.api("POST", "/api/1/ai-feedback/ingest", json={"source_id": source_id, "items": items[i:i + 100]})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["failed"] == 0, body


# Votes on AI answers, sent with boto3 (SigV4): (usefulness, reason, comment).
VOTES = [("USEFUL", "HELPFUL", "Clear steps, thanks"), ("USEFUL", None, None), ("USEFUL", "COMPLETE", None),
         ("NOT_USEFUL", "NOT_FACTUALLY_CORRECT", "The pairing steps are wrong for my watch"),
         ("NOT_USEFUL", "NOT_HELPFUL", "HOSTILE-CHAT <img src=x onerror=\"window.__xss=1\"> did not help"),
         ("NOT_USEFUL", "OTHER", "It linked to a page that does not exist"), ("USEFUL", "RELEVANT_SOURCES", None)]


def put_votes(h):
    import boto3
    from botocore.config import Config
    app = admin(h.data, "create-app", "--project", h.project_id, "--name", "assistant <b>beta</b>")["application_id"]
    key = admin(h.data, "create-access-key", "--project", h.project_id)
    client = boto3.client("qbusiness", endpoint_url=h.base, region_name="us-east-1",
                          aws_access_key_id=key["access_key_id"], aws_secret_access_key=key["secret_access_key"],
                          config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
    now = datetime.datetime.now(datetime.timezone.utc)
    for n, (usefulness, reason, comment) in enumerate(VOTES):
        vote = {"usefulness": usefulness, "submittedAt": now - datetime.timedelta(days=n)}
        if reason:
            vote["reason"] = reason
        if comment:
            vote["comment"] = comment
        client.put_feedback(applicationId=app, conversationId=str(uuid.UUID(int=n + 1)),
                            messageId=str(uuid.UUID(int=1000 + n)),
                            userId=f"u{n}", messageUsefulness=vote)
    h.app_id = app


def wait_for_analysis(h):
    """Until the queue is empty, every item has its analysis and MIN_THEMES themes exist."""
    deadline = time.monotonic() + ANALYSIS_DEADLINE_SECS
    state = None
    while time.monotonic() < deadline:
        status = h.get("/api/1/analysis/status")
        themes = h.themes()
        state = (status, len(themes))
        if status["model"] == "ready" and status["queue"]["ready"] == 0 and status["queue"]["leased"] == 0 \
                and len(themes) >= MIN_THEMES:
            return
        time.sleep(1)
    raise AssertionError(f"analysis did not finish in {ANALYSIS_DEADLINE_SECS}s: {state}\n{h.log_path.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def hark():
    for path, what in ((HARK, "the hark binary (cargo build -p hark, or set HARK_BIN)"),
                       (MODEL / "model.safetensors", "the model (bash scripts/fetch-model.sh hark-data/model)"),
                       (CHROMIUM, "chromium (apt-get install chromium)"),
                       (CHROMEDRIVER, "chromedriver (apt-get install chromium-driver)")):
        if not os.path.exists(path):
            pytest.exit(f"browser tests need {what}: {path} is missing", returncode=2)
    corpus = read_corpus()
    h = Hark()
    apps = sorted({app for app, _ in corpus})
    for app in apps + ["hostile"]:
        h.sources[app] = admin(h.data, "create-source", "--project", h.project_id, "--name", app)["source_id"]
    # Fast theme discovery while the corpus is analysed.
    h.start(HARK_ANALYSIS__DISCOVER_EVERY_SECS="2", HARK_ANALYSIS__MIN_UNLINKED="5")
    try:
        now = datetime.datetime.now(datetime.timezone.utc)
        by_app = {app: [] for app in apps}
        for n, (app, text) in enumerate(corpus):
            created = now - datetime.timedelta(days=n % 28, hours=n % 7, minutes=n)
            by_app[app].append({"unique_id": f"{app}-{n}", "body": text, "author": f"user {n % 40}",
                                "user_id": f"u{n % 40}", "created_at": created.isoformat().replace("+00:00", "Z")})
        for app, items in by_app.items():
            ingest(h, h.sources[app], items)
        ingest(h, h.sources["hostile"], [dict(fields, unique_id=uid) for uid, fields in HOSTILE])
        r = h.api("POST", "/api/1/ai-feedback/ingest",
                  json={"source_id": h.sources["hostile"], "items": [dict(REFUSED_URL[1], unique_id=REFUSED_URL[0])]})
        assert r.status_code == 200 and r.json()["failed"] == 1, r.text
        put_votes(h)
        wait_for_analysis(h)
        # Restart with discovery effectively off, so themes hold still while pages are compared
        # with the API.
        h.stop()
        h.start(HARK_ANALYSIS__DISCOVER_EVERY_SECS="86400", HARK_ANALYSIS__MIN_UNLINKED="1000000")
        h.items = h.all_items()
        assert len(h.items) == len(corpus) + len(HOSTILE), len(h.items)
        h.analyses = {i["id"]: h.item(i["id"])["analysis"] for i in h.items}
        missing = [i for i, a in h.analyses.items() if a is None]
        assert not missing, f"items without analysis: {missing[:5]}"
        yield h
    finally:
        h.stop()
        if os.environ.get("HARK_KEEP_DATA"):
            print(f"hark data kept in {h.data}")
        else:
            h.tmp.cleanup()


def new_chrome():
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="hark-chrome-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", f"--user-data-dir={profile}", "--window-size=1366,900"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver._hark_profile = profile
    return driver


def quit_chrome(driver):
    driver.quit()
    subprocess.run(["rm", "-rf", driver._hark_profile], check=False)


@pytest.fixture
def browser():
    """A fresh Chromium (its own profile: no cookies) for one test."""
    d = new_chrome()
    yield d
    quit_chrome(d)


@pytest.fixture(scope="module")
def admin_browser(hark):
    """One Chromium signed in as the admin, shared by a module's read-only tests."""
    d = new_chrome()
    sign_in(d, hark, "admin")
    yield d
    quit_chrome(d)


def sign_in(driver, hark, role=None, email=None, password=None, expect_success=True):
    """Fills and submits the real sign-in form."""
    if role:
        email, password = hark.users[role]["email"], hark.users[role]["password"]
    driver.get(hark.base + "/login")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))
    if expect_success:
        assert "/login" not in driver.current_url, f"sign-in as {email} failed: {page_text(driver)[:300]}"


def click_and_wait(driver, element):
    """Clicks an element that navigates (a link, a submit button) and waits for the next page.

    The old page is gone once the document carries a new marker: a property set on the old
    window object does not survive a navigation. (selenium's staleness_of races the navigation:
    chromedriver can answer "Node with given id does not belong to the document", a plain
    WebDriverException, while the old document is being torn down.)"""
    marker = uuid.uuid4().hex
    driver.execute_script("window.__harkPage = arguments[0]", marker)
    element.click()

    def navigated(d):
        try:
            return d.execute_script(
                "return window.__harkPage !== arguments[0] && document.readyState === 'complete'", marker)
        except WebDriverException:
            return False  # between documents: ask again
    WebDriverWait(driver, 30).until(navigated)


def session_cookies(driver):
    """The browser's cookies, for requests."""
    return {c["name"]: c["value"] for c in driver.get_cookies()}


def csrf_of(driver):
    """The CSRF token of the page shown (every signed-in page has the logout form's)."""
    return driver.find_element(By.CSS_SELECTOR, "input[name=csrf]").get_attribute("value")


def page_text(driver):
    return norm(driver.find_element(By.TAG_NAME, "body").text)


def norm(s):
    return re.sub(r"\s+", " ", s or "").strip()


def no_alert(driver):
    try:
        alert = driver.switch_to.alert
        text = alert.text
    except NoAlertPresentException:
        return True
    raise AssertionError(f"an alert is open: {text!r}")

