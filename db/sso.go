package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// Ensure UserService stores the users of single sign-on.
var _ domain.ExternalUsers = (*UserService)(nil)

// maxUsernameTries bounds the suffixes tried to make a new single sign-on user name unique.
const maxUsernameTries = 50

// SignInExternal finds the user linked to an identity at an OpenID Connect provider, or creates
// one just in time, brings their display name, e-mail and role up to date, and audits the
// sign-in as session.login with method oidc. A user disabled in the portal is refused whatever
// the provider says. A role change that would leave no enabled admin keeps the old role and says
// so in the result's notice.
func (s *UserService) SignInExternal(ctx context.Context, in domain.ExternalSignIn) (*domain.ExternalSignInResult, error) {
	if in.Identity.Issuer == "" || in.Identity.Subject == "" || !in.Role.Valid() {
		return nil, errors.New("sign in external: identity or role missing")
	}
	sys := domain.NewSystemContext(ctx, "sso")
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	// Role changes and new users are serialised with every other change of admins.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, adminLockKey); err != nil {
		return nil, fmt.Errorf("lock admins: %w", err)
	}
	email := sanitiseText(in.Email, 320)
	res := &domain.ExternalSignInResult{}
	var userID string
	err = tx.QueryRow(ctx, `SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2`,
		in.Identity.Issuer, in.Identity.Subject).Scan(&userID)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		u, err := createExternalUser(sys, tx, in)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO user_identities (issuer, subject, user_id, email, created_at, last_login_at)
			VALUES ($1, $2, $3, $4, $5, $5)`, in.Identity.Issuer, in.Identity.Subject, u.ID, email, tx.now); err != nil {
			return nil, fmt.Errorf("link identity: %w", err)
		}
		res.User, res.Created = u, true
	case err != nil:
		return nil, fmt.Errorf("find identity: %w", err)
	default:
		u, err := findUserByID(ctx, tx, userID, true)
		if err != nil {
			return nil, err
		}
		if u.Disabled {
			return nil, domain.Errorf(domain.EFORBIDDEN, "Your portal account is disabled. Ask an admin to enable it.")
		}
		upd := domain.UserUpdate{}
		if in.DisplayName != "" {
			upd.DisplayName = &in.DisplayName
		}
		if in.RoleFromClaims && in.Role != u.Role {
			upd.Role = &in.Role
		}
		next, err := updateUser(sys, tx, u.ID, upd)
		if domain.ErrorCode(err) == domain.ECONFLICT && upd.Role != nil {
			// The last enabled admin keeps the role; the rest of the update goes ahead.
			res.Notice = fmt.Sprintf("Your role stays %s: you are the portal's last enabled admin, and the identity provider now gives you %s. "+
				"Make another user an admin first.", u.Role, in.Role)
			upd.Role = nil
			next, err = updateUser(sys, tx, u.ID, upd)
		}
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `UPDATE user_identities SET email = $3, last_login_at = $4 WHERE issuer = $1 AND subject = $2`,
			in.Identity.Issuer, in.Identity.Subject, email, tx.now); err != nil {
			return nil, fmt.Errorf("update identity: %w", err)
		}
		res.User = next
	}
	details := map[string]any{"method": "oidc", "issuer": in.Identity.Issuer, "addr": loginAddr(in.RemoteAddr)}
	if res.Created {
		details["created"] = true
	}
	if err := appendAudit(domain.NewContextWithUser(ctx, res.User), tx, "session.login", "user", res.User.ID, details); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("record sign-in: %w", err)
	}
	return res, nil
}

// createExternalUser creates the user of a new identity. The user name is made unique among
// users of single sign-on with a numbered suffix; one held by a portal account (a user with no
// identity) is refused rather than linked, since an e-mail address or name at the provider
// proves nothing about who owns that account.
func createExternalUser(ctx context.Context, tx *Tx, in domain.ExternalSignIn) (*domain.User, error) {
	for n := 1; n <= maxUsernameTries; n++ {
		name := domain.UniqueUsername(in.Username, n)
		var id string
		var linked bool
		err := tx.QueryRow(ctx, `SELECT u.id, EXISTS (SELECT 1 FROM user_identities i WHERE i.user_id = u.id)
			FROM users u WHERE lower(u.username) = lower($1)`, name).Scan(&id, &linked)
		if err == nil {
			if !linked && n == 1 {
				return nil, domain.Errorf(domain.ECONFLICT,
					"The user name %s belongs to an account with a password in this portal, so single sign-on did not create or link an account. "+
						"Ask an admin to link your identity (subject %s) to that account with tftsr user link-sso.", name, cutRunes(in.Identity.Subject, 100))
			}
			continue
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("look up user name: %w", err)
		}
		n := domain.NewUser{Username: name, DisplayName: in.DisplayName, Role: in.Role}
		// No password: the empty hash matches none, so the user signs in only through the provider.
		return createUser(ctx, tx, n, "", map[string]any{"method": "oidc", "issuer": in.Identity.Issuer})
	}
	return nil, domain.Errorf(domain.ECONFLICT, "No free user name was found for %s; ask an admin to create your account.", in.Username)
}

// LinkExternalIdentity links an identity at an OpenID Connect provider to an existing user, so
// that the person signs in to that account. Only admins may.
func (s *UserService) LinkExternalIdentity(ctx context.Context, username, issuer, subject string) error {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return err
	}
	if issuer == "" || subject == "" {
		return domain.Errorf(domain.EINVALID, "The issuer and the subject are required.")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	u, _, err := findUserByUsername(ctx, tx, username)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO user_identities (issuer, subject, user_id, created_at, last_login_at)
		VALUES ($1, $2, $3, $4, $4)`, issuer, subject, u.ID, tx.now); err != nil {
		if isUniqueViolation(err, "user_identities_pkey") {
			return domain.Errorf(domain.ECONFLICT, "That identity is already linked to a user.")
		}
		return fmt.Errorf("link identity: %w", err)
	}
	if err := appendAudit(ctx, tx, "user.link_identity", "user", u.ID,
		map[string]any{"username": u.Username, "issuer": issuer, "subject": subject}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// RecordSignInFailure audits a refused single sign-on. Only the reason and the address are kept:
// nothing the provider or the browser sent is stored.
func (s *UserService) RecordSignInFailure(ctx context.Context, reason, remoteAddr string) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := appendAudit(ctx, tx, "session.login_failed", "user", "",
		map[string]any{"method": "oidc", "reason": sanitiseText(reason, 300), "addr": loginAddr(remoteAddr)}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
