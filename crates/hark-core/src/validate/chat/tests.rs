use super::*;
use proptest::prelude::*;

const APP: &str = "a1b2c3d4-0000-4000-8000-000000000001";
const CONV: &str = "c0000000-0000-4000-8000-000000000002";
const MSG: &str = "m0000000-0000-4000-8000-000000000003";

fn wire<'a>(body: &'a str, user: Option<&'a str>) -> PutFeedbackWire<'a> {
    PutFeedbackWire {
        application_id: APP,
        conversation_id: CONV,
        message_id: MSG,
        user_id: user,
        body: body.as_bytes(),
    }
}

fn field_names(e: ChatValidationError) -> Vec<String> {
    match e {
        ChatValidationError::Fields(f) => f.into_iter().map(|p| p.name).collect(),
        other => panic!("expected field problems, got {other:?}"),
    }
}

#[test]
fn boto3_bodies_are_accepted() {
    let ok = validate_put_feedback(wire(
        r#"{"messageUsefulness": {"usefulness": "USEFUL", "submittedAt": 1714979289}}"#,
        Some("user@example.com/ä b"),
    ))
    .unwrap();
    let u = ok.usefulness.unwrap();
    assert_eq!(u.usefulness, Usefulness::Useful);
    assert_eq!(u.submitted_at.as_micros(), 1_714_979_289_000_000);
    assert_eq!(ok.user_id.as_deref(), Some("user@example.com/ä b"));

    let frac = validate_put_feedback(wire(
        r#"{"messageCopiedAt": 1714979289.123, "messageUsefulness": {"usefulness": "NOT_USEFUL",
           "submittedAt": 1714979289.5, "reason": "NOT_HELPFUL", "comment": "wrong answer"}}"#,
        None,
    ))
    .unwrap();
    assert_eq!(
        frac.message_copied_at.unwrap().as_micros(),
        1_714_979_289_123_000
    );
    let u = frac.usefulness.unwrap();
    assert_eq!(u.reason, Some(UsefulnessReason::NotHelpful));
    assert_eq!(u.comment.as_deref(), Some("wrong answer"));

    for empty in ["{}", "", "  "] {
        let v = validate_put_feedback(wire(empty, None)).unwrap();
        assert!(v.usefulness.is_none() && v.message_copied_at.is_none());
    }
}

#[test]
fn every_field_problem_is_reported() {
    let e = validate_put_feedback(PutFeedbackWire {
        application_id: "short",
        conversation_id: CONV,
        message_id: "-0000000-0000-4000-8000-000000000003",
        user_id: Some(""),
        body:
            br#"{"messageUsefulness": {"usefulness": "MEH", "reason": "NOPE", "comment": "a\nb"}}"#,
    })
    .unwrap_err();
    assert_eq!(
        field_names(e),
        [
            "applicationId",
            "messageId",
            "userId",
            "messageUsefulness.usefulness",
            "messageUsefulness.submittedAt",
            "messageUsefulness.reason",
            "messageUsefulness.comment",
        ]
    );
}

#[test]
fn comment_and_user_id_limits() {
    let long = "é".repeat(MAX_COMMENT_CHARS);
    let body = format!(
        r#"{{"messageUsefulness": {{"usefulness": "USEFUL", "submittedAt": 1, "comment": "{long}"}}}}"#
    );
    assert!(validate_put_feedback(wire(&body, None)).is_ok());
    let body = body.replace(&long, &format!("{long}é"));
    assert_eq!(
        field_names(validate_put_feedback(wire(&body, None)).unwrap_err()),
        ["messageUsefulness.comment"]
    );
    let user = "u".repeat(MAX_USER_ID_CHARS + 1);
    assert_eq!(
        field_names(validate_put_feedback(wire("{}", Some(&user))).unwrap_err()),
        ["userId"]
    );
    for bad in ["a\u{0}b", "zero\u{200b}width", "private\u{e000}"] {
        assert_eq!(
            field_names(validate_put_feedback(wire("{}", Some(bad))).unwrap_err()),
            ["userId"],
            "{bad:?}"
        );
    }
}

#[test]
fn wrong_shapes_cannot_be_parsed() {
    for body in [
        "not json",
        "[]",
        r#"{"messageCopiedAt": "yesterday"}"#,
        r#"{"messageCopiedAt": -1}"#,
        r#"{"messageUsefulness": "USEFUL"}"#,
        r#"{"messageUsefulness": {"usefulness": 1, "submittedAt": 1}}"#,
        r#"{"messageUsefulness": {"usefulness": "USEFUL", "submittedAt": "now"}}"#,
        r#"{"messageUsefulness": {"usefulness": "USEFUL", "submittedAt": 1e300}}"#,
    ] {
        assert!(
            matches!(
                validate_put_feedback(wire(body, None)),
                Err(ChatValidationError::CannotParse(_))
            ),
            "{body}"
        );
    }
}

proptest! {
    #[test]
    fn never_panics(app in ".{0,40}", user in proptest::option::of(".{0,20}"), body in ".{0,200}") {
        let _ = validate_put_feedback(PutFeedbackWire {
            application_id: &app, conversation_id: CONV, message_id: MSG,
            user_id: user.as_deref(), body: body.as_bytes(),
        });
    }
}
