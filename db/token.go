package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// TokenPrefix starts every API token, so that a leaked token is easy to recognise.
const TokenPrefix = "tftsr_"

// tokenLastUsedEvery is how stale last_used_at may get before a use updates it, so that a busy
// token does not write on every request.
const tokenLastUsedEvery = time.Minute

// tokenHash returns the stored form of a token: its SHA-256 in hex.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// canManageTokens checks that the context's actor may manage the tokens of userID: their own,
// or anyone's for an admin.
func canManageTokens(ctx context.Context, userID string) error {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return err
	}
	if domain.UserIDFromContext(ctx) == userID {
		return nil
	}
	return domain.Require(ctx, domain.RoleAdmin)
}

// CreateToken creates an API token for a user and returns it with its record. The token is
// returned only here; the database keeps its hash. Users create their own tokens; admins anyone's.
func (s *UserService) CreateToken(ctx context.Context, userID string, nt domain.NewToken) (string, *domain.APIToken, error) {
	uid, ok := parseID(userID)
	if !ok {
		if err := domain.Require(ctx, domain.RoleViewer); err != nil {
			return "", nil, err
		}
		return "", nil, domain.Errorf(domain.ENOTFOUND, "User not found.")
	}
	if err := canManageTokens(ctx, uid); err != nil {
		return "", nil, err
	}
	if err := nt.Validate(); err != nil {
		return "", nil, err
	}

	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", nil, fmt.Errorf("token: %w", err)
	}
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(buf)

	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return "", nil, err
	}
	defer tx.Rollback(ctx)
	u, err := findUserByID(ctx, tx, uid, false)
	if err != nil {
		return "", nil, err
	}
	if u.Disabled {
		return "", nil, domain.Errorf(domain.EINVALID, "%s is disabled and cannot have new API tokens.", u.Name())
	}
	t := &domain.APIToken{ID: newID(), UserID: u.ID, Name: nt.Name, Scope: nt.Scope, CreatedAt: tx.now}
	if !nt.NeverExpires {
		expires := tx.now.Add(nt.Lifetime)
		t.ExpiresAt = &expires
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO api_tokens (id, user_id, name, token_hash, scope, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		t.ID, t.UserID, t.Name, tokenHash(token), t.Scope, t.ExpiresAt, tx.now); err != nil {
		return "", nil, fmt.Errorf("create token: %w", formatError(err))
	}
	if err := appendAudit(ctx, tx, "token.create", "token", t.ID, map[string]any{
		"user_id": u.ID, "username": u.Username, "name": t.Name, "scope": t.Scope, "expires_at": t.ExpiresAt,
	}); err != nil {
		return "", nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return "", nil, fmt.Errorf("create token: %w", err)
	}
	return token, t, nil
}

// FindTokens returns a user's tokens, revoked ones included, newest first.
func (s *UserService) FindTokens(ctx context.Context, userID string) ([]*domain.APIToken, error) {
	uid, ok := parseID(userID)
	if !ok {
		uid = userID
	}
	if err := canManageTokens(ctx, uid); err != nil {
		return nil, err
	}
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "User not found.")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	if _, err := findUserByID(ctx, tx, uid, false); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `
		SELECT `+tokenColumns+`
		FROM api_tokens t WHERE t.user_id = $1 ORDER BY created_at DESC, id DESC`, uid)
	if err != nil {
		return nil, fmt.Errorf("find tokens: %w", err)
	}
	tokens, err := pgx.CollectRows(rows, scanToken)
	if err != nil {
		return nil, fmt.Errorf("find tokens: %w", err)
	}
	if tokens == nil {
		tokens = []*domain.APIToken{}
	}
	return tokens, nil
}

// tokenColumns are the columns scanToken reads, in order, of api_tokens as t.
const tokenColumns = `t.id, t.user_id, t.name, t.scope, t.expires_at, t.last_used_at, t.created_at, t.revoked_at`

// tokenDest returns the scan destinations of tokenColumns in t; more may follow them.
func tokenDest(t *domain.APIToken, more ...any) []any {
	return append([]any{&t.ID, &t.UserID, &t.Name, &t.Scope, &t.ExpiresAt, &t.LastUsedAt, &t.CreatedAt, &t.RevokedAt}, more...)
}

