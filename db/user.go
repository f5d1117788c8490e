package db

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// adminLockKey is the transaction-level advisory lock taken by every change that could leave the
// portal without an enabled admin, so that two such changes cannot both pass the check.
const adminLockKey int64 = 0x7466_7473_7202 // "tftsr" 2

// Ensure UserService implements the domain port.
var _ domain.UserService = (*UserService)(nil)

// UserService stores users, checks their passwords and manages their API tokens.
type UserService struct {
	db *DB

	// PasswordParams is the cost of new password hashes. Test suites set TestPasswordParams.
	PasswordParams PasswordParams

	// hashSlots bounds how many password hashes run at once: each takes PasswordParams.Memory.
	hashSlots chan struct{}
}

// NewUserService returns a UserService over db with the default password cost.
func NewUserService(db *DB) *UserService {
	return &UserService{
		db:             db,
		PasswordParams: DefaultPasswordParams,
		hashSlots:      make(chan struct{}, max(2, runtime.NumCPU())),
	}
}

// userColumns are the columns scanUser reads, in order.
const userColumns = `u.id, u.username, u.display_name, u.role, u.disabled, u.created_at, u.updated_at, u.password_changed_at, u.time_zone, u.last_login_at`

// scanUser reads a row of userColumns.
func scanUser(row pgx.Row) (*domain.User, error) {
	var u domain.User
	if err := row.Scan(userDest(&u)...); err != nil {
		return nil, err
	}
	return utcUser(&u), nil
}

// userDest returns the scan destinations of userColumns in u; more may follow them.
func userDest(u *domain.User, more ...any) []any {
	return append([]any{&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Disabled, &u.CreatedAt, &u.UpdatedAt, &u.PasswordChangedAt, &u.TimeZone, &u.LastLoginAt}, more...)
}

// utcUser puts u's times in UTC and returns u.
func utcUser(u *domain.User) *domain.User {
	u.CreatedAt, u.UpdatedAt, u.PasswordChangedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC(), u.PasswordChangedAt.UTC()
	u.LastLoginAt = utcPtr(u.LastLoginAt)
	return u
}

// withHashSlot runs fn once a hashing slot is free.
func (s *UserService) withHashSlot(ctx context.Context, fn func()) error {
	select {
	case s.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.hashSlots }()
	fn()
	return nil
}

// hash returns the hash of password at the service's cost.
func (s *UserService) hash(ctx context.Context, password string) (string, error) {
	var h string
	var err error
	if werr := s.withHashSlot(ctx, func() { h, err = hashPassword(password, s.PasswordParams) }); werr != nil {
		return "", werr
	}
	return h, err
}

// verify reports whether password matches the stored hash encoded.
func (s *UserService) verify(ctx context.Context, password, encoded string) (bool, error) {
	var ok bool
	var err error
	if werr := s.withHashSlot(ctx, func() { ok, err = verifyPassword(password, encoded) }); werr != nil {
		return false, werr
	}
	return ok, err
}

// FindUserByID returns a user. Anyone signed in may look users up.
func (s *UserService) FindUserByID(ctx context.Context, id string) (*domain.User, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	return findUserByID(ctx, tx, id, false)
}

// findUserByID returns a user, locked for update when forUpdate is set.
func findUserByID(ctx context.Context, tx *Tx, id string, forUpdate bool) (*domain.User, error) {
	uid, ok := parseID(id)
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "User not found.")
	}
	q := `SELECT ` + userColumns + ` FROM users u WHERE u.id = $1`
	if forUpdate {
		q += ` FOR UPDATE`
	}
	u, err := scanUser(tx.QueryRow(ctx, q, uid))
	if err != nil {
		return nil, notFound(err, "User")
	}
	return u, nil
}

// FindUserByUsername returns the user with a user name, compared case-insensitively.
func (s *UserService) FindUserByUsername(ctx context.Context, username string) (*domain.User, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	u, _, err := findUserByUsername(ctx, tx, username)
	return u, err
}

