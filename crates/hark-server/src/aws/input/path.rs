//! The URL parts of the chat-feedback routes, read from the raw path and query the way the
//! restJson1 protocol writes them: path labels and query values percent-encoded, `+` a literal
//! plus (not a space, as it would be in an HTML form).

use crate::aws::AwsError;
use hark_core::validate::chat::FieldProblem;

/// The three ids of `/applications/{applicationId}/conversations/{conversationId}/messages/
/// {messageId}[/feedback]`, percent-decoded but not yet validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    /// `{applicationId}`.
    pub application_id: String,
    /// `{conversationId}`.
    pub conversation_id: String,
    /// `{messageId}`.
    pub message_id: String,
}

impl ResourcePath {
    /// Reads the ids from a raw path the router matched to one of the chat routes. Bytes that
    /// decode to invalid UTF-8 become U+FFFD, which the id pattern then refuses with a field
    /// problem like any other bad id.
    pub fn parse(raw_path: &str) -> Result<Self, AwsError> {
        let mut segments = raw_path.split('/');
        let shape = (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        );
        match shape {
            (
                Some(""),
                Some("applications"),
                Some(app),
                Some("conversations"),
                Some(conv),
                Some("messages"),
                Some(msg),
            ) => Ok(Self {
                application_id: decode_lossy(app),
                conversation_id: decode_lossy(conv),
                message_id: decode_lossy(msg),
            }),
            // The router only sends paths of this shape here.
            _ => Err(AwsError::cannot_parse("the request path names no message")),
        }
    }
}

/// The `userId` query parameter: `Ok(None)` when absent, decoded otherwise. Other parameters
/// are ignored (as AWS does). Given twice, or not UTF-8 once decoded, is a field problem.
pub fn user_id_param(raw_query: Option<&str>) -> Result<Option<String>, FieldProblem> {
    let problem = |message: &str| FieldProblem {
        name: "userId".into(),
        message: message.into(),
    };
    let mut found: Option<String> = None;
    for pair in raw_query.unwrap_or("").split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if percent_decode(key) != b"userId" {
            continue;
        }
        if found.is_some() {
            return Err(problem("must be given at most once"));
        }
        let value = String::from_utf8(percent_decode(value))
            .map_err(|_| problem("must be percent-encoded UTF-8"))?;
        found = Some(value);
    }
    Ok(found)
}

/// Percent-decodes `s`: each `%XY` becomes the byte `0xXY`; `+` and malformed escapes are kept
/// as they are.
pub fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(hi), Some(lo)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

fn decode_lossy(s: &str) -> String {
    match String::from_utf8(percent_decode(s)) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_keeps_plus_and_malformed_escapes() {
        assert_eq!(percent_decode("a%40b%2Fc%C3%A4%20d"), "a@b/cä d".as_bytes());
        assert_eq!(percent_decode("a+b"), b"a+b");
        assert_eq!(percent_decode("%2"), b"%2");
        assert_eq!(percent_decode("%zz%4"), b"%zz%4");
        assert_eq!(percent_decode("%41%"), b"A%");
        assert_eq!(percent_decode(""), b"");
    }

    #[test]
    fn user_id_is_decoded_once_and_only_once() {
        assert_eq!(user_id_param(None), Ok(None));
        assert_eq!(user_id_param(Some("")), Ok(None));
        assert_eq!(
            user_id_param(Some("userId=user%40example.com%2F%C3%A4%20b")),
            Ok(Some("user@example.com/ä b".into()))
        );
        assert_eq!(user_id_param(Some("userId=a+b")), Ok(Some("a+b".into())));
        assert_eq!(user_id_param(Some("x=1&userId=u&y")), Ok(Some("u".into())));
        assert_eq!(user_id_param(Some("userId")), Ok(Some(String::new())));
        assert_eq!(user_id_param(Some("userid=u")), Ok(None), "names are exact");
        assert!(user_id_param(Some("userId=a&userId=b")).is_err());
        assert!(user_id_param(Some("userId=%FF")).is_err());
    }

    #[test]
    fn resource_path_reads_the_three_ids() {
        let p = ResourcePath::parse("/applications/a%2Db/conversations/c/messages/m/feedback")
            .expect("shape");
        assert_eq!(p.application_id, "a-b");
        assert_eq!(
            (p.conversation_id.as_str(), p.message_id.as_str()),
            ("c", "m")
        );
        let p = ResourcePath::parse("/applications/a/conversations/c/messages/%FF").expect("shape");
        assert_eq!(p.message_id, "\u{FFFD}");
        assert!(ResourcePath::parse("/applications/a").is_err());
    }
}
