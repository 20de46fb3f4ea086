//! hark's signatures checked by the reference Python library, PyPI `standardwebhooks`: what a
//! receiver that follows the specification will run. Needs `python3` with that package
//! (`.ci/run` installs it); without them these tests fail rather than skip.

use hark_webhooks::event::example;
use hark_webhooks::{sign, signature_header, verify, EventType, WebhookSecret};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

/// Verifies with the library and prints `verified` or `refused: …`, then the library's own
/// signature of the same message.
const VERIFY: &str = r#"
import os, sys
from datetime import datetime, timezone
from standardwebhooks import Webhook
body = sys.stdin.buffer.read()
wh = Webhook(os.environ["SECRET"])
headers = {
    "webhook-id": os.environ["MSG_ID"],
    "webhook-timestamp": os.environ["TS"],
    "webhook-signature": os.environ["SIG"],
}
try:
    wh.verify(body, headers)
    print("verified")
except Exception as e:
    print("refused:", type(e).__name__)
print(wh.sign(os.environ["MSG_ID"], datetime.fromtimestamp(int(os.environ["TS"]), tz=timezone.utc), body))
"#;

/// Runs [`VERIFY`]; returns (its verdict line, its signature).
fn python_verify(secret: &str, msg_id: &str, ts: i64, sig: &str, body: &[u8]) -> (String, String) {
    let mut child = Command::new("python3")
        .args(["-c", VERIFY])
        .env("SECRET", secret)
        .env("MSG_ID", msg_id)
        .env("TS", ts.to_string())
        .env("SIG", sig)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("python3 is required for this test (with `pip install standardwebhooks`): {e}")
        });
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(body)
        .expect("write the body to python");
    let out = child.wait_with_output().expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "python3 failed; is the PyPI package standardwebhooks installed \
         (`python3 -m pip install standardwebhooks`)?\n{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = stdout.lines();
    let verdict = lines.next().unwrap_or_default().to_string();
    let signature = lines.next().unwrap_or_default().to_string();
    (verdict, signature)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

#[test]
fn the_reference_library_verifies_an_event_signed_by_hark() {
    let secret = WebhookSecret::generate();
    let body = example(EventType::FeedbackAnalyzed).to_body();
    let (id, ts) = (hark_webhooks::generate_message_id(), now());
    let sig = sign(&secret, &id, ts, &body);
    let (verdict, python_sig) = python_verify(&secret.expose(), &id, ts, &sig, &body);
    assert_eq!(verdict, "verified");
    // Both implementations compute the same signature, and hark verifies the library's.
    assert_eq!(python_sig, sig);
    assert!(verify(&secret, &id, ts, &body, &python_sig));
}

#[test]
fn during_a_rotation_either_secret_verifies() {
    let (old, new) = (WebhookSecret::generate(), WebhookSecret::generate());
    let body = example(EventType::ChatFeedbackNotUseful).to_body();
    let (id, ts) = (hark_webhooks::generate_message_id(), now());
    let header = signature_header(&[&new, &old], &id, ts, &body);
    for secret in [&old, &new] {
        let (verdict, _) = python_verify(&secret.expose(), &id, ts, &header, &body);
        assert_eq!(verdict, "verified");
    }
    let stranger = WebhookSecret::generate();
    let (verdict, _) = python_verify(&stranger.expose(), &id, ts, &header, &body);
    assert!(verdict.starts_with("refused"), "{verdict}");
}

#[test]
fn the_reference_library_refuses_a_tampered_body_or_an_old_timestamp() {
    let secret = WebhookSecret::generate();
    let body = example(EventType::ThemeCreated).to_body();
    let (id, ts) = (hark_webhooks::generate_message_id(), now());
    let sig = sign(&secret, &id, ts, &body);
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let (verdict, _) = python_verify(&secret.expose(), &id, ts, &sig, &tampered);
    assert!(verdict.starts_with("refused"), "{verdict}");

    // An hour old: outside the library's five-minute tolerance, even with a valid signature.
    let old = ts - 3600;
    let sig = sign(&secret, &id, old, &body);
    let (verdict, python_sig) = python_verify(&secret.expose(), &id, old, &sig, &body);
    assert!(verdict.starts_with("refused"), "{verdict}");
    assert_eq!(python_sig, sig);
}

#[test]
fn non_ascii_bodies_sign_as_bytes() {
    let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("secret");
    let body = r#"{"comment":"Ünïcödé ✓ — 日本語"}"#.as_bytes();
    let (id, ts) = ("msg_p5jXN8AQM9LWM0D4loKWxJek", now());
    let sig = sign(&secret, id, ts, body);
    let (verdict, python_sig) = python_verify(&secret.expose(), id, ts, &sig, body);
    assert_eq!(verdict, "verified");
    assert_eq!(python_sig, sig);
}
