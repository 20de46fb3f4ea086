//! Highlighting mentions inside the texts they were cut from.
//!
//! Each mention is found in the item's texts (the body, then the parts in order) and the text
//! is split into plain and marked segments: slices of the original text that maud escapes
//! when rendered, so no HTML is ever built as a string.

use maud::{html, Markup};

/// A byte range of one text, on character boundaries.
pub(crate) type Span = (usize, usize);

/// A piece of a text: marked (a mention) or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Segment<'a> {
    /// The text of the piece.
    pub text: &'a str,
    /// Whether it is a mention.
    pub mark: bool,
}

/// Where each mention occurs: for every unit (text), the spans of the mentions found in it,
/// in order. Mentions come in conversation order, so each is first looked for after the
/// previous one; one not found there is looked for anywhere it does not overlap a span already
/// taken; one not found at all (the text changed since it was analysed) is not marked.
pub(crate) fn locate(units: &[&str], mentions: &[&str]) -> Vec<Vec<Span>> {
    let mut spans: Vec<Vec<Span>> = vec![Vec::new(); units.len()];
    let (mut unit, mut offset) = (0, 0);
    for m in mentions.iter().map(|m| m.trim()).filter(|m| !m.is_empty()) {
        let ahead = (unit..units.len()).find_map(|u| {
            let from = if u == unit { offset } else { 0 };
            let text = units[u].get(from..)?;
            text.find(m).map(|p| (u, from + p))
        });
        if let Some((u, start)) = ahead {
            spans[u].push((start, start + m.len()));
            (unit, offset) = (u, start + m.len());
            continue;
        }
        let anywhere = units.iter().enumerate().find_map(|(u, text)| {
            text.match_indices(m)
                .map(|(p, _)| (p, p + m.len()))
                .find(|&(s, e)| spans[u].iter().all(|&(a, b)| e <= a || s >= b))
                .map(|span| (u, span))
        });
        if let Some((u, span)) = anywhere {
            spans[u].push(span);
            spans[u].sort_unstable();
        }
    }
    spans
}

/// `text` cut at `spans` (sorted, not overlapping) into plain and marked segments.
pub(crate) fn segments<'a>(text: &'a str, spans: &[Span]) -> Vec<Segment<'a>> {
    let mut out = Vec::new();
    let mut at = 0;
    for &(s, e) in spans {
        let (Some(before), Some(marked)) = (text.get(at..s), text.get(s..e)) else {
            continue;
        };
        if !before.is_empty() {
            out.push(Segment {
                text: before,
                mark: false,
            });
        }
        out.push(Segment {
            text: marked,
            mark: true,
        });
        at = e;
    }
    if let Some(rest) = text.get(at..).filter(|r| !r.is_empty()) {
        out.push(Segment {
            text: rest,
            mark: false,
        });
    }
    out
}

/// `text` with its spans in `<mark>`, every segment escaped.
pub(crate) fn render(text: &str, spans: &[Span]) -> Markup {
    html! {
        @for s in segments(text, spans) {
            @if s.mark { mark { (s.text) } } @else { (s.text) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_found_in_order_across_units() {
        let units = ["Export is broken. Export is slow.", "Export is broken."];
        // The second "Export is broken." belongs to the second unit: search goes forward.
        let spans = locate(
            &units,
            &["Export is broken.", "Export is slow.", "Export is broken."],
        );
        assert_eq!(spans, vec![vec![(0, 17), (18, 33)], vec![(0, 17)]]);
    }

    #[test]
    fn an_out_of_order_mention_takes_a_free_occurrence_and_missing_ones_are_skipped() {
        let units = ["a b. c d.", "e f."];
        let spans = locate(&units, &["e f.", "a b.", "gone", "  "]);
        assert_eq!(spans, vec![vec![(0, 4)], vec![(0, 4)]]);
    }

    #[test]
    fn segments_cover_the_text_and_escape_it() {
        let text = "<b>hi</b> & <script>x</script>";
        let spans = locate(&[text], &["<script>x</script>"]);
        let segs = segments(text, &spans[0]);
        let joined: String = segs.iter().map(|s| s.text).collect();
        assert_eq!(joined, text);
        assert_eq!(segs.iter().filter(|s| s.mark).count(), 1);
        let html = render(text, &spans[0]).into_string();
        assert_eq!(
            html,
            "&lt;b&gt;hi&lt;/b&gt; &amp; <mark>&lt;script&gt;x&lt;/script&gt;</mark>"
        );
    }

    #[test]
    fn multibyte_text_is_cut_on_character_boundaries() {
        let text = "Ça plante: l’export échoue.";
        let spans = locate(&[text], &["l’export échoue."]);
        let segs = segments(text, &spans[0]);
        assert_eq!(segs[0].text, "Ça plante: ");
        assert_eq!(segs[1].text, "l’export échoue.");
        assert!(segments("abc", &[(1, 99)]).iter().all(|s| !s.mark));
    }
}
