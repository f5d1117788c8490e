-- +goose Up
-- The outcome of each provider's last connection test, shown beside it in the settings and in
-- the chat's provider choice; and each user's last chosen provider, pre-selected next time. The
-- team's default provider is a row of settings (key default_provider).
ALTER TABLE provider_configs
    ADD COLUMN last_test_ok      boolean,
    ADD COLUMN last_test_message text CHECK (length(last_test_message) <= 2000),
    ADD COLUMN last_tested_at    timestamptz;

CREATE TABLE user_provider_prefs (
    user_id       uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    provider_name text NOT NULL CHECK (provider_name ~ '^[A-Za-z0-9._-]{1,64}$'),
    updated_at    timestamptz NOT NULL
);

-- +goose Down
DROP TABLE user_provider_prefs;
ALTER TABLE provider_configs
    DROP COLUMN last_test_ok,
    DROP COLUMN last_test_message,
    DROP COLUMN last_tested_at;
