-- +goose Up
-- AI provider configs: named connections to a model, managed by admins. The API key is stored
-- only as ciphertext sealed by the portal's SecretBox (AES-256-GCM under a key derived from
-- TFTSR_DB_KEY or the data directory's secret.key); the plaintext never reaches the database.
CREATE TABLE provider_configs (
    id                uuid PRIMARY KEY,
    name              text NOT NULL CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
    kind              text NOT NULL CHECK (kind IN ('openai', 'anthropic', 'gemini', 'mistral', 'ollama')),
    base_url          text NOT NULL CHECK (length(base_url) BETWEEN 1 AND 2048),
    model             text NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
    temperature       double precision CHECK (temperature BETWEEN 0 AND 2),
    max_tokens        integer NOT NULL CHECK (max_tokens BETWEEN 1 AND 200000),
    timeout_seconds   integer NOT NULL CHECK (timeout_seconds BETWEEN 5 AND 600),
    supports_tools    boolean NOT NULL DEFAULT false,
    api_key_encrypted bytea,
    options           jsonb NOT NULL DEFAULT '{}',
    created_by        uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_by        uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CONSTRAINT provider_configs_name_key UNIQUE (name)
);

-- +goose Down
DROP TABLE provider_configs;
