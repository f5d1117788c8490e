package domain

import "context"

type contextKey int

const (
	userContextKey contextKey = iota + 1
	systemContextKey
)

// NewContextWithUser returns a context carrying the signed-in user. Every service reads the actor
// from the context, so authorisation happens below the handlers.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userContextKey, u)
}

// UserFromContext returns the signed-in user, or nil.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey).(*User)
	return u
}

// UserIDFromContext returns the signed-in user's id, or "".
func UserIDFromContext(ctx context.Context) string {
	if u := UserFromContext(ctx); u != nil {
		return u.ID
	}
	return ""
}

// NewSystemContext returns a context for work the portal does on its own behalf from the command
// line or at start-up (creating the first admin, `tftsr user create`). It acts as an admin and is
// audited with no actor and a "via" of via. Request handlers never create one.
func NewSystemContext(ctx context.Context, via string) context.Context {
	return context.WithValue(ctx, systemContextKey, via)
}

// SystemVia returns the "via" of a system context, or "".
func SystemVia(ctx context.Context) string {
	v, _ := ctx.Value(systemContextKey).(string)
	return v
}

// Require checks that the context's actor holds at least role min. It returns EUNAUTHORIZED when
// nobody is signed in, EFORBIDDEN for a disabled account or a lesser role.
func Require(ctx context.Context, min Role) error {
	if SystemVia(ctx) != "" {
		return nil
	}
	u := UserFromContext(ctx)
	if u == nil {
		return Errorf(EUNAUTHORIZED, "Please sign in.")
	}
	if u.Disabled {
		return Errorf(EFORBIDDEN, "Your account is disabled.")
	}
	if !u.Role.AtLeast(min) {
		switch min {
		case RoleAdmin:
			return Errorf(EFORBIDDEN, "Only an admin may do that.")
		default:
			return Errorf(EFORBIDDEN, "Viewers can read but not change anything.")
		}
	}
	return nil
}
