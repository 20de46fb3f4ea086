use super::*;

#[test]
fn stop_words_are_sorted_and_distinct() {
    let words: Vec<&str> = STOP_WORDS.split_whitespace().collect();
    assert!(words.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(stop_words().len(), words.len());
}

#[test]
fn terms_skip_stop_words_digits_and_punctuation() {
    assert_eq!(
        terms("My card hasn't arrived, 3 weeks! Card arrival x"),
        vec![
            "card",
            "arrived",
            "weeks",
            "card",
            "card arrival",
            "arrival"
        ]
    );
    assert_eq!(
        terms("The app’s login page"),
        vec!["app", "app login", "login", "login page", "page"]
    );
    assert!(terms("").is_empty());
}

#[test]
fn key_phrases_prefer_distinctive_terms_and_bigrams() {
    let cards = vec![
        "card arrival is late",
        "when is my card arrival",
        "card arrival tracking",
        "card delivery",
    ];
    let refunds = vec![
        "refund my card payment",
        "refund not received",
        "card refund pending",
    ];
    let phrases = key_phrases(&[cards, refunds], &PhraseParams::default());
    assert_eq!(phrases[0][0], "card arrival");
    assert!(!phrases[0].contains(&"arrival".to_string()));
    assert_eq!(phrases[1][0], "refund", "{phrases:?}");
    assert!(!phrases[1].contains(&"card refund".to_string()));
    assert_eq!(
        label(
            &phrases[0],
            &PhraseParams {
                label_phrases: 2,
                ..Default::default()
            }
        )
        .matches(", ")
        .count(),
        1
    );
    assert!(key_phrases(&[vec!["the a"]], &PhraseParams::default())[0].is_empty());
    assert!(key_phrases(&[], &PhraseParams::default()).is_empty());
}

#[test]
fn word_variants_are_not_repeated() {
    assert!(variants("currencies", "currency") && variants("verify", "verification"));
    assert!(variants("card", "cards") && variants("transfer", "transferred"));
    assert!(!variants("transfer", "transaction") && !variants("pay", "payment"));
    let ranked = [("currencies", 9.0), ("currency", 8.0), ("fiat", 3.0)];
    assert_eq!(choose(ranked.into_iter(), 3), vec!["currencies", "fiat"]);
}

#[test]
fn quotes_are_closest_and_distinct() {
    let members = [
        ("far", &[0.0f32, 1.0][..]),
        ("Near ", &[1.0, 0.0][..]),
        ("near", &[1.0, 0.0][..]),
        ("mid", &[0.7, 0.7][..]),
    ];
    assert_eq!(quotes(members, &[1.0, 0.0], 2), vec!["Near", "mid"]);
}
