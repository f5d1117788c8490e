-- +goose Up
-- A reviewed log says how its review ended: how many values were redacted and how many the
-- reviewer kept as not sensitive. Both are NULL until the review is applied, and are set once,
-- with the redacted copy, so lists show them without counting spans.
ALTER TABLE log_files
    ADD COLUMN redacted_count integer CHECK (redacted_count >= 0),
    ADD COLUMN kept_count     integer CHECK (kept_count >= 0),
    ADD CONSTRAINT log_files_review_counts_check
        CHECK (redacted = (redacted_count IS NOT NULL) AND redacted = (kept_count IS NOT NULL)) NOT VALID;

-- Logs reviewed before this migration: the kept values are the spans not approved; the
-- redacted ones every other value found (the spans approved, and for a log with more values
-- than were listed for review, every value past them).
UPDATE log_files l SET
    kept_count = s.kept,
    redacted_count = GREATEST(s.approved,
        (SELECT COALESCE(sum(value::integer), 0) FROM jsonb_each_text(l.pii_summary)) - s.kept)
FROM (
    SELECT f.id,
           count(p.id) FILTER (WHERE NOT p.approved) AS kept,
           count(p.id) FILTER (WHERE p.approved) AS approved
    FROM log_files f LEFT JOIN pii_spans p ON p.log_file_id = f.id
    WHERE f.redacted
    GROUP BY f.id
) s
WHERE l.id = s.id;

ALTER TABLE log_files VALIDATE CONSTRAINT log_files_review_counts_check;

-- +goose Down
ALTER TABLE log_files DROP CONSTRAINT log_files_review_counts_check,
    DROP COLUMN kept_count, DROP COLUMN redacted_count;
