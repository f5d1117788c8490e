package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"tftsr/db"
	"tftsr/db/dbtest"
)

// TestMain drops the template database of the Postgres-backed tests when they end.
func TestMain(m *testing.M) { dbtest.Main(m) }

// runCLI runs the program in-process with the given environment and standard input.
func runCLI(t testing.TB, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestCLI(t *testing.T) {
	dsn := dbtest.DSN(t)
	env := map[string]string{"DATABASE_URL": dsn, "TFTSR_DB_KEY": dbtest.MasterKeyBase64()}

	out, err := runCLI(t, env, "", "migrate", "status")
	if err != nil || !strings.Contains(out, "00001_foundation") {
		t.Errorf("migrate status: %v\n%s", err, out)
	}

	out, err = runCLI(t, env, "a long enough password\n", "user", "create", "--username", "Oncall.Bot", "--role", "responder", "--password-stdin")
	if err != nil || !strings.Contains(out, "created user Oncall.Bot (responder)") {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	if _, err := runCLI(t, env, "a long enough password\n", "user", "create", "--username", "oncall.bot", "--role", "viewer", "--password-stdin"); err == nil {
		t.Error("a second user with the same name (other case) was created")
	}
	if _, err := runCLI(t, env, "short\n", "user", "create", "--username", "x", "--role", "viewer", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "at least 12 characters") {
		t.Errorf("short password: %v", err)
	}
	if _, err := runCLI(t, env, "a long enough password\n", "user", "create", "--username", "y", "--role", "superuser", "--password-stdin"); err == nil {
		t.Error("unknown role accepted")
	}

	out, err = runCLI(t, env, "", "token", "create", "--username", "oncall.bot", "--name", "ci")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`^tftsr_[A-Za-z0-9_-]{20,}\n$`).MatchString(out) {
		t.Errorf("token create printed %q, want only the token", out)
	}
	database, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close()
	u, _, err := db.NewUserService(database).AuthenticateToken(context.Background(), strings.TrimSpace(out))
	if err != nil || u.Username != "Oncall.Bot" {
		t.Errorf("the printed token does not sign in: %v", err)
	}

	out, err = runCLI(t, env, "", "audit", "verify")
	if err != nil || !regexp.MustCompile(`^ok [1-9]\d* entries, 0 checkpoints\n$`).MatchString(out) {
		t.Errorf("audit verify: %v %q", err, out)
	}
	// Rewrite one entry behind the portal's back, as someone with database access might.
	if _, err := database.Pool.Exec(context.Background(), `ALTER TABLE audit_log DISABLE TRIGGER USER;
		UPDATE audit_log SET details = '{"username":"mallory"}' WHERE seq = (SELECT min(seq) FROM audit_log);
		ALTER TABLE audit_log ENABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, env, "", "audit", "verify")
	if code, ok := err.(exitCode); !ok || code != 1 || !strings.HasPrefix(out, "broken at entry ") {
		t.Errorf("audit verify after tampering: %v %q, want exit 1 naming the entry", err, out)
	}

	for _, args := range [][]string{{}, {"bogus"}, {"migrate", "sideways"}, {"user", "delete"}, {"token", "create"}} {
		if _, err := runCLI(t, env, "", args...); err == nil {
			t.Errorf("tftsr %v succeeded, want a usage error", args)
		}
	}
}

func TestCLIAuditCheckpoint(t *testing.T) {
	dsn := dbtest.DSN(t)
	env := map[string]string{"DATABASE_URL": dsn, "TFTSR_DB_KEY": dbtest.MasterKeyBase64()}
	bg := context.Background()

	if out, err := runCLI(t, env, "", "audit", "checkpoint"); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("checkpoint of an empty log: %v %q", err, out)
	}
	for _, name := range []string{"first.user", "second.user", "third.user"} {
		if out, err := runCLI(t, env, "a long enough password\n", "user", "create", "--username", name, "--role", "viewer", "--password-stdin"); err != nil {
			t.Fatalf("user create: %v\n%s", err, out)
		}
	}
	out, err := runCLI(t, env, "", "audit", "checkpoint")
	if err != nil || !regexp.MustCompile(`^tftsr-audit-checkpoint v1 seq=\d+ entries=3 head=[0-9a-f]{64} at=\S+Z sig=[0-9a-f]{64}\n$`).MatchString(out) {
		t.Fatalf("audit checkpoint: %v %q, want one line", err, out)
	}
	line := strings.TrimSpace(out)
	file := filepath.Join(t.TempDir(), "checkpoints")
	if err := os.WriteFile(file, []byte("# kept off the database host\n\n"+line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(t, env, "a long enough password\n", "user", "create", "--username", "fourth.user", "--role", "viewer", "--password-stdin"); err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	for _, args := range [][]string{
		{"audit", "verify"},
		{"audit", "verify", "--checkpoint", line},
		{"audit", "verify", "--checkpoint", file},
		{"audit", "verify", "--checkpoint", "-"},
	} {
		out, err := runCLI(t, env, line+"\n", args...)
		want := "ok 4 entries, 1 checkpoints\n"
		if len(args) > 2 {
			want = "ok 4 entries, 2 checkpoints\n"
		}
		if err != nil || out != want {
			t.Errorf("%v: %v %q, want %q", args, err, out, want)
		}
	}

	// Without the key nothing can be checked, and a bad line is refused before any is.
	if _, err := runCLI(t, map[string]string{"DATABASE_URL": dsn, "TFTSR_DATA_DIR": t.TempDir()}, "", "audit", "verify"); err == nil || !strings.Contains(err.Error(), "no master key") {
		t.Errorf("verify without the key: %v", err)
	}
	if _, err := runCLI(t, env, "", "audit", "verify", "--checkpoint", "tftsr-audit-checkpoint v1 seq=1"); err == nil || !strings.Contains(err.Error(), "Not an audit checkpoint line") {
		t.Errorf("verify with a bad line: %v", err)
	}
	for _, args := range [][]string{{"audit"}, {"audit", "sideways"}, {"audit", "checkpoint", "now"}, {"audit", "verify", "extra"}} {
		if _, err := runCLI(t, env, "", args...); err == nil || !strings.Contains(err.Error(), "usage: tftsr audit") {
			t.Errorf("tftsr %v: %v, want the usage", args, err)
		}
	}

	// Cut the log back to two entries and remove every stored checkpoint, as the database's
	// superuser can: the database alone no longer tells, the exported line does.
	database, err := db.Open(bg, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close()
	if _, err := database.Pool.Exec(bg, `ALTER TABLE audit_log DISABLE TRIGGER USER;
		ALTER TABLE audit_checkpoints DISABLE TRIGGER USER;
		DELETE FROM audit_log WHERE seq > (SELECT min(seq) + 1 FROM audit_log);
		DELETE FROM audit_checkpoints;
		ALTER TABLE audit_log ENABLE TRIGGER USER;
		ALTER TABLE audit_checkpoints ENABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(t, env, "", "audit", "verify"); err != nil || out != "ok 2 entries, 0 checkpoints\n" {
		t.Errorf("verify of the cut log alone: %v %q", err, out)
	}
	out, err = runCLI(t, env, "", "audit", "verify", "--checkpoint", file)
	if code, ok := err.(exitCode); !ok || code != 1 || !strings.HasPrefix(out, "broken at entry ") || !strings.Contains(out, "beyond the log's last entry") {
		t.Errorf("verify of the cut log against the exported line: %v %q, want exit 1", err, out)
	}
}
