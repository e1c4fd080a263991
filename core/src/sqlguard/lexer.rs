//! A lexer that splits SQL text the way each server does, under the session
//! settings the executor pins (PostgreSQL `standard_conforming_strings = on`;
//! MySQL/MariaDB `sql_mode` without `ANSI_QUOTES` and `NO_BACKSLASH_ESCAPES`).
//!
//! It answers the questions on which safety rests: where does each string,
//! quoted identifier and comment begin and end, where does the statement end,
//! how deep is the nesting. Whatever a server could read two ways (an
//! unterminated literal, a MySQL executable comment, a parameter marker whose
//! extent differs between engines, a number running into a quote) is refused
//! rather than guessed.
use crate::targets::DbKind;

/// What a stretch of the text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Keywords, identifiers, numbers, operators, punctuation.
    Code,
    /// Whitespace between tokens.
    Space,
    /// A string literal, with its prefix (`E`, `N`, `X`, `B`, `U&`) and quotes.
    Str,
    /// A quoted identifier, with its quotes.
    Ident,
    /// A comment, with its delimiters.
    Comment,
}

/// One token: its class, byte range and, for code, what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub class: Class,
    pub start: usize,
    pub end: usize,
}

/// The text of one statement, split.
#[derive(Debug, Clone)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    /// Byte range of the statement: from its first to its last code token,
    /// without a trailing `;` and the comments and space around it.
    pub statement: std::ops::Range<usize>,
}

/// Limits applied while lexing, before any parser sees the text.
pub const MAX_DEPTH: usize = 32;
pub const MAX_CODE_TOKENS: usize = 4_000;

fn is_space(kind: DbKind, c: u8) -> bool {
    match kind {
        // SQLite's tokenizer treats \v as an illegal character.
        DbKind::Sqlite => matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c),
        DbKind::Postgres | DbKind::MySql => matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c),
    }
}

