//! Property tests of the guard: generated statements and mutations of real
//! ones, in every dialect. The guard never panics and always answers quickly;
//! nothing it accepts calls a function outside the query or starts anything
//! but a query; and on SQLite, whatever it accepts changes nothing even on a
//! writable connection with none of the engine's controls.
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;

/// Functions that reach outside the query, per engine: an oracle list for
/// the test, kept apart from the guard's own allow-list on purpose.
fn outside(kind: DbKind) -> &'static [&'static str] {
    match kind {
        DbKind::Postgres => &[
            "pg_read_file",
            "pg_ls_dir",
            "pg_sleep",
            "pg_terminate_backend",
            "pg_advisory_lock",
            "dblink",
            "dblink_exec",
            "ts_stat",
            "ts_rewrite",
            "query_to_xml",
            "table_to_xml",
            "set_config",
            "nextval",
            "lo_import",
            "pg_create_physical_replication_slot",
            "current_setting",
            "xmlparse",
        ],
        DbKind::MySql => &["load_file", "sleep", "benchmark", "get_lock", "release_lock", "last_insert_id"],
        DbKind::Sqlite => &["load_extension", "readfile", "writefile", "randomblob", "zeroblob", "edit"],
    }
}

/// Keywords after which `name (` is a function call.
#[rustfmt::skip]
const CALL_AFTER: &[&str] = &[
    "select", "from", "where", "and", "or", "not", "on", "by", "then", "else", "when", "in", "join", "lateral",
    "distinct", "all", "any", "some", "exists", "having", "case", "is", "like", "between", "limit", "offset",
];

/// Where a statement may start.
#[rustfmt::skip]
const STARTS: &[&str] = &[
    "select", "with", "values", "explain", "(", "describe", "desc",
];

#[rustfmt::skip]
const SEEDS: &[&str] = &[
    "SELECT name, count(*) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY name ORDER BY 2 DESC LIMIT 5",
    "WITH t AS (SELECT id FROM orders WHERE status = 'paid') SELECT count(*) FROM t",
    "SELECT * FROM orders WHERE created_at > '2024-01-01' AND total BETWEEN 1 AND 100", "EXPLAIN SELECT 1",
    "INSERT INTO orders VALUES (1)", "DELETE FROM orders", "ATTACH DATABASE 'x.db' AS x",
    "SELECT pg_read_file('/etc/passwd')", "SELECT '\\' AS a, ' FROM dual INTO OUTFILE \"/tmp/x\" -- ' AS b",
    "SELECT '\\''' AS a, '; DROP TABLE orders; --' AS b", "SELECT * FROM ts_stat($$SELECT 1$$)",
    "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d", "SELECT 1; UPDATE orders SET total = 0",
    "PRAGMA writable_schema = ON", "CREATE TABLE x (a int)", "SELECT load_extension('x')",
    "VACUUM INTO '/tmp/x'", "SELECT * FROM orders FOR UPDATE",
];

#[rustfmt::skip]
const FRAGMENTS: &[&str] = &[
    "SELECT ", " FROM ", " orders", " customers", " WHERE ", " AND ", " OR ", "NOT ", " = ", "1", "'x'", "''",
    "'", "\"", "`", "[", "]", "\\", "\\'", "(", ")", ",", ";", " ", "\n", "--", "-- ", "/*", "*/", "#", "$$",
    "$a$", "E'", "N'", "x'", "?", ":a", "@a", "$1", " UNION ALL ", " INTO ", " OUTFILE '/tmp/p' ", " DELETE ",
    " UPDATE ", " INSERT ", " DROP TABLE orders", " ATTACH ", " PRAGMA ", " RETURNING ", " FOR UPDATE",
    " LIMIT 1", " count(*)", "pg_read_file('/etc/passwd')", "load_file('/etc/passwd')", "sleep(1)",
    "pg_sleep(1)", "upper(", "ts_stat('x')", "randomblob(9)", " EXPLAIN ", " ANALYZE ", " WITH ", " AS ", " t",
    " VALUES (1)", "/*!", "@@version", " ::text", "get_lock('l', 1)", "benchmark(9, 1)", "readfile('x')",
    "dblink('a', 'b')", "set_config('a', 'b', false)",
];

fn dialect() -> impl Strategy<Value = DbKind> {
    prop_oneof![Just(DbKind::Postgres), Just(DbKind::MySql), Just(DbKind::Sqlite)]
}

fn generated() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 1..24).prop_map(|parts| parts.concat())
}

