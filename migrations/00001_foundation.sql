-- +goose Up
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL,
    display_name  text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('admin', 'responder', 'viewer')),
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL,
    token_hash   text NOT NULL UNIQUE,
    last_used_at timestamptz,
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- The scs pgxstore session table.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed sign-ins, for throttling by user name and by address.
CREATE TABLE login_failures (
    id       bigserial PRIMARY KEY,
    username text NOT NULL,
    addr     text NOT NULL,
    at       timestamptz NOT NULL
);
CREATE INDEX login_failures_username_idx ON login_failures (lower(username), at);
CREATE INDEX login_failures_addr_idx ON login_failures (addr, at);

CREATE TABLE issues (
    id          uuid PRIMARY KEY,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 1000),
    description text NOT NULL DEFAULT '',
    severity    text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    category    text NOT NULL CHECK (category IN ('general', 'linux', 'windows', 'network',
        'kubernetes', 'databases', 'virtualization', 'hardware', 'observability', 'telephony',
        'security', 'public_safety', 'application', 'automation', 'hpe_infra', 'dell_hardware',
        'identity')),
    status      text NOT NULL CHECK (status IN ('open', 'triaging', 'investigating', 'resolved', 'closed')),
    assignee_id uuid REFERENCES users (id) ON DELETE SET NULL,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    resolved_at timestamptz,
    -- The description is bounded to 100 KB by the application, well below tsvector's 1 MB limit.
    search      tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', description), 'B')) STORED
);
CREATE INDEX issues_search_idx ON issues USING gin (search);
CREATE INDEX issues_updated_idx ON issues (updated_at DESC, id);
CREATE INDEX issues_created_idx ON issues (created_at DESC, id);
CREATE INDEX issues_status_idx ON issues (status);
CREATE INDEX issues_assignee_idx ON issues (assignee_id);
CREATE INDEX issues_resolved_idx ON issues (resolved_at) WHERE resolved_at IS NOT NULL;

CREATE TABLE five_whys (
    id         uuid PRIMARY KEY,
    issue_id   uuid NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    step       smallint NOT NULL CHECK (step BETWEEN 1 AND 5),
    question   text NOT NULL,
    answer     text NOT NULL DEFAULT '',
    evidence   text NOT NULL DEFAULT '',
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (issue_id, step)
);

CREATE TABLE timeline_events (
    id          uuid PRIMARY KEY,
    issue_id    uuid NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    event_type  text NOT NULL,
    description text NOT NULL DEFAULT '',
    metadata    jsonb NOT NULL DEFAULT '{}',
    actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    seq         bigserial NOT NULL
);
CREATE INDEX timeline_events_issue_idx ON timeline_events (issue_id, created_at, seq);
CREATE INDEX timeline_events_time_idx ON timeline_events (created_at DESC);

-- The audit log is a hash chain. Details are kept as json (not jsonb) so that the exact text
-- that was hashed is the text that is read back.
CREATE TABLE audit_log (
    seq         bigserial PRIMARY KEY,
    id          uuid NOT NULL UNIQUE,
    at          timestamptz NOT NULL,
    actor_id    uuid REFERENCES users (id),
    action      text NOT NULL,
    entity_type text NOT NULL,
    entity_id   text NOT NULL,
    details     json NOT NULL,
    prev_hash   text NOT NULL,
    entry_hash  text NOT NULL
);
CREATE INDEX audit_log_action_idx ON audit_log (action);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE settings (
    key        text PRIMARY KEY,
    value      jsonb NOT NULL,
    updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE timeline_events;
DROP TABLE five_whys;
DROP TABLE issues;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE users;
