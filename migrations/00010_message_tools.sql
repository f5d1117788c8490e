-- +goose Up
-- The lookups the model made for a reply with the chat's tools (search_logs, read_log_lines,
-- list_logs), as short notes for people reading the reply, like "read_log_lines app.log 100–140".
-- The notes are built from redacted arguments; the lookups' results are never stored.
ALTER TABLE messages ADD COLUMN tools_used text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE messages DROP COLUMN tools_used;
