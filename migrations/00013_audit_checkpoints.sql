-- +goose Up
-- Each audit entry says how its hash was made: 1, the original unkeyed SHA-256 chain (every
-- entry written before this migration), or 2, HMAC-SHA256 with a key derived from the master
-- key. No default: the portal names the version of every entry it writes.
ALTER TABLE audit_log ADD COLUMN chain smallint NOT NULL DEFAULT 1 CHECK (chain IN (1, 2));
ALTER TABLE audit_log ALTER COLUMN chain DROP DEFAULT;

-- Signed statements of the chain's state: entries rows up to and including entry seq, whose
-- hash is head_hash. A chain cut short no longer reaches its checkpoints; the same line kept
-- off the database's host (`tftsr audit checkpoint`) catches a cut that also removed these.
CREATE TABLE audit_checkpoints (
    seq       bigint PRIMARY KEY,
    entries   bigint NOT NULL CHECK (entries > 0),
    head_hash text NOT NULL,
    at        timestamptz NOT NULL,
    signature text NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoints is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();

-- The portal's own role (scripts/roles.sql) may read and append to the audit tables and read
-- the migration versions, never change or remove them: whatever default privileges gave any
-- role but the tables' owner is taken back. roles.sql does the same at every start.
-- +goose StatementBegin
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT DISTINCT c.relname, pg_get_userbyid(a.grantee) AS grantee
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.relnamespace = current_schema()::regnamespace
          AND c.relname IN ('audit_log', 'audit_checkpoints', 'goose_db_version')
          AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
          AND a.grantee NOT IN (0, c.relowner)
    LOOP
        IF r.relname = 'goose_db_version' THEN
            EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %I FROM %I', r.relname, r.grantee);
        ELSE
            EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM %I', r.relname, r.grantee);
        END IF;
    END LOOP;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- Entries written keyed stay keyed: the code before this migration reads them as altered.
DROP TABLE audit_checkpoints;
DROP FUNCTION audit_checkpoints_append_only();
ALTER TABLE audit_log DROP COLUMN chain;