// utcToken puts t's times in UTC and returns t.
func utcToken(t *domain.APIToken) *domain.APIToken {
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = t.CreatedAt.UTC(), utcPtr(t.ExpiresAt), utcPtr(t.LastUsedAt), utcPtr(t.RevokedAt)
	return t
}

// scanToken reads a row of tokenColumns.
func scanToken(row pgx.CollectableRow) (*domain.APIToken, error) {
	var t domain.APIToken
	if err := row.Scan(tokenDest(&t)...); err != nil {
		return nil, err
	}
	return utcToken(&t), nil
}

// RevokeToken revokes a token. Users revoke their own tokens, admins anyone's; another user's
// token is not found. Revoking a revoked token does nothing.
func (s *UserService) RevokeToken(ctx context.Context, id string) error {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return err
	}
	tid, ok := parseID(id)
	if !ok {
		return domain.Errorf(domain.ENOTFOUND, "Token not found.")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	var t domain.APIToken
	err = tx.QueryRow(ctx, `SELECT id, user_id, name, revoked_at FROM api_tokens WHERE id = $1 FOR UPDATE`, tid).
		Scan(&t.ID, &t.UserID, &t.Name, &t.RevokedAt)
	if err != nil {
		return notFound(err, "Token")
	}
	if canManageTokens(ctx, t.UserID) != nil {
		return domain.Errorf(domain.ENOTFOUND, "Token not found.")
	}
	if t.RevokedAt != nil {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE id = $1`, t.ID, tx.now); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if err := appendAudit(ctx, tx, "token.revoke", "token", t.ID,
		map[string]any{"user_id": t.UserID, "name": t.Name}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// AuthenticateToken returns the enabled user owning an unrevoked, unexpired token, and the
// token, and notes when the token was last used, at most once a minute: the update writes only
// when the stored time is older. Any other token is EUNAUTHORIZED, an expired one with a message
// that says so.
func (s *UserService) AuthenticateToken(ctx context.Context, token string) (*domain.User, *domain.APIToken, error) {
	bad := domain.Errorf(domain.EUNAUTHORIZED, "Invalid or revoked API token.")
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 200 {
		return nil, nil, bad
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback(ctx)
	var t domain.APIToken
	var u domain.User
	err = tx.QueryRow(ctx, `
		SELECT `+tokenColumns+`, `+userColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, tokenHash(token)).
		Scan(tokenDest(&t, userDest(&u)...)...)
	if err != nil {
		if domain.ErrorCode(formatError(err)) == domain.ENOTFOUND {
			return nil, nil, bad
		}
		return nil, nil, fmt.Errorf("find token: %w", err)
	}
	if u.Disabled {
		return nil, nil, bad
	}
	utcUser(&u)
	utcToken(&t)
	if t.Expired(tx.now) {
		return nil, nil, domain.Errorf(domain.EUNAUTHORIZED,
			"This API token expired on %s UTC: create a new one on your profile.", t.ExpiresAt.Format("2 January 2006 15:04"))
	}
	tag, err := tx.Exec(ctx, `
		UPDATE api_tokens SET last_used_at = $2
		WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)`,
		t.ID, tx.now, tx.now.Add(-tokenLastUsedEvery))
	if err != nil {
		return nil, nil, fmt.Errorf("note token use: %w", err)
	}
	if tag.RowsAffected() > 0 {
		if err := tx.Commit(ctx); err != nil {
			return nil, nil, fmt.Errorf("note token use: %w", err)
		}
		now := tx.now
		t.LastUsedAt = &now
	}
	return &u, &t, nil
}

// revokeUserTokens revokes every unrevoked token of u inside tx and, when there were any,
// audits how many and why.
func revokeUserTokens(ctx context.Context, tx *Tx, u *domain.User, reason string) error {
	tag, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, u.ID, tx.now)
	if err != nil {
		return fmt.Errorf("revoke tokens: %w", err)
	}
	if n := tag.RowsAffected(); n > 0 {
		return appendAudit(ctx, tx, "token.revoke_all", "user", u.ID,
			map[string]any{"username": u.Username, "count": n, "reason": reason})
	}
	return nil
}
