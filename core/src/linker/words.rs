//! Words: splitting identifiers and questions into comparable word stems, a
//! light English stemmer, a small lexicon of synonyms and abbreviations, and
//! fuzzy comparison for typos.

/// One word of a question, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// As written.
    pub text: String,
    /// Lower case.
    pub lower: String,
    /// Stem of the lower-case word (see [`stem`]).
    pub stem: String,
    pub kind: TokenKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    Word,
    /// A number as written (`1,000` → 1000).
    Number(f64),
    /// Text in quotes, kept as written.
    Quoted(String),
    /// Punctuation that separates clauses (`,` `;` `?` `.` `(` `)`).
    Punct,
}

impl Token {
    pub fn is_word(&self) -> bool {
        self.kind == TokenKind::Word
    }
    pub fn number(&self) -> Option<f64> {
        match self.kind {
            TokenKind::Number(n) => Some(n),
            _ => None,
        }
    }
    /// True for a word equal to any of `words` (lower case).
    pub fn is(&self, words: &[&str]) -> bool {
        self.is_word() && words.contains(&self.lower.as_str())
    }
}

/// Split a question into tokens. Quoted text (`"…"`, `'…'`, `` `…' ``, `“…”`)
/// stays one token; numbers keep their value; possessive `'s` is dropped.
pub fn tokenize(question: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<char> = question.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // Quoted text: ' only when it opens a quotation (after a space or start).
        let opens = matches!(c, '"' | '“' | '`' | '«') || (c == '\'' && (i == 0 || chars[i - 1].is_whitespace()));
        if opens {
            let close: &[char] = match c {
                '“' => &['”', '"'],
                '«' => &['»'],
                '`' => &['\'', '`'],
                _ => &[c],
            };
            // `` text '' (Spider's quotes) opens and closes with two marks.
            let mut from = i + 1;
            while c == '`' && chars.get(from) == Some(&'`') {
                from += 1;
            }
            if let Some(len) = chars[from..].iter().position(|x| close.contains(x)) {
                let inner: String = chars[from..from + len].iter().collect();
                let inner = inner.trim_matches(|x: char| x == '`' || x == '\'' || x.is_whitespace()).to_owned();
                let mut end = from + len + 1;
                while end < chars.len() && close.contains(&chars[end]) {
                    end += 1;
                }
                if !inner.is_empty() && inner.chars().count() <= 80 {
                    out.push(quoted(inner));
                }
                i = end;
                continue;
            }
        }
        if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) && i == 0)
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || chars[i] == '.'
                    || (chars[i] == ','
                        && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())
                        && chars.get(i + 4).is_none_or(|d| !d.is_ascii_digit())))
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let text = text.trim_end_matches('.').to_owned();
            // Ordinals and units glued to a number ("3rd", "10k") stay words.
            if i < chars.len() && chars[i].is_alphabetic() {
                let wstart = start;
                while i < chars.len() && chars[i].is_alphanumeric() {
                    i += 1;
                }
                let text: String = chars[wstart..i].iter().collect();
                out.push(word(&text));
                continue;
            }
            match text.replace(',', "").parse::<f64>() {
                Ok(n) => out.push(Token { lower: text.clone(), stem: text.clone(), text, kind: TokenKind::Number(n) }),
                Err(_) => out.push(word(&text)),
            }
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || chars[i] == '_'
                    || chars[i] == '-' && chars.get(i + 1).is_some_and(|x| x.is_alphanumeric())
                    || (chars[i] == '\'' || chars[i] == '’')
                        && chars.get(i + 1).is_some_and(|x| x.is_alphabetic())
                        && chars.get(i + 2).is_none_or(|x| !x.is_alphabetic()))
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            // Possessive or contraction: "singer's" → "singer", "don't" kept.
            let text = text.strip_suffix("'s").or_else(|| text.strip_suffix("’s")).unwrap_or(&text).to_owned();
            let text = text.replace('’', "'");
            out.push(word(&text));
            continue;
        }
        if matches!(c, ',' | ';' | '?' | '.' | '(' | ')' | ':' | '!') {
            out.push(Token { text: c.to_string(), lower: c.to_string(), stem: c.to_string(), kind: TokenKind::Punct });
        }
        i += 1;
    }
    // "more than one", "at least one", "exactly one": the number 1.
    for k in 1..out.len() {
        if out[k].lower == "one" && matches!(out[k - 1].lower.as_str(), "than" | "least" | "most" | "exactly" | "only")
        {
            out[k].kind = TokenKind::Number(1.0);
        }
    }
    out
}

