-- +goose Up
-- The dashboard's tiles count incidents by status and severity. Counting the issues table on
-- every view costs what the table holds (110 ms alone at 100k incidents); these counters are
-- kept by triggers in the same transaction as each change, so a view reads a dozen rows.
LOCK TABLE issues IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE issue_counts (
    status   text   NOT NULL,
    severity text   NOT NULL,
    n        bigint NOT NULL CHECK (n >= 0),
    PRIMARY KEY (status, severity)
);
INSERT INTO issue_counts (status, severity, n) SELECT status, severity, count(*) FROM issues GROUP BY status, severity;

-- +goose StatementBegin
CREATE FUNCTION issue_counts_bump(st text, sv text, delta int) RETURNS void LANGUAGE sql AS $$
    INSERT INTO issue_counts AS c (status, severity, n) VALUES (st, sv, greatest(delta, 0))
    ON CONFLICT (status, severity) DO UPDATE SET n = c.n + delta;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION issue_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM issue_counts_bump(NEW.status, NEW.severity, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM issue_counts_bump(OLD.status, OLD.severity, -1);
    ELSIF (OLD.status, OLD.severity) < (NEW.status, NEW.severity) THEN
        -- Two counter rows, always locked in the same order, so that two crossing changes
        -- cannot deadlock.
        PERFORM issue_counts_bump(OLD.status, OLD.severity, -1);
        PERFORM issue_counts_bump(NEW.status, NEW.severity, 1);
    ELSE
        PERFORM issue_counts_bump(NEW.status, NEW.severity, 1);
        PERFORM issue_counts_bump(OLD.status, OLD.severity, -1);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION issue_counts_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM issue_counts;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER issue_counts_insert_delete AFTER INSERT OR DELETE ON issues
    FOR EACH ROW EXECUTE FUNCTION issue_counts_track();
CREATE TRIGGER issue_counts_update AFTER UPDATE OF status, severity ON issues
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.severity IS DISTINCT FROM NEW.severity)
    EXECUTE FUNCTION issue_counts_track();
CREATE TRIGGER issue_counts_truncate AFTER TRUNCATE ON issues
    FOR EACH STATEMENT EXECUTE FUNCTION issue_counts_reset();

-- +goose Down
DROP TRIGGER issue_counts_truncate ON issues;
DROP TRIGGER issue_counts_update ON issues;
DROP TRIGGER issue_counts_insert_delete ON issues;
DROP FUNCTION issue_counts_reset();
DROP FUNCTION issue_counts_track();
DROP FUNCTION issue_counts_bump(text, text, int);
DROP TABLE issue_counts;
