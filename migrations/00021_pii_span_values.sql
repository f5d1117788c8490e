-- +goose Up
-- Review by value: value_key groups the spans of one log that hold the same value (a SHA-256 of
-- the log's id and the value, so that the value itself is still never stored, and the same value
-- in two logs has two keys). It is NULL until the portal first computes it from the text.
-- decided says a reviewer chose for the span (redact or keep); an undecided span is approved,
-- so it is redacted when the review is applied.
ALTER TABLE pii_spans
    ADD COLUMN value_key bytea,
    ADD COLUMN decided   boolean NOT NULL DEFAULT false;
-- A span kept before this migration was a reviewer's choice.
UPDATE pii_spans SET decided = true WHERE NOT approved;
ALTER TABLE pii_spans ADD CONSTRAINT pii_spans_undecided_approved_check CHECK (decided OR approved);
CREATE INDEX pii_spans_value_idx ON pii_spans (log_file_id, value_key);
-- A decision rewrites approved and decided of thousands of spans at once; room on each page lets
-- those updates stay on the page (HOT, no index entry rewritten, as neither column is indexed).
ALTER TABLE pii_spans SET (fillfactor = 70);

-- +goose Down
ALTER TABLE pii_spans RESET (fillfactor);
DROP INDEX pii_spans_value_idx;
ALTER TABLE pii_spans DROP CONSTRAINT pii_spans_undecided_approved_check,
    DROP COLUMN decided, DROP COLUMN value_key;
