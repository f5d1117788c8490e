-- +goose Up
-- Incidents get a number people say and type (INC-1234) beside their uuid, and the times of the
-- incident itself: when the impact started, when it was detected, mitigated and resolved. The
-- portal's own event times (created_at, the timeline's created_at) say when someone recorded
-- something; these say when it happened, and the documents' metrics come from them.
CREATE SEQUENCE issue_number_seq AS bigint;
ALTER TABLE issues ADD COLUMN number bigint;
UPDATE issues i SET number = n.rn
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS rn FROM issues) n
WHERE i.id = n.id;
SELECT setval('issue_number_seq', COALESCE((SELECT max(number) FROM issues), 0) + 1, false);
ALTER TABLE issues
    ALTER COLUMN number SET DEFAULT nextval('issue_number_seq'),
    ALTER COLUMN number SET NOT NULL,
    ADD CONSTRAINT issues_number_key UNIQUE (number);
ALTER SEQUENCE issue_number_seq OWNED BY issues.number;

ALTER TABLE issues
    ADD COLUMN started_at   timestamptz,
    ADD COLUMN detected_at  timestamptz,
    ADD COLUMN mitigated_at timestamptz;

-- A timeline entry a person records may say when it happened; the timeline is in that order.
ALTER TABLE timeline_events ADD COLUMN occurred_at timestamptz;
CREATE INDEX timeline_events_occurred_idx ON timeline_events (issue_id, (COALESCE(occurred_at, created_at)), seq);

-- +goose Down
DROP INDEX timeline_events_occurred_idx;
ALTER TABLE timeline_events DROP COLUMN occurred_at;
ALTER TABLE issues DROP COLUMN mitigated_at, DROP COLUMN detected_at, DROP COLUMN started_at;
ALTER TABLE issues DROP COLUMN number;
