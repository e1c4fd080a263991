-- Every statement executed on a user's database: who, where, what, how it went.
-- Result rows are never stored.
CREATE TABLE query_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL,
    db_id       BIGINT,
    session_id  TEXT   NOT NULL,
    source      TEXT   NOT NULL,
    sql_text    TEXT   NOT NULL,
    status      TEXT   NOT NULL,
    error       TEXT,
    row_count   BIGINT,
    elapsed_ms  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX query_log_user ON query_log (user_id, created_at);
