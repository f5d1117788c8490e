package db_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"tftsr/db"
	"tftsr/domain"
)

func TestUserService_Tokens(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	u, uctx := MustCreateUser(t, s, domain.RoleResponder)
	other, otherCtx := MustCreateUser(t, s, domain.RoleViewer)
	ctx := context.Background()

	token, rec, err := s.Users.CreateToken(uctx, u.ID, writeToken("  ci  "))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Create", func(t *testing.T) {
		if !strings.HasPrefix(token, db.TokenPrefix) || len(token) != len(db.TokenPrefix)+43 {
			t.Fatalf("token = %q", token)
		}
		if rec.UserID != u.ID || rec.Name != "ci" || rec.RevokedAt != nil {
			t.Fatalf("record = %+v", rec)
		}
		sum := sha256.Sum256([]byte(token))
		var stored string
		if err := s.DB.Pool.QueryRow(ctx, `SELECT token_hash FROM api_tokens WHERE id = $1`, rec.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != hex.EncodeToString(sum[:]) {
			t.Fatalf("stored %q, want the SHA-256 of the token", stored)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE details::text LIKE '%' || $1 || '%'`, token[6:20]); n != 0 {
			t.Fatal("the token appears in the audit log")
		}
	})
	t.Run("Authenticate", func(t *testing.T) {
		got, tok, err := s.Users.AuthenticateToken(ctx, token)
		if err != nil || got.ID != u.ID || tok.ID != rec.ID || tok.Scope != domain.TokenWrite {
			t.Fatalf("AuthenticateToken = %+v, %v", got, err)
		}
		tokens, err := s.Users.FindTokens(uctx, u.ID)
		if err != nil || len(tokens) != 1 || tokens[0].LastUsedAt == nil || !tokens[0].LastUsedAt.Equal(s.Clock.Now()) {
			t.Fatalf("FindTokens = %+v, %v", tokens, err)
		}
		// A use within a minute does not write; one later does.
		first := *tokens[0].LastUsedAt
		s.Clock.Add(30 * time.Second)
		if _, _, err := s.Users.AuthenticateToken(ctx, token); err != nil {
			t.Fatal(err)
		}
		tokens, _ = s.Users.FindTokens(uctx, u.ID)
		if !tokens[0].LastUsedAt.Equal(first) {
			t.Fatalf("last_used_at moved within a minute: %v", tokens[0].LastUsedAt)
		}
		s.Clock.Add(time.Minute)
		if _, _, err := s.Users.AuthenticateToken(ctx, token); err != nil {
			t.Fatal(err)
		}
		tokens, _ = s.Users.FindTokens(uctx, u.ID)
		if !tokens[0].LastUsedAt.Equal(s.Clock.Now()) {
			t.Fatalf("last_used_at = %v, want %v", tokens[0].LastUsedAt, s.Clock.Now())
		}
	})
	t.Run("ErrAuthenticate", func(t *testing.T) {
		for _, bad := range []string{"", "tftsr_", token + "x", strings.ToUpper(token), "Bearer " + token, "tftsr_\x00\xff"} {
			_, _, err := s.Users.AuthenticateToken(ctx, bad)
			wantCode(t, err, domain.EUNAUTHORIZED)
		}
	})
	t.Run("Ownership", func(t *testing.T) {
		_, _, err := s.Users.CreateToken(otherCtx, u.ID, writeToken("steal"))
		wantCode(t, err, domain.EFORBIDDEN)
		_, err = s.Users.FindTokens(otherCtx, u.ID)
		wantCode(t, err, domain.EFORBIDDEN)
		err = s.Users.RevokeToken(otherCtx, rec.ID)
		wantCode(t, err, domain.ENOTFOUND)
		if _, _, err := s.Users.CreateToken(adminCtx, other.ID, writeToken("for other")); err != nil {
			t.Fatalf("admin creating a token for another user: %v", err)
		}
		_, _, err = s.Users.CreateToken(uctx, u.ID, writeToken(strings.Repeat("n", 101)))
		wantCode(t, err, domain.EINVALID)
	})
	t.Run("Revoke", func(t *testing.T) {
		if err := s.Users.RevokeToken(uctx, rec.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err := s.Users.AuthenticateToken(ctx, token)
		wantCode(t, err, domain.EUNAUTHORIZED)
		if err := s.Users.RevokeToken(uctx, rec.ID); err != nil {
			t.Fatalf("revoking twice: %v", err)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE action = 'token.revoke'`); n != 1 {
			t.Fatalf("%d token.revoke entries, want 1", n)
		}
		err = s.Users.RevokeToken(uctx, "nope")
		wantCode(t, err, domain.ENOTFOUND)
	})
	t.Run("DisabledUser", func(t *testing.T) {
		tok, _, err := s.Users.CreateToken(otherCtx, other.ID, writeToken("mine"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Users.UpdateUser(adminCtx, other.ID, domain.UserUpdate{Disabled: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Users.AuthenticateToken(ctx, tok)
		wantCode(t, err, domain.EUNAUTHORIZED)
	})
}

// writeToken is the input for a read-write token called name with the default lifetime.
func writeToken(name string) domain.NewToken {
	return domain.NewToken{Name: name, Scope: domain.TokenWrite}
}

// TestUserService_TokenScopeAndExpiry: tokens carry their scope and expiry (90 days unless
// chosen otherwise, or never when chosen), stop working when they expire with a message that
// says so, and bad choices are refused by field.
func TestUserService_TokenScopeAndExpiry(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	u, uctx := MustCreateUser(t, s, domain.RoleResponder)
	ctx := context.Background()

	token, rec, err := s.Users.CreateToken(uctx, u.ID, domain.NewToken{Name: "reader", Scope: domain.TokenRead})
	if err != nil {
		t.Fatal(err)
	}
	if want := s.Clock.Now().Add(90 * 24 * time.Hour); rec.Scope != domain.TokenRead || rec.ExpiresAt == nil || !rec.ExpiresAt.Equal(want) {
		t.Fatalf("record = %+v, want read scope expiring at %v", rec, want)
	}
	_, never, err := s.Users.CreateToken(uctx, u.ID, domain.NewToken{Name: "forever", Scope: domain.TokenWrite, NeverExpires: true})
	if err != nil || never.ExpiresAt != nil {
		t.Fatalf("never-expiring token = %+v, %v", never, err)
	}
	short, shortRec, err := s.Users.CreateToken(uctx, u.ID, domain.NewToken{Name: "short", Scope: domain.TokenWrite, Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}

	tokens, err := s.Users.FindTokens(uctx, u.ID)
	if err != nil || len(tokens) != 3 {
		t.Fatalf("FindTokens = %v, %v", tokens, err)
	}
	for _, got := range tokens {
		if got.ID == rec.ID && (got.Scope != domain.TokenRead || !got.ExpiresAt.Equal(*rec.ExpiresAt)) ||
			got.ID == never.ID && (got.Scope != domain.TokenWrite || got.ExpiresAt != nil) {
			t.Errorf("stored token %+v differs from the one created", got)
		}
	}
	if _, tok, err := s.Users.AuthenticateToken(ctx, token); err != nil || tok.Scope != domain.TokenRead {
		t.Fatalf("AuthenticateToken(read token) = %+v, %v", tok, err)
	}

	if _, _, err := s.Users.AuthenticateToken(ctx, short); err != nil {
		t.Fatalf("the hour-long token before its hour: %v", err)
	}
	s.Clock.Add(time.Hour)
	_, _, err = s.Users.AuthenticateToken(ctx, short)
	wantCode(t, err, domain.EUNAUTHORIZED)
	if msg := domain.ErrorMessage(err); !strings.Contains(msg, "expired on") {
		t.Errorf("expired token's message %q does not say it expired", msg)
	}
	if tokens, _ := s.Users.FindTokens(uctx, u.ID); !slicesContainExpired(tokens, shortRec.ID, s.Clock.Now()) {
		t.Error("the hour-long token does not show as expired")
	}

	for _, bad := range []struct {
		nt    domain.NewToken
		field string
	}{
		{domain.NewToken{Name: "x"}, "scope"},
		{domain.NewToken{Name: "x", Scope: "admin"}, "scope"},
		{domain.NewToken{Name: "x", Scope: domain.TokenRead, Lifetime: 400 * 24 * time.Hour}, "expires"},
		{domain.NewToken{Name: "x", Scope: domain.TokenRead, Lifetime: -time.Hour}, "expires"},
		{domain.NewToken{Name: "x", Scope: domain.TokenRead, Lifetime: time.Hour, NeverExpires: true}, "expires"},
	} {
		_, _, err := s.Users.CreateToken(uctx, u.ID, bad.nt)
		wantCode(t, err, domain.EINVALID)
		if domain.ErrorFields(err)[bad.field] == "" {
			t.Errorf("CreateToken(%+v) = %v, want a message on %q", bad.nt, err, bad.field)
		}
	}
}

// slicesContainExpired reports whether tokens holds the token id, expired at now.
func slicesContainExpired(tokens []*domain.APIToken, id string, now time.Time) bool {
	for _, t := range tokens {
		if t.ID == id {
			return t.Expired(now)
		}
	}
	return false
}

// TestUserService_ResetAndDisableRevokeTokens: an admin's password reset and disabling a user
// revoke all the user's tokens, audited with how many; enabling the user again brings none back.
func TestUserService_ResetAndDisableRevokeTokens(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	ctx := context.Background()
	makeTokens := func(u *domain.User, uctx context.Context, n int) []string {
		var toks []string
		for i := range n {
			tok, _, err := s.Users.CreateToken(uctx, u.ID, writeToken(fmt.Sprintf("t%d", i)))
			if err != nil {
				t.Fatal(err)
			}
			toks = append(toks, tok)
		}
		return toks
	}
	wantRevoked := func(what string, toks []string) {
		t.Helper()
		for _, tok := range toks {
			if _, _, err := s.Users.AuthenticateToken(ctx, tok); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
				t.Errorf("%s: a token still works (%v)", what, err)
			}
		}
	}
	auditCount := func(userID, reason string) int64 {
		t.Helper()
		var count int64
		err := s.DB.Pool.QueryRow(ctx, `SELECT (details->>'count')::bigint FROM audit_log
			WHERE action = 'token.revoke_all' AND entity_id = $1 AND details->>'reason' = $2`, userID, reason).Scan(&count)
		if err != nil {
			t.Fatalf("audit of the revocation (%s): %v", reason, err)
		}
		return count
	}

	reset, resetCtx := MustCreateUser(t, s, domain.RoleResponder)
	toks := makeTokens(reset, resetCtx, 2)
	if err := s.Users.SetPassword(adminCtx, reset.ID, "a brand new password"); err != nil {
		t.Fatal(err)
	}
	wantRevoked("after a password reset", toks)
	if n := auditCount(reset.ID, "password_reset"); n != 2 {
		t.Errorf("audited %d tokens revoked by the reset, want 2", n)
	}
	tokens, _ := s.Users.FindTokens(adminCtx, reset.ID)
	for _, tk := range tokens {
		if tk.RevokedAt == nil || !tk.RevokedAt.Equal(s.Clock.Now()) {
			t.Errorf("token %s revoked_at = %v, want the reset's time", tk.Name, tk.RevokedAt)
		}
	}

	off, offCtx := MustCreateUser(t, s, domain.RoleViewer)
	toks = makeTokens(off, offCtx, 3)
	if _, err := s.Users.UpdateUser(adminCtx, off.ID, domain.UserUpdate{Disabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(off.ID, "disabled"); n != 3 {
		t.Errorf("audited %d tokens revoked by disabling, want 3", n)
	}
	if _, err := s.Users.UpdateUser(adminCtx, off.ID, domain.UserUpdate{Disabled: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	wantRevoked("after disabling and enabling again", toks)
}
