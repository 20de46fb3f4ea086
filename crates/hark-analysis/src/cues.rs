//! Lexical cues for categories: phrasings that mark a request or a defect report whatever the
//! product. They add to the embedding classifier's evidence (embeddings of short sentences blur
//! "it has no dark mode" and "it has a dark mode").
use regex::Regex;
use std::sync::OnceLock;

/// Which cue families a text shows: (feature request, bug, question).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cues {
    /// Asks for something new, missing or removed.
    pub request: bool,
    /// Reports something failing.
    pub defect: bool,
    /// Ends with a question mark.
    pub question: bool,
}

impl Cues {
    /// The cues as 0/1 features.
    pub fn as_features(self) -> [f32; 3] {
        [
            f32::from(u8::from(self.request)),
            f32::from(u8::from(self.defect)),
            f32::from(u8::from(self.question)),
        ]
    }
}

fn request() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(please add|add (a|an|the|more|support|option)|would (be|love|like)|i wish|wish (it|there|they|you)|hope (you|they|there)|could (you|use|be)|should (be|have|add|allow|include|let|show)|needs? (more|an?|to be|improvement)|missing|lack(s|ing)? of|option to|ability to|allow (me|us|users)|be able to|suggest\w*|feature request|can('t| not)? be improved|bring back|removed|no longer (has|have|available)|it would be)\b",
        )
        .expect("request cue pattern is valid")
    })
}

fn defect() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(crash\w*|freez\w*|bug\w*|glitch\w*|error\w*|broken|doesn'?t work|does not work|not working|stopped working|won'?t|wont|can'?t|cannot|unable|fail\w*|fix|disconnect\w*|not (sync|connect|load|show|open|record|updat)\w*|keeps?|issue\w*|problem\w*|wrong|incorrect|lost|missing data)\b",
        )
        .expect("defect cue pattern is valid")
    })
}

/// The cues of one mention.
pub fn cues(text: &str) -> Cues {
    Cues {
        request: request().is_match(text),
        defect: defect().is_match(text),
        question: text.trim_end().ends_with('?'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_defects_and_questions_are_recognised() {
        assert!(cues("I wish there was a dark mode").request);
        assert!(cues("Please add export to Excel").request);
        assert!(cues("It keeps crashing on start").defect);
        assert!(cues("Sync is not working since Monday").defect);
        assert!(cues("How do I export?").question);
        assert_eq!(cues("Lovely colours"), Cues::default());
    }
}
