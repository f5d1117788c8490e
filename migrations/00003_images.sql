-- +goose Up
-- Images attached to incidents. The bytes and a JPEG thumbnail live in the object store; a row
-- exists only with its objects (the objects are written first, the row second, and a sweep
-- removes objects without a row).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE image_attachments (
    id                       uuid PRIMARY KEY,
    issue_id                 uuid NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    file_name                text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    mime_type                text NOT NULL CHECK (mime_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
    size_bytes               bigint NOT NULL CHECK (size_bytes > 0),
    width                    integer NOT NULL CHECK (width > 0),
    height                   integer NOT NULL CHECK (height > 0),
    upload_hash              text NOT NULL,
    object_key               text NOT NULL UNIQUE,
    thumbnail_key            text NOT NULL UNIQUE,
    is_paste                 boolean NOT NULL DEFAULT false,
    -- Images cannot be redacted automatically; nobody uploads one without saying they know.
    pii_warning_acknowledged boolean NOT NULL CHECK (pii_warning_acknowledged),
    uploaded_by              uuid REFERENCES users (id) ON DELETE SET NULL,
    uploaded_at              timestamptz NOT NULL
);
CREATE INDEX image_attachments_issue_idx ON image_attachments (issue_id, uploaded_at, id);
CREATE INDEX image_attachments_uploaded_idx ON image_attachments (uploaded_at DESC, id);
-- File-name search is a case-insensitive substring match (lower(file_name) LIKE '%…%').
CREATE INDEX image_attachments_name_idx ON image_attachments USING gin (lower(file_name) gin_trgm_ops);

-- +goose Down
DROP TABLE image_attachments;
