-- Threads belong to their user: a thread id names a thread only among its
-- owner's threads, so another user can neither take an id nor learn it exists.
ALTER TABLE messages ADD COLUMN user_id BIGINT;
UPDATE messages m SET user_id = t.user_id FROM threads t WHERE t.id = m.thread_id;
ALTER TABLE messages ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE messages DROP CONSTRAINT messages_thread_id_fkey;
ALTER TABLE threads DROP CONSTRAINT threads_pkey;
ALTER TABLE threads ADD PRIMARY KEY (user_id, id);
ALTER TABLE messages ADD FOREIGN KEY (user_id, thread_id) REFERENCES threads (user_id, id) ON DELETE CASCADE;
DROP INDEX messages_thread;
CREATE INDEX messages_thread ON messages (user_id, thread_id, id);

-- The owner's explicit consent to a login with rights beyond reading data.
ALTER TABLE db_connections ADD COLUMN allow_privileged BIGINT NOT NULL DEFAULT 0;