fn quoted(text: String) -> Token {
    Token { lower: text.to_lowercase(), stem: text.to_lowercase(), kind: TokenKind::Quoted(text.clone()), text }
}

/// Number words that stand for counts ("at least two", "more than three").
const NUMBER_WORDS: &[(&str, f64)] = &[
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("fifteen", 15.0),
    ("twenty", 20.0),
    ("hundred", 100.0),
    ("thousand", 1000.0),
    ("zero", 0.0),
];

fn word(text: &str) -> Token {
    let lower = text.to_lowercase();
    if let Some((_, n)) = NUMBER_WORDS.iter().find(|(w, _)| *w == lower) {
        return Token { text: text.to_owned(), stem: lower.clone(), lower, kind: TokenKind::Number(*n) };
    }
    Token { text: text.to_owned(), stem: stem(&lower), lower, kind: TokenKind::Word }
}

/// The words of an identifier: `SurfaceArea`, `surface_area`, `IndepYear`,
/// `GNPOld`, `date_of_birth2` → lower-case words.
pub fn split_identifier(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let boundary = !cur.is_empty()
            && ((c.is_uppercase() && prev.is_lowercase())
                || (c.is_uppercase() && prev.is_uppercase() && next.is_lowercase())
                || (c.is_ascii_digit() && prev.is_alphabetic() && cur.len() > 1)
                || (c.is_alphabetic() && prev.is_ascii_digit()));
        if boundary {
            words.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

const IRREGULAR: &[(&str, &str)] = &[
    ("people", "person"),
    ("persons", "person"),
    ("children", "child"),
    ("men", "man"),
    ("women", "woman"),
    ("mice", "mouse"),
    ("feet", "foot"),
    ("teeth", "tooth"),
    ("geese", "goose"),
    ("data", "data"),
    ("criteria", "criterion"),
    ("indices", "index"),
    ("analyses", "analysis"),
    ("series", "series"),
    ("species", "species"),
    ("news", "news"),
    ("status", "status"),
    ("address", "address"),
    ("ids", "id"),
    ("addresses", "address"),
    ("bus", "bus"),
    ("buses", "bus"),
    ("gas", "gas"),
    ("was", "was"),
    ("has", "has"),
    ("is", "is"),
    ("this", "this"),
    ("its", "its"),
    ("does", "do"),
    ("did", "do"),
    ("done", "do"),
    ("made", "make"),
    ("sold", "sell"),
    ("bought", "buy"),
    ("held", "hold"),
    ("won", "win"),
    ("lost", "lose"),
    ("spoken", "speak"),
    ("spoke", "speak"),
    ("written", "write"),
    ("wrote", "write"),
    ("born", "birth"),
    ("taught", "teach"),
    ("flown", "fly"),
    ("flew", "fly"),
    ("left", "left"),
    ("paid", "pay"),
    ("hired", "hire"),
];

/// A light stem: plural and verb endings off, a final `e` off, so that
/// "releases", "released", "release" meet, and "countries" meets "country".
pub fn stem(lower: &str) -> String {
    if let Some((_, s)) = IRREGULAR.iter().find(|(w, _)| *w == lower) {
        return (*s).to_owned();
    }
    let mut w = lower.to_owned();
    if w.chars().count() <= 3 || !w.chars().all(|c| c.is_alphabetic()) {
        return w;
    }
    if let Some(base) = w.strip_suffix("ies").filter(|b| b.len() >= 2) {
        w = format!("{base}y");
    } else if w.ends_with("sses")
        || w.ends_with("ches")
        || w.ends_with("shes")
        || w.ends_with("xes")
        || w.ends_with("zes")
    {
        w.truncate(w.len() - 2);
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.pop();
    }
    if let Some(base) = w.strip_suffix("ing").filter(|b| b.len() >= 4) {
        w = undouble(base);
    } else if let Some(base) = w.strip_suffix("ied").filter(|b| b.len() >= 3) {
        w = format!("{base}y");
    } else if let Some(base) = w.strip_suffix("ed").filter(|b| b.len() >= 4) {
        w = undouble(base);
    }
    if w.len() > 4 && w.ends_with('e') && !w.ends_with("ee") {
        w.pop();
    }
    w
}

fn undouble(base: &str) -> String {
    let b = base.as_bytes();
    if b.len() >= 2 && b[b.len() - 1] == b[b.len() - 2] && !matches!(b[b.len() - 1], b'l' | b's' | b'z') {
        base[..base.len() - 1].to_owned()
    } else {
        base.to_owned()
    }
}

/// Words that say little about which column is meant.
pub fn is_weak(word: &str) -> bool {
    matches!(
        word,
        "id" | "code" | "num" | "no" | "nbr" | "number" | "type" | "info" | "the" | "of" | "yn" | "flag" | "name"
    )
}

/// Synonyms and expansions: a stem → stems it may stand for.
const LEXICON: &[(&str, &[&str])] = &[
    ("client", &["customer"]),
    ("buyer", &["customer"]),
    ("purchaser", &["customer"]),
    ("shopper", &["customer"]),
    ("staff", &["employee"]),
    ("worker", &["employee"]),
    ("employe", &["employee"]),
    ("song", &["track"]),
    ("tune", &["track"]),
    ("record", &["album"]),
    ("musician", &["artist"]),
    ("band", &["artist"]),
    ("nation", &["country"]),
    ("town", &["city"]),
    ("cost", &["price", "amount"]),
    ("price", &["cost", "amount"]),
    ("amount", &["total", "price"]),
    ("revenue", &["total", "amount", "sale"]),
    ("sale", &["total", "amount", "order", "invoice"]),
    ("income", &["total", "amount"]),
    ("spend", &["total", "amount"]),
    ("earning", &["total", "amount", "salary"]),
    ("pay", &["salary", "amount"]),
    ("wage", &["salary"]),
    ("purchase", &["order", "invoice"]),
    ("invoice", &["order"]),
    ("order", &["invoice"]),
    ("item", &["product", "line"]),
    ("good", &["product"]),
    ("article", &["product"]),
    ("category", &["genre", "type"]),
    ("genre", &["category"]),
    ("kind", &["type", "category"]),
    ("mail", &["email"]),
    ("e-mail", &["email"]),
    ("phone", &["phone", "cell", "mobile"]),
    ("telephone", &["phone"]),
    ("mobile", &["cell", "phone"]),
    ("cell", &["mobile", "phone"]),
    ("birthday", &["birth", "date"]),
    ("gender", &["sex"]),
    ("sex", &["gender"]),
    ("surname", &["last"]),
    ("forename", &["first"]),
    ("old", &["age"]),
    ("young", &["age"]),
    ("age", &["age", "old"]),
    ("tall", &["height"]),
    ("heavy", &["weight"]),
    ("weigh", &["weight"]),
    ("big", &["size", "area", "capacity"]),
    ("large", &["size", "area", "capacity"]),
    ("long", &["length", "duration", "millisecond"]),
    ("duration", &["length", "millisecond"]),
    ("expensive", &["price", "cost"]),
    ("cheap", &["price", "cost"]),
    ("populat", &["population"]),
    ("populous", &["population"]),
    ("continent", &["continent"]),
    ("begin", &["start"]),
    ("start", &["begin"]),
    ("finish", &["end"]),
    ("registration", &["register"]),
    ("enrollment", &["enrolment", "enroll"]),
    ("enrolment", &["enrollment"]),
    ("located", &["location"]),
    ("locat", &["location"]),
    ("live", &["address", "city", "location"]),
    ("come", &["country", "from"]),
    ("made", &["make", "maker"]),
    ("manufacturer", &["maker", "make"]),
    ("producer", &["maker"]),
    ("independence", &["indep"]),
    ("destination", &["dest", "destination"]),
    ("arrive", &["dest", "destination"]),
    ("land", &["dest", "destination"]),
    ("origin", &["source", "origin"]),
    ("depart", &["source", "origin", "departure"]),
    ("leave", &["source", "origin"]),
    ("frequency", &["count"]),
    ("abbreviation", &["abbrev", "code"]),
    ("abbreviat", &["abbrev", "code"]),
];

/// Abbreviations used in identifiers, with the words they stand for; read
/// both ways ("dept" in a question, or `dept_name` for "department").
const ABBREVIATIONS: &[(&str, &[&str])] = &[
    ("qty", &["quantity"]),
    ("amt", &["amount"]),
    ("desc", &["description"]),
    ("descr", &["description"]),
    ("addr", &["address"]),
    ("dept", &["department"]),
    ("emp", &["employee"]),
    ("empl", &["employee"]),
    ("cust", &["customer"]),
    ("prod", &["product"]),
    ("yr", &["year"]),
    ("wt", &["weight"]),
    ("dob", &["birth", "date"]),
    ("lang", &["language"]),
    ("mgr", &["manager"]),
    ("acct", &["account"]),
    ("txn", &["transaction"]),
    ("num", &["number"]),
    ("nbr", &["number"]),
    ("no", &["number"]),
    ("cnt", &["count"]),
    ("pct", &["percent", "percentage"]),
    ("avg", &["average"]),
    ("tel", &["phone", "telephone"]),
    ("org", &["organisation", "organization"]),
    ("dt", &["date"]),
    ("ts", &["timestamp", "time"]),
    ("loc", &["location"]),
    ("cat", &["category"]),
    ("inv", &["invoice"]),
    ("ord", &["order"]),
    ("pos", &["position"]),
    ("reg", &["region", "registration"]),
    ("st", &["street", "state"]),
];

/// Whether the identifier word `name` is an abbreviation the question word
/// `word` stands for (`dept` for "department").
pub fn expands_to(name: &str, word: &str) -> bool {
    ABBREVIATIONS.iter().any(|(a, full)| *a == name && full.iter().any(|f| same_word(&stem(f), word)))
}

/// The stems a question stem may also stand for.
pub fn synonyms(stem: &str) -> &'static [&'static str] {
    LEXICON.iter().chain(ABBREVIATIONS).find(|(w, _)| *w == stem).map(|(_, s)| *s).unwrap_or(&[])
}

/// Whether two stems are the same word, allowing a typo or a shorter form:
/// equal; one a prefix of the other covering most of it; or one edit apart
/// for longer words.
pub fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // "describ" / "description", "depart" / "departur": a shared beginning of
    // six letters, covering most of the longer word.
    if long.starts_with(short)
        && ((short.len() >= 6 && short.len() * 5 >= long.len() * 3)
            || (short.len() == 5 && short.len() * 4 >= long.len() * 3))
    {
        return true;
    }
    if short.len() >= 5 && long.len() >= 5 {
        let limit = if short.len() >= 8 { 2 } else { 1 };
        return edit_distance(a, b, limit) <= limit;
    }
    false
}

