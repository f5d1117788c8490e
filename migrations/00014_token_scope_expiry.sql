-- +goose Up
-- API tokens get a scope (read-only or read-write) and an expiry (NULL: never, which a user must
-- choose explicitly). Tokens made before could do everything their user can: they stay
-- read-write, so that no script using one breaks without warning. Nobody chose "never" for
-- them, so they expire like a new token does by default, 90 days from now, which the profile
-- shows.
ALTER TABLE api_tokens ADD COLUMN scope text NOT NULL DEFAULT 'write'
    CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read', 'write'));
ALTER TABLE api_tokens ALTER COLUMN scope DROP DEFAULT;
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
UPDATE api_tokens SET expires_at = now() + interval '90 days';

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE api_tokens DROP COLUMN scope;
