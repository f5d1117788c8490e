-- +goose Up
-- Logs attached to incidents. The text lives in the object store, gzip-compressed; a row exists
-- only with its object (the object is written first, the row second, and a sweep removes objects
-- without a row).
CREATE TABLE log_files (
    id                  uuid PRIMARY KEY,
    issue_id            uuid NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    file_name           text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    size_bytes          bigint NOT NULL CHECK (size_bytes >= 0),
    mime_type           text NOT NULL,
    content_hash        text NOT NULL,
    object_key          text NOT NULL UNIQUE,
    invalid_utf8        boolean NOT NULL DEFAULT false,
    -- Counts of every detected value by type; pii_truncated says that more values were found
    -- than pii_spans keeps for review (those are redacted without review when applied).
    pii_summary         jsonb NOT NULL DEFAULT '{}',
    pii_truncated       boolean NOT NULL DEFAULT false,
    redacted            boolean NOT NULL DEFAULT false,
    redacted_object_key text UNIQUE,
    redacted_hash       text,
    redacted_size       bigint,
    redacted_at         timestamptz,
    redacted_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    uploaded_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    uploaded_at         timestamptz NOT NULL,
    -- A bounded prefix of the text with every detected value replaced by its token, for search.
    -- The raw text is never stored in the database.
    search_text         text NOT NULL DEFAULT '',
    search              tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', file_name), 'A') ||
        setweight(to_tsvector('simple', search_text), 'B')) STORED,
    CHECK (NOT redacted OR (redacted_object_key IS NOT NULL AND redacted_hash IS NOT NULL))
);
CREATE INDEX log_files_issue_idx ON log_files (issue_id, uploaded_at DESC, id);
CREATE INDEX log_files_uploaded_idx ON log_files (uploaded_at DESC, id);
CREATE INDEX log_files_search_idx ON log_files USING gin (search);

-- Values the detector found in a log, by byte offsets into the original text. The value itself
-- is never stored: reviewers see it read from the text. approved = true means "redact it"; a
-- reviewer rejects false positives by setting it to false.
CREATE TABLE pii_spans (
    id           uuid PRIMARY KEY,
    log_file_id  uuid NOT NULL REFERENCES log_files (id) ON DELETE CASCADE,
    pii_type     text NOT NULL,
    start_offset bigint NOT NULL CHECK (start_offset >= 0),
    end_offset   bigint NOT NULL,
    replacement  text NOT NULL,
    approved     boolean NOT NULL DEFAULT true,
    CHECK (end_offset > start_offset),
    CONSTRAINT pii_spans_log_start_key UNIQUE (log_file_id, start_offset)
);
CREATE INDEX pii_spans_type_idx ON pii_spans (log_file_id, pii_type);

-- +goose Down
DROP TABLE pii_spans;
DROP TABLE log_files;
