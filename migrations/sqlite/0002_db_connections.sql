-- Users' target databases. The password is sealed (AES-256-GCM, bound to owner and id).
CREATE TABLE db_connections (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    db_type       TEXT   NOT NULL,
    host          TEXT   NOT NULL,
    port          BIGINT NOT NULL,
    database_name TEXT   NOT NULL,
    username      TEXT   NOT NULL,
    password_enc  TEXT   NOT NULL,
    ssl_mode      TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX db_connections_owner ON db_connections (owner_id);

-- Which login sessions have which database attached, so deleting or changing a
-- connection can detach it from every session on every instance.
CREATE TABLE db_sessions (
    session_id TEXT   PRIMARY KEY,
    db_id      BIGINT NOT NULL REFERENCES db_connections (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX db_sessions_db ON db_sessions (db_id);
