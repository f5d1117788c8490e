-- +goose Up
-- Replies still being written: few at any time, looked up at every start of the portal
-- (AbandonStreamingReplies) without reading the whole message history.
CREATE INDEX messages_streaming_idx ON messages (id) WHERE status = 'streaming';

-- +goose Down
DROP INDEX messages_streaming_idx;
