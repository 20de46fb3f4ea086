//! Lexical cues for categories: phrasings that mark a request, a defect report or a question
//! whatever the product, in English, French, German and Spanish. They add to the embedding
//! classifier's evidence (embeddings of short sentences blur "it has no dark mode" and "it has a
//! dark mode", and an English model reads other languages poorly).
use regex::Regex;
use std::sync::OnceLock;

/// Which cue families a text shows: (feature request, bug, question).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cues {
    /// Asks for something new, missing or removed.
    pub request: bool,
    /// Reports something failing.
    pub defect: bool,
    /// Asks something: ends with a question mark, or opens as a question does ("how do I",
    /// "is it possible", "comment faire", "wie kann ich", "cómo puedo"…).
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
        Regex::new(concat!(
            // English
            r"(?i)\b(please add|add (a|an|the|more|support|option)|would (be|love|like)|i wish|wish (it|there|they|you)|hope (you|they|there)|could (you|use|be)|should (be|have|add|allow|include|let|show)|needs? (more|an?|to be|improvement)|missing|lack(s|ing)? of|option to|ability to|allow (me|us|users)|be able to|suggest\w*|feature request|can('t| not)? be improved|bring back|removed|no longer (has|have|available)|it would be",
            // French
            r"|(il |ce )?serait (bien|bon|top|génial|pratique|utile)|j'aimerais|j’aimerais|je souhaite\w*|on aimerait|ajoute[rz]?|rajoute[rz]?|pourriez[- ]vous|pourrait[- ]on|il manque|manque (de|d'|un|une)|possibilité de|option pour|permettre de|remettre|(ne|n')\s*(est|sont) plus (disponible|possible)\w*",
            // German
            r"|bitte (fügt|fügen|füge|macht|bringt|ergänzt)|wäre (schön|toll|gut|super|praktisch|hilfreich)|ich wünsche|wünschenswert|hinzufügen|es fehlt|fehlt (eine?|die|der|das)|möglichkeit (zu|zum|zur|für)|option (zu|zum|für)",
            // Spanish
            r"|por favor (añad|agreg|pon)\w*|sería (bueno|genial|útil|mejor|ideal)|me gustaría|ojalá|añadir|agregar|falta (un|una|la|el|de)|opción (de|para)|posibilidad de|deberían (añadir|agregar|poner|permitir)",
            r")\b"
        ))
        .expect("request cue pattern is valid")
    })
}

fn defect() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            // English
            r"(?i)\b(crash\w*|freez\w*|bug\w*|glitch\w*|error\w*|broken|doesn'?t work|does not work|not working|stopped working|won'?t|wont|can'?t|cannot|unable|fail\w*|fix|disconnect\w*|not (sync|connect|load|show|open|record|updat)\w*|keeps?|issue\w*|problem\w*|wrong|incorrect|lost|missing data",
            // French
            r"|plant\w*|bug\w*|beug\w*|bogue\w*|erreur\w*|(ne )?fonctionne (plus|pas)|marche (plus|pas)|impossible|n'arrive pas|n’arrive pas|problème\w*|souci\w*|se (ferme|bloque|déconnecte)|bloqu\w*|déconnect\w*|(ne|n')\s*(se )?synchronise (plus|pas)|perdu\w*|incorrect\w*|faux|fausse",
            // German
            r"|absturz\w*|stürzt|abgestürzt|fehler\w*|funktioniert (nicht|nicht mehr|kaum)|geht nicht|kaputt|hängt|problem\w*|synchronisiert nicht|verbindet (sich )?nicht|keine verbindung|falsch\w*|verloren",
            // Spanish
            r"|se (cierra|cuelga|bloquea|desconecta)|error\w*|fallo\w*|falla\w*|no funciona|dejó de funcionar|no (sincroniza|conecta|carga|abre)|problema\w*|incorrect\w*|perdí|perdido\w*",
            r")\b"
        ))
        .expect("defect cue pattern is valid")
    })
}

fn question() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // Openings of a question, also without a question mark ("how do I change my pin").
        Regex::new(concat!(
            r"(?i)^\W*(",
            // English
            r"how (do|can|could|should|does|did|to|come|long|much|many|often)|(what|where|when|why|which|who)( |'s|’s)|is (it|there|this) (possible|normal|a way|any way)|(are|is) there (a|any|an)|can (i|you|we|someone|somebody|anyone)|could (i|you|someone|anyone)|do (i|you|we)|does (it|this|the|anyone)|will (i|it|my|the)|i (need|want|would like) to (know|understand|find out)|i('m| am) (wondering|not sure)|any (idea|way|tips)",
            // French
            r"|comment|pourquoi|où |quand |quel(le)?s? |est[- ]ce (que|qu')|est[- ]il possible|y a[- ]t[- ]il|peut[- ]on|puis[- ]je|pouvez[- ]vous|savez[- ]vous|je voudrais savoir|je (me demande|ne sais pas)",
            // German
            r"|wie |warum|wieso|weshalb|wo |wann |was |welche\w*|kann (ich|man)|gibt es|ist es (möglich|normal)|könnt (ihr|man)|können sie",
            // Spanish
            r"|¿|cómo|por ?qué|dónde|cuándo|qué |cuál\w*|se puede|puedo|es posible|hay (alguna|algún|forma|manera)",
            r")"
        ))
        .expect("question cue pattern is valid")
    })
}

fn exclamation() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // "What a great app!" opens like a question and is not one.
        Regex::new(r"(?i)^\W*(what an? |how (great|good|nice|bad|awful|useful|easy)|quel(le)?s? (belle|bonne|beau|super|excellente?|horreur|galère|plaisir)|was für|qué (buen|bien|mal|gran))")
            .expect("exclamation pattern is valid")
    })
}

/// The cues of one mention.
pub fn cues(text: &str) -> Cues {
    Cues {
        request: request().is_match(text),
        defect: defect().is_match(text),
        question: text.trim_end().ends_with('?')
            || (question().is_match(text) && !exclamation().is_match(text)),
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

    #[test]
    fn questions_without_a_question_mark_are_recognised() {
        assert!(cues("how do I change my pin").question);
        assert!(cues("Is it possible to export my runs").question);
        assert!(cues("I need to know how to top up").question);
        assert!(!cues("The app is great, how it should be").question);
        assert!(!cues("Sync works").question);
        assert!(!cues("What a great app!").question);
        assert!(!cues("Quelle belle application").question);
    }

    #[test]
    fn french_german_and_spanish_cues_are_recognised() {
        assert!(cues("Ce serait bien d'ajouter un mode sombre").request);
        assert!(cues("L'application plante à chaque ouverture").defect);
        assert!(cues("La synchro ne fonctionne plus depuis la mise à jour").defect);
        assert!(cues("Comment exporter mes données").question);
        assert!(cues("Es wäre schön, einen dunklen Modus zu haben").request);
        assert!(cues("Die App stürzt ständig ab").defect);
        assert!(cues("Wie kann ich meine Daten exportieren").question);
        assert!(cues("Me gustaría un modo oscuro").request);
        assert!(cues("La aplicación se cierra sola").defect);
        assert!(cues("¿Cómo exporto mis datos").question);
        assert_eq!(cues("Très belle application"), Cues::default());
    }
}
