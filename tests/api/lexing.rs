//! Differential test of the guard's lexing against the servers themselves.
//!
//! A generated corpus of `SELECT <literal>, <literal>, …` statements whose
//! literals are built from quotes, escapes, comment markers, dollar quotes,
//! semicolons and identifiers. For every statement the guard accepts, the
//! guard's own reading (which bytes are literals, where the statement ends)
//! predicts the row the server must return; the statement then runs through
//! the real execution path (pinned session settings, prepared statement) and
//! the server's row must be exactly the prediction. A server error is a safe
//! outcome (nothing the guard thought was data ran as code); a different row
//! would mean the guard and the server split the text differently.
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use sqlagent_core::pools::{self, Pool};
use sqlagent_core::sqlguard::{self, Limits, Scope};
use sqlagent_core::targets::{DbKind, NetPolicy, TargetSpec};
use sqlx::Connection;

/// Pieces a literal's body is made of: everything that has ever split a
/// lexer from a server.
const BODY: &[&str] = &[
    "a", "Z", "0", " ", "'", "''", "\\", "\\'", "\\\\", "\\\"", "\"", "\"\"", ";", "--", "-- ", "/*", "*/", "#", "$$",
    "$a$", "$", "\n", "\r", "\t", "`", "[", "]", "é", "\\n", "\\0", "%", "_", "?", ":", "@", ")", "(",
];

/// Text between items: separators and comments.
fn between(kind: DbKind, rng: &mut StdRng) -> String {
    let mut options = vec![", ", ",", " , ", ",\n", ", /* c */ ", ",-- c\n", " /* ; */ , "];
    match kind {
        DbKind::MySql => options.extend([", # c\n", ", -- \n"]),
        DbKind::Postgres => options.extend([", /* a /* b */ c */ "]),
        DbKind::Sqlite => {}
    }
    options[rng.gen_range(0..options.len())].to_owned()
}

fn body(rng: &mut StdRng) -> String {
    (0..rng.gen_range(0..6)).map(|_| BODY[rng.gen_range(0..BODY.len())]).collect()
}

/// One literal-like item: a quote style of the dialect around a random body.
fn item(kind: DbKind, rng: &mut StdRng) -> String {
    let b = body(rng);
    match (kind, rng.gen_range(0..4)) {
        (DbKind::Postgres, 1) => format!("E'{b}'"),
        (DbKind::Postgres, 2) => {
            let tag = ["", "a", "t1"][rng.gen_range(0..3)];
            format!("${tag}${b}${tag}$")
        }
        (DbKind::MySql, 1) => format!("\"{b}\""),
        (DbKind::MySql, 2) => format!("N'{b}'"),
        _ => format!("'{b}'"),
    }
}

/// A statement, sometimes with a tail that would be a second statement.
fn statement(kind: DbKind, rng: &mut StdRng) -> String {
    let n = rng.gen_range(1..4);
    let mut sql = String::from("SELECT ");
    for i in 0..n {
        if i > 0 {
            sql.push_str(&between(kind, rng));
        }
        sql.push_str(&item(kind, rng));
    }
    match rng.gen_range(0..6) {
        0 => sql.push_str("; SELECT 'tail'"),
        1 => sql.push_str(" -- ' ; SELECT 1"),
        2 => sql.push_str(" /* ' */"),
        _ => {}
    }
    sql
}

/// One backslash escape after `\`: MySQL's table, or PostgreSQL's E-string
/// rules (octal and hex digits included). `None` when it cannot be predicted.
fn unescape(kind: DbKind, chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String) -> Option<()> {
    let c = chars.next()?;
    let plain = match (kind, c) {
        (_, 'n') => '\n',
        (_, 't') => '\t',
        (_, 'r') => '\r',
        (_, 'b') => '\u{8}',
        (DbKind::MySql, '0') => '\0',
        (DbKind::MySql, 'Z') => '\u{1a}',
        // MySQL keeps the backslash before % and _ (they are LIKE escapes).
        (DbKind::MySql, '%' | '_') => {
            out.push('\\');
            c
        }
        (DbKind::Postgres, 'f') => '\u{c}',
        (DbKind::Postgres, '0'..='7') => {
            let mut n = c.to_digit(8)?;
            for _ in 0..2 {
                match chars.peek().and_then(|d| d.to_digit(8)) {
                    Some(d) => {
                        n = n * 8 + d;
                        chars.next();
                    }
                    None => break,
                }
            }
            char::from_u32(n)?
        }
        (DbKind::Postgres, 'x' | 'u' | 'U') => return None,
        (_, other) => other,
    };
    out.push(plain);
    Some(())
}