// findUserByUsername returns the user with a user name and its password hash.
func findUserByUsername(ctx context.Context, tx *Tx, username string) (*domain.User, string, error) {
	username = sanitiseText(username, domain.MaxUsernameLen*4)
	var hash string
	var u domain.User
	err := tx.QueryRow(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE lower(u.username) = lower($1)`,
		username).Scan(userDest(&u, &hash)...)
	if err != nil {
		return nil, "", notFound(err, "User")
	}
	return utcUser(&u), hash, nil
}

// FindUsers returns every user ordered by user name. Anyone signed in may list users, to pick an
// assignee.
func (s *UserService) FindUsers(ctx context.Context) ([]*domain.User, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `SELECT `+userColumns+` FROM users u ORDER BY lower(u.username)`)
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	return collect(rows, "find users", scanUser)
}

// SearchUsers returns a page of users whose user name or display name contains f.Query,
// ordered by user name, and the number of all matches. Only admins may.
func (s *UserService) SearchUsers(ctx context.Context, f domain.UserFilter) ([]*domain.User, int, error) {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return nil, 0, err
	}
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	pg := pageOf(f.Page, f.PerPage)
	args := []any{}
	cond := "TRUE"
	if f.Query != "" {
		args = append(args, "%"+likeEscape(f.Query)+"%")
		cond = `(u.username ILIKE $1 OR u.display_name ILIKE $1)`
	}
	limit, pageArgs := pg.limitOffset(args)
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `SELECT `+userColumns+`, COUNT(*) OVER() FROM users u WHERE `+cond+`
		ORDER BY lower(u.username), u.id `+limit, pageArgs...)
	if err != nil {
		return nil, 0, fmt.Errorf("search users: %w", err)
	}
	defer rows.Close()
	users, total := []*domain.User{}, 0
	for rows.Next() {
		var u domain.User
		if err := rows.Scan(userDest(&u, &total)...); err != nil {
			return nil, 0, fmt.Errorf("search users: %w", err)
		}
		users = append(users, utcUser(&u))
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("search users: %w", err)
	}
	if pg.pastEnd(len(users)) {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM users u WHERE `+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count users: %w", err)
		}
	}
	return users, total, nil
}

// CreateUser creates a user. Only admins may.
func (s *UserService) CreateUser(ctx context.Context, n domain.NewUser) (*domain.User, error) {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	hash, err := s.hash(ctx, n.Password)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	u, err := createUser(ctx, tx, n, hash, nil)
	if err != nil {
		return nil, err
	}
	return u, tx.Commit(ctx)
}

