-- Threads belong to their user: a thread id names a thread only among its
-- owner's threads, so another user can neither take an id nor learn it exists.
CREATE TABLE threads_owned (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id         TEXT   NOT NULL,
    title      TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, id)
);
INSERT INTO threads_owned (user_id, id, title, created_at, updated_at)
    SELECT user_id, id, title, created_at, updated_at FROM threads;

CREATE TABLE messages_owned (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL,
    thread_id  TEXT   NOT NULL,
    role       TEXT   NOT NULL,
    content    TEXT   NOT NULL,
    sql_text   TEXT,
    created_at BIGINT NOT NULL,
    FOREIGN KEY (user_id, thread_id) REFERENCES threads_owned (user_id, id) ON DELETE CASCADE
);
INSERT INTO messages_owned (id, user_id, thread_id, role, content, sql_text, created_at)
    SELECT m.id, t.user_id, m.thread_id, m.role, m.content, m.sql_text, m.created_at
    FROM messages m JOIN threads t ON t.id = m.thread_id;

DROP TABLE messages;
DROP TABLE threads;
ALTER TABLE threads_owned RENAME TO threads;
ALTER TABLE messages_owned RENAME TO messages;
CREATE INDEX threads_user ON threads (user_id, updated_at);
CREATE INDEX messages_thread ON messages (user_id, thread_id, id);

-- The owner's explicit consent to a login with rights beyond reading data.
ALTER TABLE db_connections ADD COLUMN allow_privileged BIGINT NOT NULL DEFAULT 0;
