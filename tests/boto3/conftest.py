"""Fixtures for the boto3 suite: a real `hark serve` process on a fresh data dir, with a project,
lenient and strict applications and a SigV4 access key created through the admin CLI.

The hark binary is $HARK_BIN, else target/debug/hark (scripts/test.sh builds it first)."""

import base64
import json
import os
import pathlib
import subprocess
import tempfile
import urllib.request

import boto3
import pytest
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[2]
HARK = os.environ.get("HARK_BIN", str(ROOT / "target" / "debug" / "hark"))
REGION = "us-east-1"


def admin(db, *args):
    out = subprocess.run([HARK, "admin", *args, "--database", db, "--data-dir", os.path.dirname(db[len("sqlite://"):])],
                         check=True, capture_output=True, text=True, timeout=60)
    return json.loads(out.stdout)


class Hark:
    """A running hark with one project, two applications and an access key."""

    def __init__(self, extra_env=None):
        self.dir = tempfile.TemporaryDirectory(prefix="hark-boto3-")
        data = self.dir.name
        self.db = f"sqlite://{data}/hark.db"
        project = admin(self.db, "create-project", "boto3")
        self.project_id = project["project_id"]
        self.api_key, self.secret_key = project["api_key"], project["secret_key"]
        self.app = admin(self.db, "create-app", "--project", self.project_id, "--name", "assistant")["application_id"]
        self.strict_app = admin(self.db, "create-app", "--project", self.project_id, "--name", "strict",
                                "--strict")["application_id"]
        key = admin(self.db, "create-access-key", "--project", self.project_id)
        self.access_key_id, self.secret_access_key = key["access_key_id"], key["secret_access_key"]
        env = dict(os.environ, HARK_LOG_LEVEL="warn", **(extra_env or {}))
        self.log = open(os.path.join(data, "serve.log"), "w")
        self.proc = subprocess.Popen([HARK, "serve", "--listen", "127.0.0.1:0", "--data-dir", data],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, env=env)
        for line in self.proc.stdout:
            if "listening on http://" in line:
                self.base = line[line.index("http://"):].strip()
                break
        else:
            raise RuntimeError(f"hark did not start: {open(self.log.name).read()}")

    def client(self, secret=None, key_id=None, parameter_validation=True):
        return boto3.client(
            "qbusiness",
            endpoint_url=self.base,
            region_name=REGION,
            aws_access_key_id=key_id or self.access_key_id,
            aws_secret_access_key=secret or self.secret_access_key,
            # No client-side retries: each test sees the server's first answer.
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                          parameter_validation=parameter_validation),
        )

    def get(self, path):
        """GET a hark read-back route with the project's Basic credentials; returns JSON."""
        req = urllib.request.Request(self.base + path)
        token = base64.b64encode(f"{self.api_key}:{self.secret_key}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def post(self, path, body):
        """POST JSON with the project's Basic credentials; returns (status, parsed body)."""
        data = json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method="POST")
        token = base64.b64encode(f"{self.api_key}:{self.secret_key}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()
        self.dir.cleanup()


@pytest.fixture(scope="session")
def hark():
    h = Hark()
    yield h
    h.stop()


@pytest.fixture(scope="session")
def throttled_hark():
    """A hark whose access keys may make 2 calls, then 1 per 1000 s."""
    h = Hark({"HARK_SIGV4__THROTTLE_PER_SECOND": "0.001", "HARK_SIGV4__THROTTLE_BURST": "2"})
    yield h
    h.stop()
