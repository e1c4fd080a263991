-- The SQL behind an assistant's answer (a JSON array of statements), so that
-- follow-ups can build on it; NULL for questions and for answers without SQL.
ALTER TABLE messages ADD COLUMN sql_text TEXT;
