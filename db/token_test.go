package db_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

	token, rec, err := s.Users.CreateToken(uctx, u.ID, "  ci  ")
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
		got, err := s.Users.AuthenticateToken(ctx, token)
		if err != nil || got.ID != u.ID {
			t.Fatalf("AuthenticateToken = %+v, %v", got, err)
		}
		tokens, err := s.Users.FindTokens(uctx, u.ID)
		if err != nil || len(tokens) != 1 || tokens[0].LastUsedAt == nil || !tokens[0].LastUsedAt.Equal(s.Clock.Now()) {
			t.Fatalf("FindTokens = %+v, %v", tokens, err)
		}
		// A use within a minute does not write; one later does.
		first := *tokens[0].LastUsedAt
		s.Clock.Add(30 * time.Second)
		if _, err := s.Users.AuthenticateToken(ctx, token); err != nil {
			t.Fatal(err)
		}
		tokens, _ = s.Users.FindTokens(uctx, u.ID)
		if !tokens[0].LastUsedAt.Equal(first) {
			t.Fatalf("last_used_at moved within a minute: %v", tokens[0].LastUsedAt)
		}
		s.Clock.Add(time.Minute)
		if _, err := s.Users.AuthenticateToken(ctx, token); err != nil {
			t.Fatal(err)
		}
		tokens, _ = s.Users.FindTokens(uctx, u.ID)
		if !tokens[0].LastUsedAt.Equal(s.Clock.Now()) {
			t.Fatalf("last_used_at = %v, want %v", tokens[0].LastUsedAt, s.Clock.Now())
		}
	})
	t.Run("ErrAuthenticate", func(t *testing.T) {
		for _, bad := range []string{"", "tftsr_", token + "x", strings.ToUpper(token), "Bearer " + token, "tftsr_\x00\xff"} {
			_, err := s.Users.AuthenticateToken(ctx, bad)
			wantCode(t, err, domain.EUNAUTHORIZED)
		}
	})
	t.Run("Ownership", func(t *testing.T) {
		_, _, err := s.Users.CreateToken(otherCtx, u.ID, "steal")
		wantCode(t, err, domain.EFORBIDDEN)
		_, err = s.Users.FindTokens(otherCtx, u.ID)
		wantCode(t, err, domain.EFORBIDDEN)
		err = s.Users.RevokeToken(otherCtx, rec.ID)
		wantCode(t, err, domain.ENOTFOUND)
		if _, _, err := s.Users.CreateToken(adminCtx, other.ID, "for other"); err != nil {
			t.Fatalf("admin creating a token for another user: %v", err)
		}
		_, _, err = s.Users.CreateToken(uctx, u.ID, strings.Repeat("n", 101))
		wantCode(t, err, domain.EINVALID)
	})
	t.Run("Revoke", func(t *testing.T) {
		if err := s.Users.RevokeToken(uctx, rec.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.Users.AuthenticateToken(ctx, token)
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
		tok, _, err := s.Users.CreateToken(otherCtx, other.ID, "mine")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Users.UpdateUser(adminCtx, other.ID, domain.UserUpdate{Disabled: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		_, err = s.Users.AuthenticateToken(ctx, tok)
		wantCode(t, err, domain.EUNAUTHORIZED)
	})
}