/// An identifier's abbreviation of a question word: `indep` for
/// "independence", `accel` for "acceleration".
pub fn abbreviates(short: &str, long: &str) -> bool {
    short.len() >= 3 && long.len() > short.len() + 1 && long.starts_with(short) && !is_weak(short)
}

/// Levenshtein distance, giving up (returning `limit + 1`) beyond `limit`.
pub fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        let mut best = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            // Adjacent transposition counts as one edit.
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev[j - 2].min(prev[j - 1]) + 1);
            }
            best = best.min(cur[j]);
        }
        if best > limit {
            return limit + 1;
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_split_into_words() {
        assert_eq!(split_identifier("SurfaceArea"), ["surface", "area"]);
        assert_eq!(split_identifier("surface_area"), ["surface", "area"]);
        assert_eq!(split_identifier("GNPOld"), ["gnp", "old"]);
        assert_eq!(split_identifier("IndepYear"), ["indep", "year"]);
        assert_eq!(split_identifier("line_1"), ["line", "1"]);
        assert_eq!(split_identifier("InvoiceLine"), ["invoice", "line"]);
        assert_eq!(split_identifier("Song_release_year"), ["song", "release", "year"]);
    }

    #[test]
    fn stems_meet_across_plural_and_verb_forms() {
        for (a, b) in [
            ("countries", "country"),
            ("released", "release"),
            ("releases", "release"),
            ("singers", "singer"),
            ("addresses", "address"),
            ("people", "person"),
            ("produced", "produce"),
            ("matches", "match"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_ne!(stem("count"), stem("country"));
        assert!(same_word(&stem("singres"), &stem("singers")), "a typo");
        assert!(same_word(&stem("adress"), &stem("address")), "a typo");
        assert!(same_word(&stem("departure"), &stem("departed")));
        assert!(!same_word("count", "country"));
        assert!(abbreviates("indep", "independence"));
    }

    #[test]
    fn questions_tokenize_with_quotes_numbers_and_possessives() {
        let t = tokenize("What is Brazil’s population in 2013, named \"São Paulo\" or `` Little Lever '' ?");
        let texts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            ["What", "is", "Brazil", "population", "in", "2013", ",", "named", "São Paulo", "or", "Little Lever", "?"]
        );
        assert_eq!(t[5].number(), Some(2013.0));
        assert!(matches!(t[8].kind, TokenKind::Quoted(_)));
        assert_eq!(tokenize("population of 1,500,000 people")[2].number(), Some(1_500_000.0));
        assert_eq!(tokenize("top 3 singers")[1].number(), Some(3.0));
    }
}
