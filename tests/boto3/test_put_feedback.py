"""boto3, unchanged, against a real hark: PutFeedback with SigV4 signatures made by botocore,
every error class as boto3 raises it, and the feedback read back through hark's own API."""

import datetime
import urllib.parse
import uuid
from unittest import mock

import botocore.exceptions
import pytest
from conftest import admin


def rid():
    """A fresh 36-character id valid under the contract's pattern."""
    return str(uuid.uuid4())


def feedback_of(hark, **filters):
    query = urllib.parse.urlencode({"limit": 500, **filters})
    return hark.get(f"/api/1/chat/feedback?{query}")["feedback"]


def vote(usefulness="USEFUL", submitted=1714979289, **extra):
    return {"usefulness": usefulness, "submittedAt": submitted, **extra}


def test_success_without_user_id(hark):
    conv, msg = rid(), rid()
    r = hark.client().put_feedback(applicationId=hark.app, conversationId=conv, messageId=msg,
                                   messageUsefulness=vote())
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    stored = [f for f in feedback_of(hark) if f["message_id"] == msg]
    assert len(stored) == 1
    assert stored[0]["user_id"] is None
    assert stored[0]["usefulness"]["usefulness"] == "USEFUL"


@pytest.mark.parametrize("user", ["u1", "user@example.com/ä b", "a+b&c=d?e#f%20g", "日本語のユーザー", "x" * 1024])
def test_success_with_user_id(hark, user):
    conv, msg = rid(), rid()
    hark.client().put_feedback(applicationId=hark.app, conversationId=conv, messageId=msg, userId=user,
                               messageUsefulness=vote("NOT_USEFUL", reason="NOT_FACTUALLY_CORRECT",
                                                      comment="The date is wrong ✗"))
    stored = [f for f in feedback_of(hark, user_id=user) if f["message_id"] == msg]
    assert len(stored) == 1, stored
    assert stored[0]["user_id"] == user
    assert stored[0]["usefulness"]["reason"] == "NOT_FACTUALLY_CORRECT"
    assert stored[0]["usefulness"]["comment"] == "The date is wrong ✗"


def test_copy_timestamp(hark):
    msg = rid()
    when = datetime.datetime(2026, 5, 6, 7, 8, 9, 500000, tzinfo=datetime.timezone.utc)
    hark.client().put_feedback(applicationId=hark.app, conversationId=rid(), messageId=msg, userId="copier",
                               messageCopiedAt=when)
    stored = [f for f in feedback_of(hark, user_id="copier") if f["message_id"] == msg]
    # botocore sends whole epoch seconds (fractions are covered by the Rust HTTP tests).
    assert stored[0]["message_copied_at"] == "2026-05-06T07:08:09Z"


def test_later_submission_wins_and_older_retry_is_ignored(hark):
    conv, msg = rid(), rid()
    c = hark.client()
    c.put_feedback(applicationId=hark.app, conversationId=conv, messageId=msg, userId="voter",
                   messageUsefulness=vote("USEFUL", 2000))
    c.put_feedback(applicationId=hark.app, conversationId=conv, messageId=msg, userId="voter",
                   messageUsefulness=vote("NOT_USEFUL", 3000))
    c.put_feedback(applicationId=hark.app, conversationId=conv, messageId=msg, userId="voter",
                   messageUsefulness=vote("USEFUL", 1000))
    stored = [f for f in feedback_of(hark, user_id="voter") if f["message_id"] == msg]
    assert len(stored) == 1
    assert stored[0]["usefulness"]["usefulness"] == "NOT_USEFUL"


def test_validation_exception_lists_fields(hark):
    c = hark.client()
    with pytest.raises(c.exceptions.ValidationException) as e:
        c.put_feedback(applicationId=hark.app, conversationId=rid(), messageId=rid(),
                       messageUsefulness={"usefulness": "MEH", "submittedAt": 1, "reason": "NOPE",
                                          "comment": "line\nbreak"})
    err = e.value.response
    assert err["Error"]["Code"] == "ValidationException"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["reason"] == "FIELD_VALIDATION_FAILED"
    names = sorted(f["name"] for f in err["fields"])
    assert names == ["messageUsefulness.comment", "messageUsefulness.reason", "messageUsefulness.usefulness"]
    assert all(f["message"] for f in err["fields"])


def test_validation_exception_for_bad_path_ids(hark):
    # botocore would refuse the short id itself; let it through to see the server's answer.
    c = hark.client(parameter_validation=False)
    with pytest.raises(c.exceptions.ValidationException) as e:
        c.put_feedback(applicationId=hark.app, conversationId="too-short", messageId=rid(),
                       messageUsefulness=vote())
    assert [f["name"] for f in e.value.response["fields"]] == ["conversationId"]