/// Characters that may continue an unquoted identifier (all three engines
/// accept `$` after the first character and any non-ASCII byte).
fn is_ident_cont(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

/// Split `sql` as `kind`'s server would, or say why it cannot be read one way only.
pub fn lex(sql: &str, kind: DbKind) -> Result<Lexed, String> {
    let mut lx = Lexer { s: sql.as_bytes(), i: 0, kind, tokens: Vec::new() };
    lx.run()?;
    let tokens = lx.tokens;
    let code: Vec<&Token> =
        tokens.iter().filter(|t| matches!(t.class, Class::Code | Class::Str | Class::Ident)).collect();
    if code.len() > MAX_CODE_TOKENS {
        return Err(format!("the statement has more than {MAX_CODE_TOKENS} tokens"));
    }
    // One statement: a `;` may only be followed by more `;`, space and comments.
    let semi = code.iter().position(|t| t.class == Class::Code && &sql[t.start..t.end] == ";");
    let body = match semi {
        Some(0) => return Err("there is no statement before the first ;".into()),
        Some(i) => {
            if code[i..].iter().any(|t| &sql[t.start..t.end] != ";") {
                return Err("only one statement is allowed at a time".into());
            }
            &code[..i]
        }
        None => &code[..],
    };
    let (Some(first), Some(last)) = (body.first(), body.last()) else {
        return Err("there is no statement".into());
    };
    let statement = first.start..last.end;
    let mut depth: usize = 0;
    for t in body.iter().filter(|t| t.class == Class::Code) {
        match &sql[t.start..t.end] {
            "(" | "[" => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(format!("the statement nests deeper than {MAX_DEPTH} levels"));
                }
            }
            ")" | "]" => {
                depth = depth.checked_sub(1).ok_or("the parentheses do not balance")?;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err("the parentheses do not balance".into());
    }
    drop(code);
    Ok(Lexed { tokens, statement })
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
    kind: DbKind,
    tokens: Vec<Token>,
}

impl Lexer<'_> {
    fn at(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }

    fn starts(&self, p: &str) -> bool {
        self.s[self.i..].starts_with(p.as_bytes())
    }

    fn push(&mut self, class: Class, start: usize) {
        self.tokens.push(Token { class, start, end: self.i });
    }

    fn run(&mut self) -> Result<(), String> {
        while let Some(c) = self.at(0) {
            let start = self.i;
            if c == 0 {
                return Err("the statement contains a NUL byte".into());
            }
            if is_space(self.kind, c) {
                while self.at(0).is_some_and(|c| is_space(self.kind, c)) {
                    self.i += 1;
                }
                self.push(Class::Space, start);
            } else if self.comment_start() {
                self.comment()?;
                self.push(Class::Comment, start);
            } else if let Some(class) = self.quoted_start()? {
                self.push(class, start);
            } else if is_ident_start(c) || (c.is_ascii_digit() && self.kind == DbKind::MySql) {
                self.word()?;
                self.push(Class::Code, start);
            } else if c.is_ascii_digit() || (c == b'.' && self.at(1).is_some_and(|d| d.is_ascii_digit())) {
                self.number()?;
                self.push(Class::Code, start);
            } else if c < 0x20 || c == 0x7f {
                return Err(format!("the statement contains the control character 0x{c:02x}"));
            } else {
                self.punct()?;
                self.push(Class::Code, start);
            }
        }
        Ok(())
    }

    fn comment_start(&self) -> bool {
        match self.kind {
            // MySQL: `--` starts a comment only before a space or control character
            // (or the end); `1--1` is one minus minus one. `#` comments too.
            DbKind::MySql => {
                self.at(0) == Some(b'#')
                    || self.starts("/*")
                    || (self.starts("--") && self.at(2).is_none_or(|c| c <= b' ' || c == 0x7f))
            }
            DbKind::Postgres | DbKind::Sqlite => self.starts("--") || self.starts("/*"),
        }
    }

    fn comment(&mut self) -> Result<(), String> {
        if self.starts("/*") {
            if self.kind == DbKind::MySql && (self.starts("/*!") || self.starts("/*M!") || self.starts("/*+")) {
                return Err("MySQL executable comments and optimizer hints (/*! */, /*+ */) are not allowed".into());
            }
            self.i += 2;
            // Only PostgreSQL nests block comments.
            let nests = self.kind == DbKind::Postgres;
            let mut depth = 1;
            while depth > 0 {
                if self.i >= self.s.len() {
                    return Err("a /* comment is not closed".into());
                }
                if self.starts("*/") {
                    depth -= 1;
                    self.i += 2;
                } else if nests && self.starts("/*") {
                    depth += 1;
                    self.i += 2;
                } else {
                    self.i += 1;
                }
            }
            return Ok(());
        }
        // A line comment: PostgreSQL ends it at \n or \r, MySQL and SQLite at \n.
        let ends = |c: u8| c == b'\n' || (self.kind == DbKind::Postgres && c == b'\r');
        while let Some(c) = self.at(0) {
            if ends(c) {
                break;
            }
            self.i += 1;
        }
        Ok(())
    }

    /// A string literal or quoted identifier starting here, consumed whole.
    fn quoted_start(&mut self) -> Result<Option<Class>, String> {
        let c = self.at(0).unwrap_or(0);
        let lower = c.to_ascii_lowercase();
        let next = self.at(1);
        match self.kind {
            DbKind::Postgres => {
                if c == b'\'' {
                    self.i += 1;
                    self.quoted(b'\'', false)?;
                    return Ok(Some(Class::Str));
                }
                if c == b'"' {
                    self.i += 1;
                    self.quoted(b'"', false)?;
                    return Ok(Some(Class::Ident));
                }
                // Prefixed strings: E'…' (backslash escapes), B'…', X'…', N'…'.
                if matches!(lower, b'e' | b'b' | b'x' | b'n') && next == Some(b'\'') {
                    self.i += 2;
                    self.quoted(b'\'', lower == b'e')?;
                    return Ok(Some(Class::Str));
                }
                if lower == b'u' && next == Some(b'&') && matches!(self.at(2), Some(b'\'' | b'"')) {
                    let q = self.at(2).unwrap_or(b'\'');
                    self.i += 3;
                    self.quoted(q, false)?;
                    return Ok(Some(if q == b'\'' { Class::Str } else { Class::Ident }));
                }
                if c == b'$' {
                    return self.dollar().map(Some);
                }
            }
            DbKind::MySql => {
                if c == b'\'' || c == b'"' {
                    self.i += 1;
                    self.quoted(c, true)?;
                    return Ok(Some(Class::Str));
                }
                if c == b'`' {
                    self.i += 1;
                    self.quoted(b'`', false)?;
                    return Ok(Some(Class::Ident));
                }
                if matches!(lower, b'x' | b'b') && next == Some(b'\'') {
                    // Hex and bit literals: no escapes, end at the next quote.
                    self.i += 2;
                    self.until(b'\'')?;
                    return Ok(Some(Class::Str));
                }
                if lower == b'n' && next == Some(b'\'') {
                    self.i += 2;
                    self.quoted(b'\'', true)?;
                    return Ok(Some(Class::Str));
                }
                if c == b'@' {
                    return Err("MySQL variables (@name, @@name) are not allowed".into());
                }
                if c == b'?' {
                    return Err("parameter markers (?) are not supported".into());
                }
            }
            DbKind::Sqlite => {
                if c == b'\'' {
                    self.i += 1;
                    self.quoted(b'\'', false)?;
                    return Ok(Some(Class::Str));
                }
                if c == b'"' || c == b'`' {
                    self.i += 1;
                    self.quoted(c, false)?;
                    return Ok(Some(Class::Ident));
                }
                if c == b'[' {
                    self.i += 1;
                    self.until(b']')?;
                    return Ok(Some(Class::Ident));
                }
                if lower == b'x' && next == Some(b'\'') {
                    self.i += 2;
                    self.until(b'\'')?;
                    return Ok(Some(Class::Str));
                }
                // SQLite's parameter tokens (`$a::b(…)` may even swallow quotes).
                if matches!(c, b'?' | b':' | b'@' | b'$' | b'#') {
                    return Err("parameter markers (?, :name, @name, $name) are not supported".into());
                }
            }
        }
        Ok(None)
    }

    /// The rest of a quoted token whose opening quote is consumed: a doubled
    /// quote stands for one; with `backslash`, `\` escapes the next character.
    fn quoted(&mut self, q: u8, backslash: bool) -> Result<(), String> {
        loop {
            match self.at(0) {
                None => return Err(unterminated(q)),
                Some(b'\\') if backslash => {
                    if self.at(1).is_none() {
                        return Err(unterminated(q));
                    }
                    self.i += 2;
                }
                Some(c) if c == q => {
                    if self.at(1) == Some(q) {
                        self.i += 2;
                    } else {
                        self.i += 1;
                        return Ok(());
                    }
                }
                Some(_) => self.i += 1,
            }
        }
    }

    /// Up to and including the next `q`, with no escapes.
    fn until(&mut self, q: u8) -> Result<(), String> {
        match self.s[self.i..].iter().position(|c| *c == q) {
            Some(n) => {
                self.i += n + 1;
                Ok(())
            }
            None => Err(unterminated(q)),
        }
    }

    /// PostgreSQL dollar quoting: `$$…$$` or `$tag$…$tag$`.
    fn dollar(&mut self) -> Result<Class, String> {
        if self.at(1).is_some_and(|c| c.is_ascii_digit()) {
            return Err("parameter markers ($1) are not supported".into());
        }
        let mut j = self.i + 1;
        if self.s.get(j).is_some_and(|c| is_ident_start(*c)) {
            while self.s.get(j).is_some_and(|c| is_ident_start(*c) || c.is_ascii_digit()) {
                j += 1;
            }
        }
        if self.s.get(j) != Some(&b'$') {
            return Err("a $ that starts no dollar-quoted string".into());
        }
        let delim = self.s[self.i..=j].to_vec();
        self.i = j + 1;
        match self.s[self.i..].windows(delim.len()).position(|w| w == delim.as_slice()) {
            Some(n) => {
                self.i += n + delim.len();
                Ok(Class::Str)
            }
            None => Err("a dollar-quoted string is not closed".into()),
        }
    }

    /// An unquoted word. MySQL words may start with digits (`1abc` is a name,
    /// `1e5` a number); both are one code token there.
    fn word(&mut self) -> Result<(), String> {
        while self.at(0).is_some_and(is_ident_cont) {
            self.i += 1;
        }
        if self.kind == DbKind::MySql && self.at(0) == Some(b'.') && self.at(1).is_some_and(|c| c.is_ascii_digit()) {
            // `1.5` after a digit-led word: the rest of a decimal number.
            self.i += 1;
            return self.number();
        }
        Ok(())
    }

    /// A number. One that runs straight into a letter or quote (`1e'x'`,
    /// `0x'…'`) is read differently across versions, so it is refused.
    fn number(&mut self) -> Result<(), String> {
        let start = self.i;
        while let Some(c) = self.at(0) {
            let sign_of_exponent = matches!(c, b'+' | b'-')
                && matches!(self.s[self.i - 1], b'e' | b'E')
                && !self.s[start..self.i].iter().any(|c| matches!(c, b'x' | b'X'));
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || sign_of_exponent {
                self.i += 1;
            } else {
                break;
            }
        }
        if matches!(self.at(0), Some(b'\'' | b'"' | b'`' | b'$')) || self.at(0).is_some_and(|c| c >= 0x80) {
            return Err("a number runs straight into a quote or a name".into());
        }
        Ok(())
    }

    /// Operators and punctuation, one character at a time (multi-character
    /// operators are several code tokens; only boundaries matter here).
    fn punct(&mut self) -> Result<(), String> {
        let c = self.at(0).unwrap_or(0);
        if c == b'\\' {
            return Err("a backslash outside a string literal".into());
        }
        // A UTF-8 sequence is always an identifier character (handled by `word`),
        // so anything here is ASCII.
        self.i += 1;
        Ok(())
    }
}

