-- +goose Up
-- Instructions a chat message came with (the API's system_prompt): redacted like the message,
-- and added to the single system message of the request that answers it.
ALTER TABLE messages ADD COLUMN instructions text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE messages DROP COLUMN instructions;