/// A seed statement with fragments inserted, a range cut out, or its case changed.
fn mutated() -> impl Strategy<Value = String> {
    (
        prop::sample::select(SEEDS),
        prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(FRAGMENTS), 0..3u8), 1..5),
    )
        .prop_map(|(seed, edits)| {
            let mut s = seed.to_owned();
            for (at, fragment, how) in edits {
                let mut i = at.index(s.len() + 1);
                while !s.is_char_boundary(i) {
                    i -= 1;
                }
                match how {
                    0 => s.insert_str(i, fragment),
                    1 => {
                        let mut end = (i + fragment.len()).min(s.len());
                        while !s.is_char_boundary(end) {
                            end -= 1;
                        }
                        s.replace_range(i..end, "");
                    }
                    _ => s = s.to_uppercase(),
                }
            }
            s
        })
}

fn statement() -> impl Strategy<Value = String> {
    prop_oneof![generated(), mutated(), ".{0,80}"]
}

/// A writable SQLite database with no engine controls at all.
fn writable() -> (tempfile::TempDir, rusqlite::Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("w.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INT, status TEXT, total REAL, created_at TEXT);
         CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE t (id INT);
         INSERT INTO orders VALUES (1, 1, 'paid', 10, '2024-02-01'), (2, 1, 'new', 20, '2024-03-01');
         INSERT INTO customers VALUES (1, 'x');",
    )
    .unwrap();
    (dir, conn)
}

fn snapshot(conn: &rusqlite::Connection) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT type || name || coalesce(sql, '') FROM sqlite_schema ORDER BY 1",
        "SELECT name || file FROM pragma_database_list ORDER BY 1",
        "SELECT id || status || total FROM orders ORDER BY 1",
        "SELECT id || name FROM customers ORDER BY 1",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        out.extend(stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn accepted_statements_are_queries_that_stay_inside_and_the_guard_is_quick(sql in statement(), kind in dialect()) {
        let started = Instant::now();
        let outcome = check(&sql, &Scope { kind, database: "shop".into() });
        prop_assert!(started.elapsed() < Duration::from_secs(1), "slow: {sql:?}");
        if let Ok(checked) = outcome {
            let tokens = split(&checked.sql, kind).unwrap();
            let words: Vec<String> = tokens.iter().filter(|(lit, _)| !lit).map(|(_, t)| t.to_lowercase()).collect();
            prop_assert!(STARTS.contains(&words[0].as_str()), "{kind:?} accepted {sql:?}");
            // `name (` is a call unless a bare name comes just before it (then it
            // is an alias with column names: `FROM orders x(a, b)`).
            for w in words.windows(3) {
                let alias = w[0].chars().all(|c| c.is_alphanumeric() || c == '_') && !CALL_AFTER.contains(&w[0].as_str());
                let call = w[2] == "(" && outside(kind).contains(&w[1].as_str()) && !alias;
                prop_assert!(!call, "{kind:?} accepted {sql:?}");
            }
            // INTO is reserved everywhere, so it cannot be a name: only SELECT … INTO.
            prop_assert!(!words.iter().any(|w| w == "into"), "{kind:?} accepted {sql:?}");
        }
    }
}

/// Run one accepted statement on a writable database with no engine
/// controls; it must change nothing there.
fn changes_nothing(sql: &str, checked: &CheckedSql) -> Result<(), TestCaseError> {
    let (dir, conn) = writable();
    let before = snapshot(&conn);
    let changes = conn.total_changes();
    let deadline = Instant::now() + Duration::from_millis(300);
    conn.progress_handler(1_000, Some(move || Instant::now() > deadline));
    let ran = conn.prepare(&checked.sql).and_then(|mut s| {
        s.query([]).and_then(|mut rows| {
            while rows.next()?.is_some() {}
            Ok(())
        })
    });
    conn.progress_handler(1_000, None::<fn() -> bool>);
    prop_assert_eq!(conn.total_changes(), changes, "{:?} changed rows ({:?})", sql, ran);
    prop_assert_eq!(snapshot(&conn), before, "{:?} changed the database", sql);
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    prop_assert!(files.iter().all(|f| f.to_string_lossy().starts_with("w.db")), "{:?} made {:?}", sql, files);
    Ok(())
}

#[test]
fn nothing_sqlite_accepts_changes_a_writable_database() {
    use proptest::test_runner::{Config, TestRunner};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let accepted = AtomicUsize::new(0);
    let cases = 3_000;
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let scope = Scope { kind: DbKind::Sqlite, database: "w.db".into() };
    let statements = prop_oneof![mutated(), generated(), prop::sample::select(SEEDS).prop_map(str::to_owned)];
    runner
        .run(&statements, |sql| match check(&sql, &scope) {
            Ok(checked) => {
                accepted.fetch_add(1, Ordering::Relaxed);
                changes_nothing(&sql, &checked)
            }
            Err(_) => Ok(()),
        })
        .unwrap();
    // Not a vacuous pass: a fair share of the generated statements did run.
    assert!(accepted.load(Ordering::Relaxed) * 20 >= cases as usize, "{} accepted", accepted.load(Ordering::Relaxed));
}
