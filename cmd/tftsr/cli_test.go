package main

import (
	"bytes"
	"context"
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
	env := map[string]string{"DATABASE_URL": dsn}

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
	if err != nil || !regexp.MustCompile(`^ok [1-9]\d* entries\n$`).MatchString(out) {
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