def test_wrong_secret_is_access_denied(hark):
    c = hark.client(secret="0" * 40)
    with pytest.raises(c.exceptions.AccessDeniedException) as e:
        c.put_feedback(applicationId=hark.app, conversationId=rid(), messageId=rid(), messageUsefulness=vote())
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert e.value.response["Error"]["Message"]


def test_unknown_access_key_is_access_denied(hark):
    c = hark.client(key_id="HKIAUNKNOWNUNKNOWN00")
    with pytest.raises(c.exceptions.AccessDeniedException):
        c.put_feedback(applicationId=hark.app, conversationId=rid(), messageId=rid(), messageUsefulness=vote())


def test_expired_signature_is_access_denied(hark):
    c = hark.client()
    old = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    with mock.patch("botocore.auth.get_current_datetime", return_value=old):
        with pytest.raises(c.exceptions.AccessDeniedException) as e:
            c.put_feedback(applicationId=hark.app, conversationId=rid(), messageId=rid(), messageUsefulness=vote())
    assert "expired" in e.value.response["Error"]["Message"].lower() or "skew" in e.value.response["Error"]["Message"].lower()


def test_unknown_application_is_resource_not_found(hark):
    c = hark.client()
    missing = rid()
    with pytest.raises(c.exceptions.ResourceNotFoundException) as e:
        c.put_feedback(applicationId=missing, conversationId=rid(), messageId=rid(), messageUsefulness=vote())
    err = e.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert err["resourceType"] == "Application"
    assert err["resourceId"] == missing


def test_strict_application_needs_recorded_conversation_and_message(hark):
    c = hark.client()
    conv, msg = rid(), rid()
    with pytest.raises(c.exceptions.ResourceNotFoundException) as e:
        c.put_feedback(applicationId=hark.strict_app, conversationId=conv, messageId=msg, messageUsefulness=vote())
    assert e.value.response["resourceType"] == "Conversation"
    status, _ = hark.post(f"/applications/{hark.strict_app}/conversations/{conv}/messages/{msg}",
                          {"role": "assistant", "text": "Our refund window is 30 days."})
    assert status == 200
    c.put_feedback(applicationId=hark.strict_app, conversationId=conv, messageId=msg, messageUsefulness=vote())
    with pytest.raises(c.exceptions.ResourceNotFoundException) as e:
        c.put_feedback(applicationId=hark.strict_app, conversationId=conv, messageId=rid(), messageUsefulness=vote())
    assert e.value.response["resourceType"] == "Message"
    convo = hark.get(f"/api/1/chat/applications/{hark.strict_app}/conversations/{conv}")
    assert convo["messages"][0]["text"] == "Our refund window is 30 days."
    assert len(convo["feedback"]) == 1


def test_throttling_exception(throttled_hark):
    c = throttled_hark.client()
    for _ in range(2):
        c.put_feedback(applicationId=throttled_hark.app, conversationId=rid(), messageId=rid(),
                       messageUsefulness=vote())
    with pytest.raises(c.exceptions.ThrottlingException) as e:
        c.put_feedback(applicationId=throttled_hark.app, conversationId=rid(), messageId=rid(),
                       messageUsefulness=vote())
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_errors_carry_the_sdk_error_code(hark):
    c = hark.client(secret="x" * 40)
    try:
        c.put_feedback(applicationId=hark.app, conversationId=rid(), messageId=rid(), messageUsefulness=vote())
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "AccessDeniedException"
    else:
        pytest.fail("expected an error")


def test_stats_count_what_boto3_sent(hark):
    # A fresh application keeps the numbers of this test apart from the others.
    app = admin(hark.db, "create-app", "--project", hark.project_id, "--name", "stats")["application_id"]
    c = hark.client()
    answer = rid()
    conv = rid()
    for i, (u, reason) in enumerate([("USEFUL", "HELPFUL"), ("NOT_USEFUL", "NOT_HELPFUL"), ("NOT_USEFUL", "NOT_HELPFUL")]):
        c.put_feedback(applicationId=app, conversationId=conv, messageId=answer, userId=f"s{i}",
                       messageUsefulness=vote(u, 1714979289 + i, reason=reason))
    stats = hark.get(f"/api/1/chat/stats?application_id={app}&period=day&top=5")
    bucket = stats["buckets"][0]
    assert (bucket["feedback"], bucket["useful"], bucket["not_useful"]) == (3, 1, 2)
    assert abs(bucket["useful_rate"] - 1 / 3) < 1e-9
    assert bucket["reasons"] == {"HELPFUL": 1, "NOT_HELPFUL": 2}
    assert stats["most_not_useful"][0]["message_id"] == answer
    assert stats["most_not_useful"][0]["not_useful"] == 2
