"""The AWS CLI (PyPI `awscli`), unchanged, against a real hark: `aws qbusiness put-feedback`
with only the endpoint, region and credentials set; accepted calls read back through hark's
API, refusals as the CLI reports them."""

import json
import os
import subprocess
import uuid

from test_put_feedback import feedback_of


def aws(hark, *args, secret=None):
    env = dict(os.environ,
               AWS_ACCESS_KEY_ID=hark.access_key_id,
               AWS_SECRET_ACCESS_KEY=secret or hark.secret_access_key,
               AWS_DEFAULT_REGION="us-east-1",
               AWS_MAX_ATTEMPTS="1",
               AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return subprocess.run(["aws", "qbusiness", *args, "--endpoint-url", hark.base],
                          capture_output=True, text=True, env=env, timeout=120)


def test_put_feedback_with_the_cli_is_stored(hark):
    conv, msg = str(uuid.uuid4()), str(uuid.uuid4())
    usefulness = {"usefulness": "NOT_USEFUL", "reason": "NOT_COMPLETE", "comment": "missing a step",
                  "submittedAt": 1714979289}
    r = aws(hark, "put-feedback", "--application-id", hark.app, "--conversation-id", conv,
            "--message-id", msg, "--user-id", "cli-user", "--message-usefulness", json.dumps(usefulness))
    assert r.returncode == 0, r.stderr
    stored = [f for f in feedback_of(hark, user_id="cli-user") if f["message_id"] == msg]
    assert len(stored) == 1
    assert stored[0]["usefulness"]["usefulness"] == "NOT_USEFUL"
    assert stored[0]["usefulness"]["reason"] == "NOT_COMPLETE"
    assert stored[0]["usefulness"]["comment"] == "missing a step"


def test_cli_errors_name_the_exception(hark):
    conv, msg = str(uuid.uuid4()), str(uuid.uuid4())
    vote = json.dumps({"usefulness": "USEFUL", "submittedAt": 1714979289})
    r = aws(hark, "put-feedback", "--application-id", hark.app, "--conversation-id", conv,
            "--message-id", msg, "--message-usefulness", vote, secret="x" * 40)
    assert r.returncode != 0
    assert "AccessDeniedException" in r.stderr, r.stderr
    r = aws(hark, "put-feedback", "--application-id", str(uuid.uuid4()), "--conversation-id", conv,
            "--message-id", msg, "--message-usefulness", vote)
    assert r.returncode != 0
    assert "ResourceNotFoundException" in r.stderr, r.stderr
    assert not [f for f in feedback_of(hark) if f["message_id"] == msg]
