package domain

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is what a user may do. Roles are ordered: an admin can do all a responder can, and a
// responder all a viewer can.
type Role string

// The roles.
const (
	RoleAdmin     Role = "admin"
	RoleResponder Role = "responder"
	RoleViewer    Role = "viewer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleResponder, RoleViewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleResponder:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// AtLeast reports whether r grants everything min grants.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() && min.rank() > 0 }

// User is a person who signs in to the portal.
type User struct {
	ID          string    `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Role        Role      `json:"role"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// PasswordChangedAt is when the password was last set; sessions signed in before it end.
	PasswordChangedAt time.Time `json:"-"`
	// TimeZone is the IANA name of the zone the user's pages show times in; "" is UTC.
	TimeZone string `json:"time_zone"`
	// LastLoginAt is when the user last signed in with their password; nil for never. Using an
	// API token does not count: that is recorded on the token.
	LastLoginAt *time.Time `json:"last_login_at"`
}

// ActiveAdmin reports whether u is an admin whose account is enabled.
func (u *User) ActiveAdmin() bool { return u != nil && u.Role == RoleAdmin && !u.Disabled }

// CheckAdminRemains is the rule that the portal always keeps an active admin: changing the user
// from before to after is refused (ECONFLICT) when before is an active admin, after is not, and
// otherActiveAdmins, the number of other active admins, is zero. The store counts them and calls
// it inside the transaction that makes the change, under a lock that serialises such changes.
func CheckAdminRemains(before, after *User, otherActiveAdmins int) error {
	if !before.ActiveAdmin() || after.ActiveAdmin() || otherActiveAdmins > 0 {
		return nil
	}
	what := "demoted"
	if after.Disabled {
		what = "disabled"
	}
	return Errorf(ECONFLICT, "%s is the last active admin and cannot be %s: make another user an admin first.",
		before.Name(), what)
}

// UsersPerPage is the number of users on a page of the admins' user list.
const UsersPerPage = 50

// MaxUserQueryLen bounds the text of a user search.
const MaxUserQueryLen = 200

// UserFilter selects users for the admins' user list: Query matches the user name or the display
// name, case-insensitively, anywhere in them.
type UserFilter struct {
	Query   string
	Page    int
	PerPage int
}

// Validate normalises f and checks its query.
func (f *UserFilter) Validate() error {
	f.Query = strings.TrimSpace(f.Query)
	if msg := checkFilterText(f.Query, MaxUserQueryLen); msg != "" {
		return Invalid("Invalid search.", map[string]string{"q": msg})
	}
	return nil
}

// checkFilterText returns a message when s cannot be a filter's text, or "". The portal's
// query-string middleware turns NUL bytes and invalid UTF-8 into U+FFFD, which is refused too.
func checkFilterText(s string, max int) string {
	switch {
	case !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError):
		return "Search text must be valid UTF-8 text without NUL bytes."
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "Search text must not contain control characters."
	case len(s) > max:
		return "Search text must be at most " + strconv.Itoa(max) + " characters."
	}
	return ""
}

// Name returns the display name, or the user name when there is none.
func (u *User) Name() string {
	if u == nil {
		return ""
	}
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// Limits on user fields.
const (
	MaxUsernameLen    = 64
	MaxDisplayNameLen = 200
	MinPasswordLen    = 12
	MaxPasswordLen    = 1024
)

// NewUser is the input to create a user.
type NewUser struct {
	Username    string
	DisplayName string
	Role        Role
	Password    string
}

// Validate normalises u and checks every field.
func (u *NewUser) Validate() error {
	u.Username = strings.TrimSpace(u.Username)
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	fields := map[string]string{}
	if msg := validateUsername(u.Username); msg != "" {
		fields["username"] = msg
	}
	if msg := validateText(u.DisplayName, MaxDisplayNameLen, false); msg != "" {
		fields["display_name"] = msg
	}
	if !u.Role.Valid() {
		fields["role"] = "Choose admin, responder or viewer."
	}
	if msg := ValidatePassword(u.Password, u.Username); msg != "" {
		fields["password"] = msg
	}
	if len(fields) > 0 {
		return Invalid("Please correct the highlighted fields.", fields)
	}
	return nil
}

func validateUsername(s string) string {
	if s == "" {
		return "User name is required."
	}
	if len(s) > MaxUsernameLen {
		return "User name must be at most 64 characters."
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' || r == '@') {
			return "User name may contain only letters, digits and . _ - @"
		}
	}
	return ""
}

// UserUpdate changes a user; nil fields stay as they are.
type UserUpdate struct {
	DisplayName *string
	Role        *Role
	Disabled    *bool
	// TimeZone is an IANA zone name, "" or "UTC" for UTC (CheckTimeZone).
	TimeZone *string
}