// createUser inserts a validated user with a password hash and audits it with extra details.
func createUser(ctx context.Context, tx *Tx, n domain.NewUser, hash string, extra map[string]any) (*domain.User, error) {
	u := &domain.User{
		ID:          newID(),
		Username:    n.Username,
		DisplayName: n.DisplayName,
		Role:        n.Role,
		CreatedAt:   tx.now,
		UpdatedAt:   tx.now,
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO users (id, username, display_name, role, password_hash, disabled, created_at, updated_at, password_changed_at)
		VALUES ($1, $2, $3, $4, $5, false, $6, $6, $6)`,
		u.ID, u.Username, u.DisplayName, u.Role, hash, tx.now); err != nil {
		if isUniqueViolation(err, "users_username_key") {
			return nil, &domain.Error{Code: domain.ECONFLICT, Message: "That user name is taken.",
				Fields: map[string]string{"username": "That user name is taken."}}
		}
		return nil, fmt.Errorf("create user: %w", formatError(err))
	}
	details := map[string]any{"username": u.Username, "display_name": u.DisplayName, "role": u.Role}
	for k, v := range extra {
		details[k] = v
	}
	if err := appendAudit(ctx, tx, "user.create", "user", u.ID, details); err != nil {
		return nil, err
	}
	return u, nil
}

// UpdateUser changes a user's display name, time zone, role or disabled flag. Admins may change
// anything; other users may change only their own display name and time zone. The last enabled admin can be neither
// demoted nor disabled.
func (s *UserService) UpdateUser(ctx context.Context, id string, upd domain.UserUpdate) (*domain.User, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	uid, _ := parseID(id)
	self := uid != "" && domain.UserIDFromContext(ctx) == uid
	if !self || upd.Role != nil || upd.Disabled != nil {
		if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
			return nil, err
		}
	}
	if err := validateUserUpdate(&upd); err != nil {
		return nil, err
	}

	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	u, err := updateUser(ctx, tx, id, upd)
	if err != nil {
		return nil, err
	}
	return u, tx.Commit(ctx)
}

// updateUser applies upd to a user inside tx and audits what changed.
func updateUser(ctx context.Context, tx *Tx, id string, upd domain.UserUpdate) (*domain.User, error) {
	if upd.Role != nil || upd.Disabled != nil {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, adminLockKey); err != nil {
			return nil, fmt.Errorf("lock admins: %w", err)
		}
	}
	u, err := findUserByID(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}

	changes := map[string]change{}
	next := *u
	if upd.DisplayName != nil && *upd.DisplayName != u.DisplayName {
		changes["display_name"] = change{u.DisplayName, *upd.DisplayName}
		next.DisplayName = *upd.DisplayName
	}
	if upd.Role != nil && *upd.Role != u.Role {
		changes["role"] = change{u.Role, *upd.Role}
		next.Role = *upd.Role
	}
	if upd.Disabled != nil && *upd.Disabled != u.Disabled {
		changes["disabled"] = change{u.Disabled, *upd.Disabled}
		next.Disabled = *upd.Disabled
	}
	if upd.TimeZone != nil && *upd.TimeZone != u.TimeZone {
		changes["time_zone"] = change{u.TimeZone, *upd.TimeZone}
		next.TimeZone = *upd.TimeZone
	}
	if len(changes) == 0 {
		return u, nil
	}

	// Keep an active admin. The advisory lock taken above serialises every change that could
	// remove one, so the count cannot go stale before this transaction commits.
	if u.ActiveAdmin() && !next.ActiveAdmin() {
		var others int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1`,
			u.ID).Scan(&others); err != nil {
			return nil, fmt.Errorf("count admins: %w", err)
		}
		if err := domain.CheckAdminRemains(u, &next, others); err != nil {
			return nil, err
		}
	}

	next.UpdatedAt = tx.now
	if _, err := tx.Exec(ctx, `UPDATE users SET display_name = $2, role = $3, disabled = $4, time_zone = $5, updated_at = $6 WHERE id = $1`,
		u.ID, next.DisplayName, next.Role, next.Disabled, next.TimeZone, tx.now); err != nil {
		return nil, fmt.Errorf("update user: %w", formatError(err))
	}
	if err := appendAudit(ctx, tx, "user.update", "user", u.ID,
		map[string]any{"username": u.Username, "changes": changes}); err != nil {
		return nil, err
	}
	// A disabled user's sessions end at their next request (loadUser); their API tokens are
	// revoked, so that enabling the account again does not bring them back.
	if next.Disabled && !u.Disabled {
		if err := revokeUserTokens(ctx, tx, u, "disabled"); err != nil {
			return nil, err
		}
	}
	return &next, nil
}

// validateUserUpdate normalises and checks the fields upd sets.
func validateUserUpdate(upd *domain.UserUpdate) error {
	fields := map[string]string{}
	if upd.DisplayName != nil {
		d := strings.TrimSpace(*upd.DisplayName)
		upd.DisplayName = &d
		switch {
		case !utf8.ValidString(d):
			fields["display_name"] = "Display name must be valid UTF-8 text."
		case len(d) > domain.MaxDisplayNameLen:
			fields["display_name"] = "Display name must be at most 200 characters."
		case strings.IndexFunc(d, unicode.IsControl) >= 0:
			fields["display_name"] = "Display name must not contain control characters."
		}
	}
	if upd.Role != nil && !upd.Role.Valid() {
		fields["role"] = "Choose admin, responder or viewer."
	}
	if upd.TimeZone != nil {
		tz, err := domain.CheckTimeZone(*upd.TimeZone)
		if err != nil {
			maps.Copy(fields, domain.ErrorFields(err))
		}
		upd.TimeZone = &tz
	}
	if len(fields) > 0 {
		return domain.Invalid("Please correct the highlighted fields.", fields)
	}
	return nil
}

