package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"tftsr/db"
	"tftsr/db/dbtest"
	"tftsr/domain"
)

// roleDB is a database of the test server with the portal's roles made by scripts/roles.sql.
type roleDB struct {
	admin      string // the superuser's URL of the database
	owner, app string // the roles' URLs
	ownerRole  string
	appRole    string
}

// newRoleCluster makes a pair of roles with names of their own (roles are cluster-wide) and
// returns a function that makes a database and runs scripts/roles.sql on it; legacy first
// migrates it as the superuser, as installs before the roles did. Databases and roles are
// dropped when the test ends.
func newRoleCluster(t *testing.T) func(legacy bool) *roleDB {
	t.Helper()
	base := requireEnv(t, "TEST_DATABASE_URL")
	ctx := context.Background()
	suffix := strings.ToLower(rand.Text()[:10])
	ownerRole, appRole := "tftsr_owner_"+suffix, "tftsr_app_"+suffix
	script, err := os.ReadFile("../../scripts/roles.sql")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	var dbs []string
	t.Cleanup(func() {
		ctx := context.Background()
		for _, name := range dbs {
			if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
				t.Error(err)
			}
		}
		for _, r := range []string{appRole, ownerRole} {
			if _, err := admin.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{r}.Sanitize()); err != nil {
				t.Error(err)
			}
		}
		admin.Close(ctx)
	})
	withUser := func(dsn, user string) string {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.User(user)
		return u.String()
	}
	return func(legacy bool) *roleDB {
		t.Helper()
		name := fmt.Sprintf("tftsr_roles_%s_%d", suffix, len(dbs))
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, name)
		dsn, err := dbtest.WithDatabase(base, name)
		if err != nil {
			t.Fatal(err)
		}
		if legacy {
			d, err := db.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.Migrate(ctx, "up")
			d.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		r := &roleDB{admin: dsn, owner: withUser(dsn, ownerRole), app: withUser(dsn, appRole), ownerRole: ownerRole, appRole: appRole}
		r.runScript(t, script)
		return r
	}
}

// runScript runs scripts/roles.sql on the database as the superuser, as scripts/services.sh does.
func (r *roleDB) runScript(t *testing.T, script []byte) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, r.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT set_config('tftsr.owner', $1, false), set_config('tftsr.app', $2, false)`,
		r.ownerRole, r.appRole); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, string(script)); err != nil {
		t.Fatalf("scripts/roles.sql: %v", err)
	}
}

// checkAppRole checks what the portal's role may and may not do in the migrated database.
func (r *roleDB) checkAppRole(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, r.app)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var super, createDB, createRole bool
	if err := pool.QueryRow(ctx, `SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user`).
		Scan(&super, &createDB, &createRole); err != nil || super || createDB || createRole {
		t.Fatalf("app role: superuser %v, createdb %v, createrole %v (%v)", super, createDB, createRole, err)
	}
	var owned int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole`).Scan(&owned); err != nil || owned != 0 {
		t.Fatalf("app role owns %d relations (%v), want none", owned, err)
	}

	// What the portal does: audit entries, checkpoints, users, sessions.
	d := &db.DB{Pool: pool, Now: time.Now, AuditKeys: dbtest.AuditKeys()}
	users := db.NewUserService(d)
	users.PasswordParams = db.TestPasswordParams
	sys := domain.NewSystemContext(ctx, "test")
	if _, err := users.CreateUser(sys, domain.NewUser{Username: "role.check." + strings.ToLower(rand.Text()[:6]), Role: domain.RoleViewer, Password: "a long enough password"}); err != nil {
		t.Fatalf("create a user as the app role: %v", err)
	}
	audit := db.NewAuditService(d)
	if _, err := audit.WriteAuditCheckpoint(sys); err != nil {
		t.Fatalf("write a checkpoint as the app role: %v", err)
	}
	if v, err := audit.VerifyAuditChain(sys); err != nil || !v.OK || v.Entries == 0 {
		t.Fatalf("verify as the app role: %+v %v", v, err)
	}
	store := pgxstore.NewWithCleanupInterval(pool, 0)
	if err := store.Commit("role-check", []byte("x"), time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("store a session as the app role: %v", err)
	}
	if b, found, err := store.Find("role-check"); err != nil || !found || string(b) != "x" {
		t.Fatalf("find the session: %q %v %v", b, found, err)
	}
	if err := store.Delete("role-check"); err != nil {
		t.Fatalf("delete the session: %v", err)
	}
	if err := d.Ready(ctx); err != nil {
		t.Fatalf("readiness as the app role: %v", err)
	}

	// What it must not: change the audit log or checkpoints, get round the trigger, change the
	// schema or the migration versions.
	for _, q := range []string{
		`UPDATE audit_log SET action = 'x'`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
		`ALTER TABLE audit_log DISABLE TRIGGER USER`,
		`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`,
		`DROP TRIGGER audit_log_no_update ON audit_log`,
		`UPDATE audit_checkpoints SET entries = 1`,
		`DELETE FROM audit_checkpoints`,
		`DROP TABLE audit_log`,
		`DROP TABLE issues`,
		`ALTER TABLE users ADD COLUMN x int`,
		`CREATE TABLE mine (x int)`,
		`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`,
		`DELETE FROM goose_db_version`,
		`SET session_replication_role = replica`,
	} {
		if _, err := pool.Exec(ctx, q); err == nil {
			t.Errorf("the app role may %s", q)
		} else if !strings.Contains(err.Error(), "permission denied") && !strings.Contains(err.Error(), "must be owner") {
			t.Errorf("%s: %v, want permission denied", q, err)
		}
	}
}