// TokenScope is what an API token may do: read only, or read and write.
type TokenScope string

// The token scopes.
const (
	TokenRead  TokenScope = "read"
	TokenWrite TokenScope = "write"
)

// Valid reports whether s is a known scope.
func (s TokenScope) Valid() bool { return s == TokenRead || s == TokenWrite }

// CanWrite reports whether a token of scope s may change anything.
func (s TokenScope) CanWrite() bool { return s == TokenWrite }

// Lifetimes of API tokens.
const (
	// DefaultTokenLifetime is how long a token works when its maker does not say.
	DefaultTokenLifetime = 90 * 24 * time.Hour
	// MaxTokenLifetime is the longest expiring token; longer needs NeverExpires.
	MaxTokenLifetime = 366 * 24 * time.Hour
	// MaxTokenNameLen bounds a token's name.
	MaxTokenNameLen = 100
)

// APIToken is a personal access token. Only its hash is stored; the token itself is shown once.
type APIToken struct {
	ID     string     `json:"id"`
	UserID string     `json:"user_id"`
	Name   string     `json:"name"`
	Scope  TokenScope `json:"scope"`
	// ExpiresAt is when the token stops working; nil for a token that never expires.
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Expired reports whether the token no longer works at now because its time ran out.
func (t *APIToken) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

// NewToken is the input to create an API token.
type NewToken struct {
	// Name says what the token is for; empty is "API token".
	Name  string
	Scope TokenScope
	// Lifetime is how long the token works, at most MaxTokenLifetime; zero is
	// DefaultTokenLifetime.
	Lifetime time.Duration
	// NeverExpires makes a token that works until it is revoked. It must be chosen explicitly,
	// and Lifetime must then be zero.
	NeverExpires bool
}

// checkTokenName returns a message when name is not an acceptable token name, or "".
func checkTokenName(name string) string {
	if !utf8.ValidString(name) {
		return "Name must be valid UTF-8 text."
	}
	if len(name) > MaxTokenNameLen {
		return "Name must be at most 100 characters."
	}
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "Name must not contain control characters."
	}
	return ""
}

// Validate normalises n and checks every field.
func (n *NewToken) Validate() error {
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		n.Name = "API token"
	}
	fields := map[string]string{}
	if msg := checkTokenName(n.Name); msg != "" {
		fields["name"] = msg
	}
	if !n.Scope.Valid() {
		fields["scope"] = "Choose read-only or read-write."
	}
	switch {
	case n.NeverExpires && n.Lifetime != 0:
		fields["expires"] = "Choose an expiry or no expiry, not both."
	case n.NeverExpires:
	case n.Lifetime == 0:
		n.Lifetime = DefaultTokenLifetime
	case n.Lifetime < time.Hour || n.Lifetime > MaxTokenLifetime:
		fields["expires"] = "Choose an expiry between an hour and a year, or no expiry."
	}
	if len(fields) > 0 {
		return Invalid("Please correct the highlighted fields.", fields)
	}
	return nil
}

// UserService manages users, their passwords and their API tokens.
type UserService interface {
	// Authenticate checks a user name and password and returns the user. It answers
	// EUNAUTHORIZED for a wrong name or password and a disabled account alike, and
	// EUNAVAILABLE with a retry message while the name or address is throttled.
	Authenticate(ctx context.Context, username, password, remoteAddr string) (*User, error)
	// AuthenticateToken returns the enabled user owning an unrevoked token, and the token's
	// record (for its scope). An unknown, revoked or expired token is EUNAUTHORIZED with a
	// message saying which.
	AuthenticateToken(ctx context.Context, token string) (*User, *APIToken, error)

	FindUserByID(ctx context.Context, id string) (*User, error)
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	FindUsers(ctx context.Context) ([]*User, error)
	// SearchUsers returns a page of users matching f, ordered by user name, and the number of
	// all matches (admins only).
	SearchUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	CreateUser(ctx context.Context, u NewUser) (*User, error)
	UpdateUser(ctx context.Context, id string, upd UserUpdate) (*User, error)
	// SetPassword sets a user's password (an admin's reset); it ends the user's sessions and
	// revokes all the user's API tokens. Disabling a user with UpdateUser revokes them too.
	SetPassword(ctx context.Context, id, password string) error
	ChangeOwnPassword(ctx context.Context, current, next string) error
	// EnsureAdmin creates an admin with the given user name and password when no enabled admin
	// exists, and reports whether it did. It is for start-up, not for requests.
	EnsureAdmin(ctx context.Context, username, password string) (bool, error)

	CreateToken(ctx context.Context, userID string, nt NewToken) (token string, t *APIToken, err error)
	FindTokens(ctx context.Context, userID string) ([]*APIToken, error)
	RevokeToken(ctx context.Context, id string) error
}
