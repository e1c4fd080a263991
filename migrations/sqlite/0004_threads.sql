-- Conversations: a thread per session by default, messages in order.
CREATE TABLE threads (
    id         TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX threads_user ON threads (user_id, updated_at);

CREATE TABLE messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id  TEXT   NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    role       TEXT   NOT NULL,
    content    TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_thread ON messages (thread_id, id);
