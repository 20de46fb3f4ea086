//! Mentions: the units of feedback inside a text.
//!
//! A text is cut into sentences (Unicode sentence boundaries, plus line breaks, which reviews
//! and tickets use as separators); over-long sentences are cut again at clause punctuation so
//! one mention stays about one thing (sentence boundaries are Unicode's, so French, German and
//! Spanish split as English does). Units that carry no feedback are dropped: greetings, thanks
//! and sign-offs (English, French, German, Spanish), ticket boilerplate, bare links and
//! fragments without words.
use regex::Regex;
use std::sync::OnceLock;
use unicode_segmentation::UnicodeSegmentation;

/// Mentions longer than this many words are cut at clause punctuation.
const MAX_WORDS: usize = 60;
/// Mentions need at least this many letters.
const MIN_LETTERS: usize = 3;

fn boilerplate() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // Whole-unit matches only: "thanks, but the export is broken" is feedback and stays.
        Regex::new(
            r"(?ix)^\W*(
              (hi|hello|hey|dear|good\s(morning|afternoon|evening)|greetings)(\s+(there|team|all|support|everyone|\w+))?
            | (many\s|thank\s+you\s|thanks\s)?(thanks|thank\s+you|thx|ty|cheers|regards|best\s+regards|kind\s+regards|best|sincerely)(\s+(so\s+much|a\s+lot|again|in\s+advance|for\s+(your|the)\s+(help|reply|response|time)))?
            | (ok|okay|k|sure|yes|no|yep|nope|great\sthanks|got\sit|noted)
            | (bonjour|bonsoir|salut|coucou|hallo|guten\s(tag|morgen|abend)|hola|buen[oa]s\s(días|tardes|noches))(\s+\w+)?
            | (merci|merci\s+beaucoup|cordialement|bien\s+cordialement|danke|danke\s+schön|vielen\s+dank|mit\s+freundlichen\s+grüßen|viele\s+grüße|lg|gracias|muchas\s+gracias|saludos|un\s+saludo|atentamente)(\s+(d'avance|par\s+avance|im\s+voraus|de\s+antemano))?
            | sent\s+from\s+my\s+\w+.*
            | (please\s+)?(see|find)\s+(the\s+)?(attached|attachment).*
            | (this\s+(message|email)\s+(is|was)\s+(sent|generated)|do\s+not\s+reply|unsubscribe).*
            | https?://\S+
            )\W*$",
        )
        .expect("boilerplate pattern is valid")
    })
}

/// Splits `text` into feedback-carrying mentions, in order.
pub fn split(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        for sentence in line.unicode_sentences() {
            for piece in cut_long(sentence.trim()) {
                if carries_feedback(&piece) {
                    out.push(piece);
                }
            }
        }
    }
    out
}

/// Whether a unit is worth analysing (not empty of words, not boilerplate).
pub fn carries_feedback(unit: &str) -> bool {
    let letters = unit.chars().filter(|c| c.is_alphabetic()).count();
    letters >= MIN_LETTERS && !boilerplate().is_match(unit)
}

/// Cuts a sentence of more than [`MAX_WORDS`] words at `;`, `,` or ` - ` into pieces of at most
/// that many words where possible.
fn cut_long(sentence: &str) -> Vec<String> {
    if sentence.split_whitespace().count() <= MAX_WORDS {
        return vec![sentence.to_string()];
    }
    let mut pieces = Vec::new();
    let mut current = String::new();
    for clause in sentence.split_inclusive([';', ',']) {
        let words = current.split_whitespace().count() + clause.split_whitespace().count();
        if words > MAX_WORDS && !current.trim().is_empty() {
            pieces.push(current.trim().to_string());
            current.clear();
        }
        current.push_str(clause);
    }
    if !current.trim().is_empty() {
        pieces.push(current.trim().to_string());
    }
    // A clause longer than the limit on its own is cut by words.
    pieces
        .into_iter()
        .flat_map(|p| {
            let words: Vec<&str> = p.split_whitespace().collect();
            words
                .chunks(MAX_WORDS)
                .map(|c| c.join(" "))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_and_lines_become_mentions() {
        let m = split("The export is broken. Please add Excel support!\nLove the new charts");
        assert_eq!(
            m,
            [
                "The export is broken.",
                "Please add Excel support!",
                "Love the new charts"
            ]
        );
    }

    #[test]
    fn greetings_thanks_and_boilerplate_are_dropped() {
        let m = split("Hi team,\nThe sync fails every night.\nThanks in advance!\nBest regards\nSent from my iPhone");
        assert_eq!(m, ["The sync fails every night."]);
    }

    #[test]
    fn french_german_and_spanish_greetings_are_dropped_and_sentences_split() {
        let fr = split(
            "Bonjour,\nL'appli plante. La synchro ne marche plus !\nMerci d'avance\nCordialement",
        );
        assert_eq!(fr, ["L'appli plante.", "La synchro ne marche plus !"]);
        let de = split(
            "Hallo Team,\nDie App stürzt ab. Bitte beheben.\nVielen Dank\nMit freundlichen Grüßen",
        );
        assert_eq!(de, ["Die App stürzt ab.", "Bitte beheben."]);
        let es = split("Hola,\nLa app se cierra sola. ¿Cómo lo arreglo?\nMuchas gracias\nSaludos");
        assert_eq!(es, ["La app se cierra sola.", "¿Cómo lo arreglo?"]);
        assert_eq!(
            split("Merci, mais l'export est cassé"),
            ["Merci, mais l'export est cassé"]
        );
    }

    #[test]
    fn thanks_with_feedback_in_it_stays() {
        assert_eq!(
            split("Thanks, but the export is still broken."),
            ["Thanks, but the export is still broken."]
        );
    }

    #[test]
    fn fragments_without_words_are_dropped() {
        assert!(split("!!! :) 👍 42").is_empty());
        assert!(split("").is_empty());
        assert!(split("https://example.com/x").is_empty());
    }

    #[test]
    fn very_long_sentences_are_cut_at_clauses() {
        let clause = "the app is slow when I open the weekly report page on my phone";
        let long = [clause; 8].join(", ");
        let m = split(&long);
        assert!(m.len() > 1);
        assert!(m.iter().all(|p| p.split_whitespace().count() <= MAX_WORDS));
        let words: usize = m.iter().map(|p| p.split_whitespace().count()).sum();
        assert_eq!(words, long.split_whitespace().count());
    }
}
