-- +goose Up
-- When each user last signed in with their password. API token use is recorded on the token
-- (api_tokens.last_used_at), not here: a script using a token is not the person signing in.
ALTER TABLE users ADD COLUMN last_login_at timestamptz;

-- +goose Down
ALTER TABLE users DROP COLUMN last_login_at;