func TestRoleSetup(t *testing.T) {
	newDB := newRoleCluster(t)
	ctx := context.Background()

	t.Run("Fresh", func(t *testing.T) {
		// As `make run` on a new machine: the roles first, then the owner migrates.
		r := newDB(false)
		env := map[string]string{"DATABASE_URL": r.app, "TFTSR_MIGRATE_DATABASE_URL": r.owner, "TFTSR_DB_KEY": dbtest.MasterKeyBase64()}
		if out, err := runCLI(t, env, "", "migrate", "up"); err != nil {
			t.Fatalf("migrate up as the owner: %v\n%s", err, out)
		}
		conn, err := pgx.Connect(ctx, r.admin)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var notOwned int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace
			AND relkind IN ('r', 'S') AND relowner <> $1::regrole`, r.ownerRole).Scan(&notOwned); err != nil || notOwned != 0 {
			t.Fatalf("%d tables or sequences not owned by the owner role (%v)", notOwned, err)
		}
		r.checkAppRole(t)
		// The script runs at every start of the services: running it again changes nothing.
		script, _ := os.ReadFile("../../scripts/roles.sql")
		r.runScript(t, script)
		r.checkAppRole(t)
	})
	t.Run("Legacy", func(t *testing.T) {
		// An install whose tables the superuser made: the script hands them to the owner.
		r := newDB(true)
		env := map[string]string{"DATABASE_URL": r.app, "TFTSR_MIGRATE_DATABASE_URL": r.owner}
		if out, err := runCLI(t, env, "", "migrate", "up"); err != nil || !strings.Contains(out, "no pending migrations") {
			t.Fatalf("migrate up as the owner: %v\n%s", err, out)
		}
		r.checkAppRole(t)
	})
	t.Run("Serve", func(t *testing.T) {
		// The real portal migrating as the owner and serving as the app role: it starts, is
		// ready, signs a user in (a session row) and writes checkpoints.
		r := newDB(false)
		p := startPortal(t, map[string]string{"DATABASE_URL": r.app, "TFTSR_MIGRATE_DATABASE_URL": r.owner})
		resp, err := http.Get(p.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/readyz: %d", resp.StatusCode)
		}
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err = client.Get(p.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// The sign-in form carries the session's CSRF token, as a browser sees it.
		m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(page)
		if m == nil {
			t.Fatalf("no CSRF token on the sign-in page:\n%s", page)
		}
		csrf := string(m[1])
		resp, err = client.PostForm(p.URL+"/login", url.Values{"username": {"admin"}, "password": {p.AdminPassword}, "_csrf": {csrf}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in as the first admin: %d", resp.StatusCode)
		}
		conn, err := pgx.Connect(ctx, r.admin)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var sessions int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM sessions`).Scan(&sessions); err != nil || sessions == 0 {
			t.Fatalf("%d sessions (%v), want the sign-in's", sessions, err)
		}
		// The portal signs a checkpoint of the first admin's entry as it starts, on a goroutine
		// of its own: wait for it (the deadline is only a backstop).
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
			var n int
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM audit_checkpoints`).Scan(&n); err != nil {
				t.Fatal(err)
			} else if n > 0 {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("no checkpoint written by the portal; its log:\n%s", p.stderr)
			}
		}
		if out, err := runCLI(t, p.env, "", "audit", "checkpoint"); err != nil || !strings.HasPrefix(out, "tftsr-audit-checkpoint v1 ") {
			t.Fatalf("audit checkpoint as the app role: %v %q", err, out)
		}
		if out, err := runCLI(t, p.env, "", "audit", "verify"); err != nil || !strings.HasPrefix(out, "ok ") {
			t.Fatalf("audit verify as the app role: %v %q", err, out)
		}
	})
}
