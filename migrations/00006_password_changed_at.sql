-- +goose Up
-- Sessions signed in before a user's password last changed are ended.
ALTER TABLE users ADD COLUMN password_changed_at timestamptz NOT NULL DEFAULT now();
UPDATE users SET password_changed_at = created_at;

-- +goose Down
ALTER TABLE users DROP COLUMN password_changed_at;
