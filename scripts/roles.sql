-- The portal's database roles. Run it as a superuser, connected to the portal's database, after
-- setting the two role names for the session, for example:
--
--   psql -d tftsr -c "SELECT set_config('tftsr.owner', 'tftsr_owner', false), set_config('tftsr.app', 'tftsr_app', false)" -f scripts/roles.sql
--
-- It is idempotent: scripts/services.sh runs it at every start of the `run` services.
--
--   owner  owns the database, its schema objects and the migrations: `tftsr migrate up` and
--          TFTSR_MIGRATE_DATABASE_URL connect as it. Not a superuser.
--   app    what the portal serves as (DATABASE_URL): LOGIN, NOSUPERUSER, NOCREATEDB,
--          NOCREATEROLE, owner of nothing. It reads and writes the portal's tables, may only
--          read and append to audit_log and audit_checkpoints, and only read goose_db_version.
--          Owning nothing, it cannot drop a table, disable the audit log's append-only trigger
--          or change a grant.
--
-- Passwords are not set here; give each role one (ALTER ROLE … PASSWORD) where the server does
-- not trust local connections.
DO $roles$
DECLARE
    owner text := current_setting('tftsr.owner');
    app   text := current_setting('tftsr.app');
    r     record;
BEGIN
    IF owner = '' OR app = '' OR owner = app THEN
        RAISE EXCEPTION 'set tftsr.owner and tftsr.app to two different role names';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = owner) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', owner);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', app);
    END IF;
    -- Also when the roles were there already: neither may be more than this.
    EXECUTE format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', owner);
    EXECUTE format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', app);
    IF pg_has_role(app, owner, 'USAGE') OR pg_has_role(owner, app, 'USAGE') THEN
        RAISE EXCEPTION 'roles % and % must not be members of each other', owner, app;
    END IF;

    -- The owner owns the database (so it may create trusted extensions such as pg_trgm) and
    -- everything in the schema that an earlier superuser-run install made; extension members
    -- stay with the extension.
    EXECUTE format('ALTER DATABASE %I OWNER TO %I', current_database(), owner);
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', current_schema(), owner);
    FOR r IN
        SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND c.relowner <> owner::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I',
            CASE WHEN r.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, r.name, owner);
    END LOOP;
    FOR r IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        WHERE p.pronamespace = current_schema()::regnamespace
          AND p.proowner <> owner::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.name, owner);
    END LOOP;

    -- The app: connect, use the schema, read and write the tables, draw from the sequences.
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', current_schema());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), app);
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), app);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app);
    -- Tables the owner makes later (the next migrations) get the same; migration 00013 takes
    -- back what the audit tables must not give.
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
        owner, current_schema(), app);
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I',
        owner, current_schema(), app);

    -- Append-only and read-only tables, whenever they exist.
    FOR r IN
        SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
          AND c.relname IN ('audit_log', 'audit_checkpoints')
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM %I', r.relname, app);
    END LOOP;
    IF to_regclass('goose_db_version') IS NOT NULL THEN
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON goose_db_version FROM %I', app);
    END IF;
END;
$roles$;
