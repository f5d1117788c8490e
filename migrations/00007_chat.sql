-- +goose Up
-- Triage chat. A conversation is the chat of an incident with one provider config and model;
-- the history shown and sent spans every conversation of the incident, ordered by seq (one
-- global sequence, never by timestamps). A user message holds the redacted text only: the
-- plaintext is never stored. An assistant message is created pending ('streaming') and
-- finished as complete, incomplete (stopped or cut off; the partial text is kept) or error.
CREATE TABLE conversations (
    id              uuid PRIMARY KEY,
    issue_id        uuid NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    provider_config text NOT NULL,
    model           text NOT NULL,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX conversations_issue_idx ON conversations (issue_id, provider_config, model, created_at);

CREATE TABLE messages (
    id              uuid PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    issue_id        uuid NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    seq             bigserial NOT NULL UNIQUE,
    role            text NOT NULL CHECK (role IN ('user', 'assistant')),
    content         text NOT NULL,
    status          text NOT NULL CHECK (status IN ('complete', 'streaming', 'incomplete', 'error')),
    error           text NOT NULL DEFAULT '',
    pii_types       text[] NOT NULL DEFAULT '{}',
    sent_hash       text NOT NULL DEFAULT '',
    why_level       integer NOT NULL DEFAULT 0 CHECK (why_level BETWEEN 0 AND 5),
    root_cause      text NOT NULL DEFAULT '',
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX messages_issue_seq_idx ON messages (issue_id, seq);

-- +goose Down
DROP TABLE messages;
DROP TABLE conversations;