fn unterminated(q: u8) -> String {
    match q {
        b'\'' => "a string literal is not closed",
        b'"' => "a double-quoted name or string is not closed",
        b'`' => "a `quoted` name is not closed",
        b']' => "a [bracketed] name is not closed",
        _ => "a quoted token is not closed",
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(sql: &str, kind: DbKind) -> Vec<(Class, &str)> {
        lex(sql, kind)
            .unwrap()
            .tokens
            .iter()
            .filter(|t| t.class != Class::Space)
            .map(|t| (t.class, &sql[t.start..t.end]))
            .collect()
    }

    #[test]
    fn postgres_strings_follow_standard_conforming_strings() {
        let sql = r"SELECT '\''' AS a, '; DROP' AS b";
        // No backslash escapes: the first literal is the two characters \' .
        let c = classes(sql, DbKind::Postgres);
        assert_eq!(c[1], (Class::Str, r"'\'''"));
        assert_eq!(c[5], (Class::Str, "'; DROP'"));
        let e = classes(r"SELECT E'\'' AS a", DbKind::Postgres);
        assert_eq!(e[1], (Class::Str, r"E'\''"));
        assert_eq!(classes("SELECT $a$ ' $$ $a$, $$x$$", DbKind::Postgres)[1], (Class::Str, "$a$ ' $$ $a$"));
        assert_eq!(classes("SELECT a$b$, 1", DbKind::Postgres)[1], (Class::Code, "a$b$"));
        assert_eq!(classes("SELECT /* a /* b */ c */ 1", DbKind::Postgres)[1].0, Class::Comment);
        assert_eq!(classes("SELECT U&'d\\0061t' UESCAPE '!'", DbKind::Postgres)[1], (Class::Str, "U&'d\\0061t'"));
    }

    #[test]
    fn mysql_reads_backslashes_double_quotes_and_dash_comments_like_the_server() {
        let sql = r#"SELECT '\' AS a, ' FROM dual INTO OUTFILE "/tmp/x" -- ' AS b"#;
        let c = classes(sql, DbKind::MySql);
        assert_eq!(c[1], (Class::Str, r"'\' AS a, '"));
        assert!(c.iter().any(|(k, t)| *k == Class::Code && *t == "OUTFILE"));
        assert_eq!(c.last().unwrap().0, Class::Comment);
        assert_eq!(classes("SELECT 1--1", DbKind::MySql).len(), 5, "minus minus, not a comment");
        assert_eq!(classes("SELECT 1 -- x", DbKind::MySql)[2].0, Class::Comment);
        assert_eq!(classes("SELECT 1 # x", DbKind::MySql)[2].0, Class::Comment);
        assert_eq!(classes("SELECT \"a\\\"b\"", DbKind::MySql)[1].0, Class::Str);
        assert!(lex("SELECT 1 /*! , 2 */", DbKind::MySql).is_err());
        assert!(lex("SELECT @x", DbKind::MySql).is_err());
        assert!(lex("SELECT /*+ SET_VAR(sql_mode='') */ 1", DbKind::MySql).is_err());
    }

    #[test]
    fn sqlite_has_no_backslash_escapes_and_four_quote_styles() {
        let sql = r"SELECT '\''' AS a, '; ATTACH' AS b";
        let c = classes(sql, DbKind::Sqlite);
        assert_eq!(c[1], (Class::Str, r"'\'''"));
        assert_eq!(classes("SELECT [a'b], `c`, \"d\"", DbKind::Sqlite)[1], (Class::Ident, "[a'b]"));
        assert!(lex("SELECT $a(')", DbKind::Sqlite).is_err());
        assert!(lex("SELECT ?", DbKind::Sqlite).is_err());
    }

    #[test]
    fn one_statement_only_and_the_statement_range_drops_trailing_noise() {
        let sql = "  SELECT 1 ; ; -- done\n";
        let l = lex(sql, DbKind::Postgres).unwrap();
        assert_eq!(&sql[l.statement], "SELECT 1");
        for bad in ["SELECT 1; SELECT 2", "; SELECT 1", ";", "", "-- only", "SELECT 'x", "SELECT /* x", "SELECT (1"] {
            assert!(lex(bad, DbKind::Postgres).is_err(), "{bad:?}");
        }
        assert!(lex("SELECT 1e'x'", DbKind::Postgres).is_err());
        assert!(lex("SELECT 1\u{0b}", DbKind::Sqlite).is_err());
    }

    #[test]
    fn nesting_and_token_counts_are_bounded_before_parsing() {
        let deep = format!("SELECT {}1{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        assert!(lex(&deep, DbKind::Postgres).unwrap_err().contains("nests deeper"));
        let ok = format!("SELECT {}1{}", "f(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(lex(&ok, DbKind::Postgres).is_ok());
        let long = format!("SELECT 1{}", ", 1".repeat(MAX_CODE_TOKENS));
        assert!(lex(&long, DbKind::Sqlite).unwrap_err().contains("tokens"));
    }
}
