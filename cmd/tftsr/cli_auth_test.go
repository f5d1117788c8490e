package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"tftsr/db"
	"tftsr/db/dbtest"
	"tftsr/domain"
)

// TestCLIPasswordsAndTokens: `user create` refuses weak passwords with the reason, and `token
// create` makes read-write tokens that expire in 90 days unless --scope and --expires-days say
// otherwise.
func TestCLIPasswordsAndTokens(t *testing.T) {
	dsn := dbtest.DSN(t)
	env := map[string]string{"DATABASE_URL": dsn, "TFTSR_DB_KEY": dbtest.MasterKeyBase64()}
	if _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	for _, weak := range []struct{ password, why string }{
		{"password1234", "most common"},
		{"aaaaaaaaaaaa", "too easy to guess"},
		{"Oncall.Bot2024!", "user name"},
	} {
		_, err := runCLI(t, env, weak.password+"\n", "user", "create", "--username", "oncall.bot", "--role", "viewer", "--password-stdin")
		if err == nil || !strings.Contains(err.Error(), weak.why) {
			t.Errorf("user create with %q: %v, want a refusal saying %q", weak.password, err, weak.why)
		}
	}
	if out, err := runCLI(t, env, "a long enough password\n", "user", "create", "--username", "oncall.bot", "--role", "viewer", "--password-stdin"); err != nil {
		t.Fatalf("user create: %v %s", err, out)
	}

	database, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close()
	users := db.NewUserService(database)
	check := func(args []string, scope domain.TokenScope, lifetime time.Duration) {
		t.Helper()
		start := time.Now()
		out, err := runCLI(t, env, "", append([]string{"token", "create", "--username", "oncall.bot"}, args...)...)
		if err != nil {
			t.Fatalf("token create %v: %v %s", args, err, out)
		}
		_, tok, err := users.AuthenticateToken(context.Background(), strings.TrimSpace(out))
		if err != nil {
			t.Fatalf("token create %v: the token does not sign in: %v", args, err)
		}
		if tok.Scope != scope {
			t.Errorf("token create %v: scope %q, want %q", args, tok.Scope, scope)
		}
		switch {
		case lifetime == 0 && tok.ExpiresAt != nil:
			t.Errorf("token create %v: expires %v, want never", args, tok.ExpiresAt)
		case lifetime != 0 && (tok.ExpiresAt == nil || tok.ExpiresAt.Before(start.Add(lifetime-time.Second)) || tok.ExpiresAt.After(time.Now().Add(lifetime))):
			t.Errorf("token create %v: expires %v, want %v from now", args, tok.ExpiresAt, lifetime)
		}
	}
	check(nil, domain.TokenWrite, 90*24*time.Hour)
	check([]string{"--scope", "read", "--expires-days", "30"}, domain.TokenRead, 30*24*time.Hour)
	check([]string{"--expires-days", "never"}, domain.TokenWrite, 0)
	for _, bad := range [][]string{{"--scope", "admin"}, {"--expires-days", "0"}, {"--expires-days", "soon"}, {"--expires-days", "4000"}} {
		if _, err := runCLI(t, env, "", append([]string{"token", "create", "--username", "oncall.bot"}, bad...)...); err == nil {
			t.Errorf("token create %v succeeded, want a refusal", bad)
		}
	}
}

// TestCLILinkSSO: `user link-sso` links an identity to an account and refuses a second link of
// the same identity and an unknown account.
func TestCLILinkSSO(t *testing.T) {
	dsn := dbtest.DSN(t)
	env := map[string]string{"DATABASE_URL": dsn, "TFTSR_DB_KEY": dbtest.MasterKeyBase64()}
	if _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(t, env, "a long enough password\n", "user", "create", "--username", "oncall.lead", "--role", "admin", "--password-stdin"); err != nil {
		t.Fatalf("user create: %v %s", err, out)
	}
	if _, err := runCLI(t, env, "", "user", "link-sso", "--username", "oncall.lead", "--subject", "s-1"); err == nil || !strings.Contains(err.Error(), "TFTSR_OIDC_ISSUER") {
		t.Errorf("without an issuer: %v", err)
	}
	out, err := runCLI(t, env, "", "user", "link-sso", "--username", "oncall.lead", "--subject", "s-1", "--issuer", "https://idp.example.com/")
	if err != nil || !strings.Contains(out, "linked oncall.lead") {
		t.Fatalf("link-sso: %v %s", err, out)
	}
	if _, err := runCLI(t, env, "", "user", "link-sso", "--username", "oncall.lead", "--subject", "s-1", "--issuer", "https://idp.example.com/"); err == nil || !strings.Contains(err.Error(), "already linked") {
		t.Errorf("second link: %v", err)
	}
	if _, err := runCLI(t, env, "", "user", "link-sso", "--username", "nobody", "--subject", "s-2", "--issuer", "https://idp.example.com"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown user: %v", err)
	}
}