// SetPassword sets a user's password. Only admins may; the audit log records a reset. The
// user's sessions end and their API tokens are revoked.
func (s *UserService) SetPassword(ctx context.Context, id, password string) error {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	u, err := findUserByID(ctx, tx, id, false)
	if err != nil {
		return err
	}
	// The hashing happens outside the transaction so that no connection waits on it.
	tx.Rollback(ctx)
	if msg := domain.ValidatePassword(password, u.Username); msg != "" {
		return domain.Invalid(msg, map[string]string{"password": msg})
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	tx, err = s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if u, err = findUserByID(ctx, tx, id, true); err != nil {
		return err
	}
	if err := setPasswordHash(ctx, tx, u, hash, "user.password_reset"); err != nil {
		return err
	}
	// A reset means the account may be in the wrong hands: its sessions end (password_changed_at)
	// and its API tokens are revoked, so that the new password is the only way in.
	if err := revokeUserTokens(ctx, tx, u, "password_reset"); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// setPasswordHash stores a new password hash for u and audits it as action.
func setPasswordHash(ctx context.Context, tx *Tx, u *domain.User, hash, action string) error {
	if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, updated_at = $3, password_changed_at = $3 WHERE id = $1`,
		u.ID, hash, tx.now); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return appendAudit(ctx, tx, action, "user", u.ID, map[string]any{"username": u.Username})
}

// ChangeOwnPassword changes the signed-in user's password after checking the current one. A
// wrong current password is EINVALID on the field "current_password"; an unacceptable new
// password is EINVALID on "new_password".
func (s *UserService) ChangeOwnPassword(ctx context.Context, current, next string) error {
	actor := domain.UserFromContext(ctx)
	if actor == nil {
		return domain.Errorf(domain.EUNAUTHORIZED, "Please sign in.")
	}
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return err
	}
	if msg := domain.ValidatePassword(next, actor.Username); msg != "" {
		return domain.Invalid(msg, map[string]string{"new_password": msg})
	}

	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	var stored string
	if err := tx.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, actor.ID).Scan(&stored); err != nil {
		return notFound(err, "User")
	}
	// The hashing happens outside the transaction so that no connection waits on it.
	tx.Rollback(ctx)

	ok, err := s.verify(ctx, current, stored)
	if err != nil {
		return fmt.Errorf("check password: %w", err)
	} else if !ok {
		msg := "Your current password is not correct."
		return domain.Invalid(msg, map[string]string{"current_password": msg})
	}
	hash, err := s.hash(ctx, next)
	if err != nil {
		return err
	}

	tx, err = s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	u, err := findUserByID(ctx, tx, actor.ID, true)
	if err != nil {
		return err
	}
	if err := setPasswordHash(ctx, tx, u, hash, "user.password_change"); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// EnsureAdmin creates an admin with the given user name and password when no enabled admin
// exists, and reports whether it did. It needs a system context (or an admin). When the user
// name is taken by a user who is not an enabled admin, it answers ECONFLICT rather than change
// that account.
func (s *UserService) EnsureAdmin(ctx context.Context, username, password string) (bool, error) {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return false, err
	}
	hasAdmin := func(tx *Tx) (bool, error) {
		var ok bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND NOT disabled)`).Scan(&ok)
		if err != nil {
			return false, fmt.Errorf("look for an admin: %w", err)
		}
		return ok, nil
	}

	// Look before hashing, so that a start-up with an admin costs one query.
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(ctx)
	if ok, err := hasAdmin(tx); err != nil || ok {
		return false, err
	}
	tx.Rollback(ctx)

	n := domain.NewUser{Username: username, DisplayName: "Administrator", Role: domain.RoleAdmin, Password: password}
	if err := n.Validate(); err != nil {
		return false, err
	}
	hash, err := s.hash(ctx, n.Password)
	if err != nil {
		return false, err
	}

	tx, err = s.db.BeginTx(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, adminLockKey); err != nil {
		return false, fmt.Errorf("lock admins: %w", err)
	}
	if ok, err := hasAdmin(tx); err != nil || ok {
		return false, err
	}
	if _, err := createUser(ctx, tx, n, hash, map[string]any{"reason": "no enabled admin"}); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return false, domain.Errorf(domain.ECONFLICT,
				"No enabled admin exists, and the user name %q is taken by another account: choose another admin user name.", n.Username)
		}
		return false, err
	}
	return true, tx.Commit(ctx)
}

// sanitiseText makes untrusted input storable and bounded: invalid UTF-8 and NUL bytes are
// dropped, surrounding space trimmed, and the text cut to at most max bytes on a rune boundary.
func sanitiseText(s string, max int) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.ReplaceAll(s, "\x00", "")
	s = strings.TrimSpace(s)
	return cutBytes(s, max)
}

// cutBytes cuts s to at most max bytes without splitting a rune.
func cutBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}

// cutRunes cuts s to at most max runes, marking a cut with an ellipsis.
func cutRunes(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}
