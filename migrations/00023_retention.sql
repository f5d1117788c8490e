-- +goose Up
-- Retention. An incident records when it was closed (set when its status becomes closed,
-- cleared when it is reopened), so that incidents closed long ago can be deleted; incidents
-- closed before this migration count as closed at their last update. A reviewed log records
-- when retention deleted its original text, leaving the redacted copy.
ALTER TABLE issues ADD COLUMN closed_at timestamptz;
UPDATE issues SET closed_at = updated_at WHERE status = 'closed';
CREATE INDEX issues_closed_idx ON issues (closed_at) WHERE closed_at IS NOT NULL;

ALTER TABLE log_files ADD COLUMN original_deleted_at timestamptz,
    ADD CONSTRAINT log_files_original_deleted_check CHECK (original_deleted_at IS NULL OR redacted);
CREATE INDEX log_files_original_retention_idx ON log_files (uploaded_at)
    WHERE redacted AND original_deleted_at IS NULL;

-- +goose Down
DROP INDEX log_files_original_retention_idx;
ALTER TABLE log_files DROP CONSTRAINT log_files_original_deleted_check, DROP COLUMN original_deleted_at;
DROP INDEX issues_closed_idx;
ALTER TABLE issues DROP COLUMN closed_at;