/// The value of one literal token, as the dialect (with the pinned settings) decodes it.
fn decode(kind: DbKind, token: &str) -> Option<String> {
    let (body, quote, escapes) = if let Some(rest) = token.strip_prefix("E'") {
        (rest.strip_suffix('\'')?, '\'', true)
    } else if let Some(rest) = token.strip_prefix("N'") {
        (rest.strip_suffix('\'')?, '\'', kind == DbKind::MySql)
    } else if let Some(rest) = token.strip_prefix('$') {
        let tag = &token[..rest.find('$')? + 2];
        return Some(token.strip_prefix(tag)?.strip_suffix(tag)?.to_owned());
    } else if let Some(rest) = token.strip_prefix('\'') {
        (rest.strip_suffix('\'')?, '\'', kind == DbKind::MySql)
    } else if let Some(rest) = token.strip_prefix('"') {
        (rest.strip_suffix('"')?, '"', kind == DbKind::MySql)
    } else {
        return None;
    };
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if escapes && c == '\\' {
            unescape(kind, &mut chars, &mut out)?;
        } else if c == quote && chars.peek() == Some(&quote) {
            chars.next();
            out.push(quote);
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// A bare name after a literal: the column's alias.
fn is_alias(text: &str) -> bool {
    text.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        && !text.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Whether the guard's reading is `SELECT` followed only by literals (each
/// perhaps with an alias) and commas.
fn literal_only(kind: DbKind, sql: &str) -> bool {
    let Ok(tokens) = sqlguard::split(sql, kind) else { return false };
    let mut after_literal = false;
    tokens.iter().skip(1).all(|(literal, text)| {
        let ok = *literal || text == "," || (after_literal && is_alias(text));
        after_literal = *literal;
        ok
    })
}

/// What the guard's reading of `sql` says the server returns: one column per
/// comma-separated group of adjacent literals. Adjacent literals concatenate
/// on PostgreSQL (when a newline separates them; else the server refuses) and
/// MySQL; on SQLite the second one names the column. `None` when a value
/// cannot be predicted.
fn predict(kind: DbKind, sql: &str) -> Option<Vec<String>> {
    let tokens = sqlguard::split(sql, kind).ok()?;
    let mut columns: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    let mut iter = tokens.into_iter();
    if iter.next().map(|(_, t)| t.eq_ignore_ascii_case("SELECT")) != Some(true) {
        return None;
    }
    let mut adjacent = 0;
    for (is_literal, text) in iter {
        if is_literal {
            let value = decode(kind, &text)?;
            adjacent += 1;
            current = match (kind, current) {
                (DbKind::Sqlite, Some(_)) if adjacent > 2 => return None,
                (DbKind::Sqlite, Some(first)) => Some(first),
                (_, current) => Some(current.unwrap_or_default() + &value),
            };
        } else if text == "," {
            adjacent = 0;
            columns.push(current.take()?);
        } else if !is_alias(&text) {
            return None;
        }
    }
    columns.push(current?);
    Some(columns)
}

async fn pool(kind: DbKind, data_dir: &std::path::Path) -> (Pool, String) {
    let (spec, database) = match kind {
        DbKind::Postgres => {
            (TargetSpec::new("postgresql", "127.0.0.1", None, "postgres", "postgres", "x", Some("disable")), "postgres")
        }
        DbKind::MySql => {
            let mut root = sqlx::MySqlConnection::connect("mysql://root@127.0.0.1:3306/mysql").await.unwrap();
            sqlx::query("CREATE DATABASE IF NOT EXISTS sqlagent_lexing").execute(&mut root).await.unwrap();
            (
                TargetSpec::new("mariadb", "127.0.0.1", None, "sqlagent_lexing", "root", "", Some("disable")),
                "sqlagent_lexing",
            )
        }
        DbKind::Sqlite => {
            let dir = data_dir.join("sqlite");
            std::fs::create_dir_all(&dir).unwrap();
            rusqlite::Connection::open(dir.join("lex.db")).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
            (TargetSpec::new("sqlite", "", None, "lex.db", "", "", None), "lex.db")
        }
    };
    let spec = spec.unwrap();
    (pools::open(&spec, &NetPolicy::default(), data_dir, 1).await.unwrap(), database.to_owned())
}

async fn differential(kind: DbKind, cases: usize, seed: u64) {
    let data_dir = tempfile::tempdir().unwrap();
    let (pool, database) = pool(kind, data_dir.path()).await;
    let scope = Scope { kind, database };
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut agreed, mut server_refused, mut guard_refused, mut unshaped, mut unpredictable) = (0, 0, 0, 0, 0);
    for _ in 0..cases {
        let sql = statement(kind, &mut rng);
        let Ok(checked) = sqlguard::check(&sql, &scope) else {
            guard_refused += 1;
            continue;
        };
        if !literal_only(kind, &checked.sql) {
            eprintln!("{kind:?} accepted a statement that is not literal-only: {sql:?}");
            unshaped += 1;
            continue;
        }
        let predicted = predict(kind, &checked.sql);
        match sqlguard::execute(&pool, &checked, Limits::default()).await {
            Err(_) => server_refused += 1,
            Ok(result) => {
                let row: Vec<Value> = result.rows.first().cloned().unwrap_or_default();
                let got: Vec<String> =
                    row.iter().map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())).collect();
                match predicted {
                    Some(expected) => {
                        assert_eq!(got, expected, "{kind:?}: the server read {sql:?} differently than the guard");
                        agreed += 1;
                    }
                    None => unpredictable += 1,
                }
            }
        }
    }
    eprintln!(
        "{kind:?}: {cases} statements, {agreed} agreed, {server_refused} refused by the server, \
         {guard_refused} refused by the guard, {unshaped} accepted but not literal-only, \
         {unpredictable} with escapes this test does not decode"
    );
    assert!(agreed * 5 >= cases, "too few statements ran for the test to mean anything: {agreed}");
    assert_eq!(unshaped, 0);
    pool.close().await;
}

#[tokio::test]
async fn postgresql_reads_every_accepted_statement_as_the_guard_does() {
    differential(DbKind::Postgres, 1_500, 0x5EED_0001).await;
}

#[tokio::test]
async fn mariadb_reads_every_accepted_statement_as_the_guard_does() {
    differential(DbKind::MySql, 1_500, 0x5EED_0002).await;
}

#[tokio::test]
async fn sqlite_reads_every_accepted_statement_as_the_guard_does() {
    differential(DbKind::Sqlite, 1_500, 0x5EED_0003).await;
}
