-- +goose Up
-- A message's kind: a typed chat message, or a log analysis whose (redacted) prompt is the user
-- message, with the logs it analysed. Log ids are kept as they were when the analysis ran; a
-- log deleted later simply no longer resolves.
ALTER TABLE messages ADD COLUMN kind text NOT NULL DEFAULT 'chat' CHECK (kind IN ('chat', 'analysis'));
ALTER TABLE messages ADD COLUMN log_file_ids uuid[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE messages DROP COLUMN log_file_ids;
ALTER TABLE messages DROP COLUMN kind;
