//! The parser must see the same literals, quoted names and comments as the
//! server. The allow-lists judge the parser's tree; if the parser took text
//! for a string that the server runs as code (or the reverse), that judgement
//! would be about another statement. So the parser's tokens are compared, byte
//! for byte, with the server-faithful lexer's, and any difference is refused.
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Whitespace};

use super::lexer::{Class, Lexed};

/// The class of each byte as the lexer sees it, space counted as code.
fn ours(len: usize, lexed: &Lexed) -> Vec<Class> {
    let mut map = vec![Class::Code; len];
    for t in &lexed.tokens {
        let class = if t.class == Class::Space { Class::Code } else { t.class };
        map[t.start..t.end].fill(class);
    }
    map
}

fn class_of(token: &Token) -> Class {
    match token {
        Token::Word(w) if w.quote_style.is_some() => Class::Ident,
        Token::Whitespace(Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)) => Class::Comment,
        Token::SingleQuotedString(_)
        | Token::DoubleQuotedString(_)
        | Token::TripleSingleQuotedString(_)
        | Token::TripleDoubleQuotedString(_)
        | Token::DollarQuotedString(_)
        | Token::SingleQuotedByteStringLiteral(_)
        | Token::DoubleQuotedByteStringLiteral(_)
        | Token::TripleSingleQuotedByteStringLiteral(_)
        | Token::TripleDoubleQuotedByteStringLiteral(_)
        | Token::SingleQuotedRawStringLiteral(_)
        | Token::DoubleQuotedRawStringLiteral(_)
        | Token::TripleSingleQuotedRawStringLiteral(_)
        | Token::TripleDoubleQuotedRawStringLiteral(_)
        | Token::NationalStringLiteral(_)
        | Token::QuoteDelimitedStringLiteral(_)
        | Token::NationalQuoteDelimitedStringLiteral(_)
        | Token::EscapedStringLiteral(_)
        | Token::UnicodeStringLiteral(_)
        | Token::HexStringLiteral(_) => Class::Str,
        _ => Class::Code,
    }
}

/// Byte offsets of sqlparser's (line, column) locations: lines break at `\n`
/// only, columns count characters from 1.
struct Offsets {
    /// Byte offset of every character, plus the end of the text.
    char_bytes: Vec<usize>,
    /// Index (into `char_bytes`) of the first character of each line.
    line_starts: Vec<usize>,
}

impl Offsets {
    fn new(sql: &str) -> Self {
        let mut char_bytes = Vec::with_capacity(sql.len() + 1);
        let mut line_starts = vec![0];
        for (n, (b, c)) in sql.char_indices().enumerate() {
            char_bytes.push(b);
            if c == '\n' {
                line_starts.push(n + 1);
            }
        }
        char_bytes.push(sql.len());
        Offsets { char_bytes, line_starts }
    }

    fn byte(&self, at: Location) -> Option<usize> {
        let line = self.line_starts.get(usize::try_from(at.line).ok()?.checked_sub(1)?)?;
        let column = usize::try_from(at.column).ok()?.checked_sub(1)?;
        self.char_bytes.get(line + column).copied()
    }
}

/// Whether the parser's tokens classify every byte as the lexer does.
pub fn check(sql: &str, lexed: &Lexed, tokens: &[TokenWithSpan]) -> Result<(), String> {
    let ambiguous =
        || "the statement's quoting or comments can be read in more than one way; write it more plainly".to_owned();
    let expected = ours(sql.len(), lexed);
    let offsets = Offsets::new(sql);
    let mut seen = vec![Class::Code; sql.len()];
    for t in tokens {
        let class = class_of(&t.token);
        if class == Class::Code {
            continue;
        }
        let (Some(start), Some(end)) = (offsets.byte(t.span.start), offsets.byte(t.span.end)) else {
            return Err(ambiguous());
        };
        if start > end || end > sql.len() {
            return Err(ambiguous());
        }
        // MySQL's 0x1F is a number-like literal: code to the lexer, no quotes.
        let unquoted_hex = matches!(t.token, Token::HexStringLiteral(_)) && !sql[start..end].contains('\'');
        if !unquoted_hex {
            seen[start..end].fill(class);
        }
    }
    if seen == expected {
        Ok(())
    } else {
        Err(ambiguous())
    }
}
