//! The language of feedback text, and a project's language mix.
//!
//! Detection is whatlang's (trigram profiles of 69 languages, compiled in: no model file, a few
//! microseconds per sentence). Short texts are ambiguous ("ok", "merci !"), so a text shorter
//! than [`MIN_CHARS`] letters, or detected with a confidence below [`MIN_CONFIDENCE`], has no
//! language: it is counted as undetermined rather than guessed. On the Mini-BAR reviews (two
//! English and two French files, whole reviews), confidence 0.3 tells 77–85 % of them with 1–2 %
//! in another language than the file's (some of those really are); 0.5 tells 68–80 % with
//! 0.2–1.3 % wrong; whatlang's own `is_reliable` refuses most plain English sentences.
use whatlang::Lang;

/// Fewest letters a text needs for its language to be detected.
pub const MIN_CHARS: usize = 12;
/// Lowest whatlang confidence taken as a detection.
pub const MIN_CONFIDENCE: f64 = 0.3;

/// A detected language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Language(Lang);

impl Language {
    /// ISO 639-3 code (`eng`, `fra`, `deu`, `spa`, …).
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// English name (`English`, `French`, …).
    pub fn name(self) -> &'static str {
        self.0.eng_name()
    }
}

/// The language of `text`, when it is long enough and the detection reliable.
pub fn detect(text: &str) -> Option<Language> {
    if text.chars().filter(|c| c.is_alphabetic()).count() < MIN_CHARS {
        return None;
    }
    let info = whatlang::detect(text)?;
    (info.confidence() >= MIN_CONFIDENCE).then_some(Language(info.lang()))
}

/// How many texts are in each language.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LanguageMix {
    /// Languages with their number of texts, most texts first (then by code).
    pub languages: Vec<(Language, u64)>,
    /// Texts whose language could not be told (too short, or ambiguous).
    pub undetermined: u64,
}

impl LanguageMix {
    /// The mix of `texts`.
    pub fn of<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        Self::of_detected(texts.into_iter().map(detect))
    }

    /// The mix of languages already detected (`None`: undetermined).
    pub fn of_detected(detected: impl IntoIterator<Item = Option<Language>>) -> Self {
        let mut counts: std::collections::HashMap<Language, u64> = Default::default();
        let mut undetermined = 0;
        for d in detected {
            match d {
                Some(l) => *counts.entry(l).or_default() += 1,
                None => undetermined += 1,
            }
        }
        let mut languages: Vec<(Language, u64)> = counts.into_iter().collect();
        languages.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.code().cmp(b.0.code())));
        Self {
            languages,
            undetermined,
        }
    }

    /// The language of most texts whose language was told.
    pub fn main(&self) -> Option<Language> {
        self.languages.first().map(|(l, _)| *l)
    }

    /// Texts whose language was told.
    pub fn determined(&self) -> u64 {
        self.languages.iter().map(|(_, n)| n).sum()
    }
}

/// Mentions `GET /api/1/analysis/languages` reads: the project's newest within the filter.
pub const MIX_SAMPLE: u32 = 5_000;

/// The language mix of the project's newest `sample` mentions within `filter`, with how many
/// were read. Detection is not free (2,000 whole Mini-BAR reviews took 113 ms, 57 µs each, in a
/// release build), so a page shown often should read fewer than [`MIX_SAMPLE`].
pub async fn project_mix(
    store: &dyn hark_store::Store,
    project: &hark_core::ProjectId,
    filter: &hark_core::analysis::MentionFilter,
    sample: u32,
) -> Result<(LanguageMix, u64), hark_store::StoreError> {
    let mentions = store.list_mentions(project, filter, None, sample).await?;
    let mix = LanguageMix::of(mentions.iter().map(|m| m.text.as_str()));
    Ok((mix, mentions.len() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_languages_of_the_cues_are_told_apart() {
        let cases = [
            (
                "The app crashes every time I open the settings page.",
                "eng",
            ),
            (
                "L'application plante à chaque fois que j'ouvre les paramètres.",
                "fra",
            ),
            (
                "Die App stürzt jedes Mal ab, wenn ich die Einstellungen öffne.",
                "deu",
            ),
            (
                "La aplicación se cierra cada vez que abro la configuración.",
                "spa",
            ),
        ];
        for (text, code) in cases {
            assert_eq!(detect(text).map(Language::code), Some(code), "{text}");
        }
        assert_eq!(detect("ok"), None);
        assert_eq!(detect("👍👍👍👍👍👍👍👍👍👍👍👍👍"), None);
        assert_eq!(detect(""), None);
    }

    #[test]
    fn a_mix_counts_languages_most_first_and_names_the_main_one() {
        let texts = [
            "The sync with my watch stopped working after the update.",
            "Please add a dark mode to the statistics screen.",
            "La synchronisation avec ma montre ne marche plus depuis la mise à jour.",
            "Great",
        ];
        let mix = LanguageMix::of(texts);
        let codes: Vec<(&str, u64)> = mix.languages.iter().map(|(l, n)| (l.code(), *n)).collect();
        assert_eq!(codes, [("eng", 2), ("fra", 1)]);
        assert_eq!(mix.undetermined, 1);
        assert_eq!(mix.main().map(Language::name), Some("English"));
        assert_eq!(mix.determined(), 3);
        assert_eq!(LanguageMix::of([]).main(), None);
    }
}
