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
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// TokenPrefix starts every API token, so that a leaked token is easy to recognise.
const TokenPrefix = "tftsr_"

// tokenLastUsedEvery is how stale last_used_at may get before a use updates it, so that a busy
// token does not write on every request.
const tokenLastUsedEvery = time.Minute

// maxTokenNameLen bounds a token's name.
const maxTokenNameLen = 100

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
func (s *UserService) CreateToken(ctx context.Context, userID, name string) (string, *domain.APIToken, error) {
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
	name = strings.TrimSpace(name)
	if name == "" {
		name = "API token"
	}
	if msg := checkTokenName(name); msg != "" {
		return "", nil, domain.Invalid(msg, map[string]string{"name": msg})
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
	t := &domain.APIToken{ID: newID(), UserID: u.ID, Name: name, CreatedAt: tx.now}
	if _, err := tx.Exec(ctx, `INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		t.ID, t.UserID, t.Name, tokenHash(token), tx.now); err != nil {
		return "", nil, fmt.Errorf("create token: %w", formatError(err))
	}
	if err := appendAudit(ctx, tx, "token.create", "token", t.ID,
		map[string]any{"user_id": u.ID, "username": u.Username, "name": t.Name}); err != nil {
		return "", nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return "", nil, fmt.Errorf("create token: %w", err)
	}
	return token, t, nil
}

// checkTokenName returns a message when name is not an acceptable token name, or "".
func checkTokenName(name string) string {
	if !utf8.ValidString(name) {
		return "Name must be valid UTF-8 text."
	}
	if len(name) > maxTokenNameLen {
		return "Name must be at most 100 characters."
	}
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "Name must not contain control characters."
	}
	return ""
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
		SELECT id, user_id, name, last_used_at, created_at, revoked_at
		FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, uid)
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

// scanToken reads a row of id, user_id, name, last_used_at, created_at, revoked_at.
func scanToken(row pgx.CollectableRow) (*domain.APIToken, error) {
	var t domain.APIToken
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.LastUsedAt, &t.CreatedAt, &t.RevokedAt); err != nil {
		return nil, err
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = t.CreatedAt.UTC(), utcPtr(t.LastUsedAt), utcPtr(t.RevokedAt)
	return &t, nil
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

// AuthenticateToken returns the enabled user owning an unrevoked token, and notes when the token
// was last used (at most once a minute). Any other token is EUNAUTHORIZED.
func (s *UserService) AuthenticateToken(ctx context.Context, token string) (*domain.User, error) {
	bad := domain.Errorf(domain.EUNAUTHORIZED, "Invalid API token.")
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 200 {
		return nil, bad
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	var tokenID string
	var lastUsed *time.Time
	var u domain.User
	err = tx.QueryRow(ctx, `
		SELECT t.id, t.last_used_at, `+userColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, tokenHash(token)).
		Scan(append([]any{&tokenID, &lastUsed}, userDest(&u)...)...)
	if err != nil {
		if domain.ErrorCode(formatError(err)) == domain.ENOTFOUND {
			return nil, bad
		}
		return nil, fmt.Errorf("find token: %w", err)
	}
	if u.Disabled {
		return nil, bad
	}
	utcUser(&u)
	if lastUsed == nil || tx.now.Sub(*lastUsed) >= tokenLastUsedEvery {
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, tokenID, tx.now); err != nil {
			return nil, fmt.Errorf("note token use: %w", err)
		}
		if err := tx.Commit(ctx); err != nil {
			return nil, fmt.Errorf("note token use: %w", err)
		}
	}
	return &u, nil
}
