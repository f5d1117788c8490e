package domain

import (
	"context"
	"strings"
	"time"
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
}

// APIToken is a personal access token. Only its hash is stored; the token itself is shown once.
type APIToken struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	LastUsedAt *time.Time `json:"last_used_at"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// UserService manages users, their passwords and their API tokens.
type UserService interface {
	// Authenticate checks a user name and password and returns the user. It answers
	// EUNAUTHORIZED for a wrong name or password and a disabled account alike, and
	// EUNAVAILABLE with a retry message while the name or address is throttled.
	Authenticate(ctx context.Context, username, password, remoteAddr string) (*User, error)
	// AuthenticateToken returns the user owning an unrevoked token.
	AuthenticateToken(ctx context.Context, token string) (*User, error)

	FindUserByID(ctx context.Context, id string) (*User, error)
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	FindUsers(ctx context.Context) ([]*User, error)
	CreateUser(ctx context.Context, u NewUser) (*User, error)
	UpdateUser(ctx context.Context, id string, upd UserUpdate) (*User, error)
	SetPassword(ctx context.Context, id, password string) error
	ChangeOwnPassword(ctx context.Context, current, next string) error
	// EnsureAdmin creates an admin with the given user name and password when no enabled admin
	// exists, and reports whether it did. It is for start-up, not for requests.
	EnsureAdmin(ctx context.Context, username, password string) (bool, error)

	CreateToken(ctx context.Context, userID, name string) (token string, t *APIToken, err error)
	FindTokens(ctx context.Context, userID string) ([]*APIToken, error)
	RevokeToken(ctx context.Context, id string) error
}
