package domain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// ExternalIdentity is who an OpenID Connect provider says has signed in, from a verified ID
// token.
type ExternalIdentity struct {
	// Issuer and Subject name the person at the provider; together they are the key of the
	// portal's link to a user.
	Issuer  string
	Subject string
	// PreferredUsername, Email and Name are the claims of the same names.
	PreferredUsername string
	Email             string
	// EmailVerified is the email_verified claim; nil when the provider does not send it.
	EmailVerified *bool
	Name          string
	// RoleValues are the values of the configured role claim (a group or role list).
	RoleValues []string
}

// TrustedEmail returns the e-mail address unless the provider says explicitly that it is not
// verified, in which case the address is neither stored nor used for a user name.
func (id ExternalIdentity) TrustedEmail() string {
	if id.EmailVerified != nil && !*id.EmailVerified {
		return ""
	}
	return strings.TrimSpace(id.Email)
}

// SSOProvider is an OpenID Connect provider, reached lazily: discovery happens at first use,
// and a provider that is down is tried again later.
type SSOProvider interface {
	// Available reports whether the provider could be discovered; it tries now when it has
	// not been, within a short bound.
	Available(ctx context.Context) error
	// AuthCodeURL returns where to send the browser to sign in: an authorization code request
	// with state, nonce and the S256 challenge of verifier. EUNAVAILABLE when the provider
	// cannot be reached.
	AuthCodeURL(ctx context.Context, state, nonce, verifier string) (string, error)
	// Exchange redeems code with verifier and returns the identity of the verified ID token,
	// whose nonce must be nonce. A failed exchange or a bad token is EUNAUTHORIZED with a
	// message saying which.
	Exchange(ctx context.Context, code, verifier, nonce string) (*ExternalIdentity, error)
}

// RoleMapping turns the values of a role claim into a portal role.
type RoleMapping struct {
	// Claim names the claim holding groups or roles; empty maps nobody, and then roles are
	// managed in the portal only (new users get Default).
	Claim string
	// Values maps a claim value to a role; the highest role of all matching values wins.
	Values map[string]Role
	// Default is the role of a user none of whose values map; "" refuses such users.
	Default Role
}

// RoleFor returns the role for a user's claim values, and false when the user may not sign in
// because nothing maps and there is no default role.
func (m RoleMapping) RoleFor(values []string) (Role, bool) {
	var best Role
	for _, v := range values {
		if r, ok := m.Values[v]; ok && r.rank() > best.rank() {
			best = r
		}
	}
	if best != "" {
		return best, true
	}
	return m.Default, m.Default != ""
}

// ParseRoleMap parses "value=role,value=role" into a mapping of values to roles.
func ParseRoleMap(s string) (map[string]Role, error) {
	out := map[string]Role{}
	for _, pair := range strings.Split(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		k, r := strings.TrimSpace(k), Role(strings.TrimSpace(v))
		if !ok || k == "" || !r.Valid() {
			return nil, fmt.Errorf("%q is not VALUE=admin, VALUE=responder or VALUE=viewer", pair)
		}
		out[k] = r
	}
	return out, nil
}

// PasswordPolicy says who may sign in with a password.
type PasswordPolicy struct {
	// Off turns password sign-in off for everyone but BreakGlass.
	Off bool
	// BreakGlass are the user names that may still use a password when Off is set.
	BreakGlass []string
}

// Allows reports whether username may sign in with a password.
func (p PasswordPolicy) Allows(username string) bool {
	if !p.Off {
		return true
	}
	username = strings.TrimSpace(username)
	return slices.ContainsFunc(p.BreakGlass, func(b string) bool { return strings.EqualFold(b, username) })
}

// SSOUsername returns a valid user name for a new user of id: the preferred user name, else the
// trusted e-mail address, else one made from the subject, with characters a user name may not
// hold replaced by "-" and cut to MaxUsernameLen.
func SSOUsername(id ExternalIdentity) string {
	for _, c := range []string{id.PreferredUsername, id.TrustedEmail()} {
		if u := cleanUsername(c); u != "" {
			return u
		}
	}
	sum := sha256.Sum256([]byte(id.Issuer + "\x00" + id.Subject))
	return "sso-" + hex.EncodeToString(sum[:6])
}

// UniqueUsername returns base with the suffix of attempt n (n ≥ 2: "-2", "-3"…), kept within
// MaxUsernameLen.
func UniqueUsername(base string, n int) string {
	if n < 2 {
		return base
	}
	suffix := fmt.Sprintf("-%d", n)
	if len(base)+len(suffix) > MaxUsernameLen {
		base = base[:MaxUsernameLen-len(suffix)]
	}
	return base + suffix
}

func cleanUsername(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r < unicode.MaxASCII && validateUsername(string(r)) == "":
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	u := strings.Trim(b.String(), "-.")
	if len(u) > MaxUsernameLen {
		u = u[:MaxUsernameLen]
	}
	if validateUsername(u) != "" {
		return ""
	}
	return u
}

// SSODisplayName returns the display name a provider's claims give, cleaned for storage.
func SSODisplayName(id ExternalIdentity) string {
	d := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(id.Name, ""))
	d = strings.TrimSpace(d)
	for len(d) > MaxDisplayNameLen {
		r := []rune(d)
		d = string(r[:len(r)-1])
	}
	return d
}

// ExternalSignIn is a verified identity with the role and user name the portal gives it.
type ExternalSignIn struct {
	Identity ExternalIdentity
	// Role is the role from the mapping; with RoleFromClaims unset it applies only to a new
	// user.
	Role           Role
	RoleFromClaims bool
	// Username is the user name for a new user (SSOUsername); the store makes it unique among
	// users of single sign-on and refuses one taken by a portal account.
	Username    string
	DisplayName string
	Email       string
	// RemoteAddr is the client's address, for the audit log.
	RemoteAddr string
}

// ExternalSignInResult is the outcome of a single sign-on.
type ExternalSignInResult struct {
	User *User
	// Created reports a user made just in time.
	Created bool
	// Notice, when set, tells the user about something that did not happen, such as a role
	// change that would have left the portal without an enabled admin.
	Notice string
}

// ExternalUsers stores the users of single sign-on.
type ExternalUsers interface {
	// SignInExternal finds the user linked to the identity, or creates one, updates their display
	// name, e-mail and (with RoleFromClaims) role, and audits the sign-in. A disabled user is
	// EFORBIDDEN; a new user whose user name a portal account holds is ECONFLICT.
	SignInExternal(ctx context.Context, in ExternalSignIn) (*ExternalSignInResult, error)
	// RecordSignInFailure audits a refused single sign-on with its reason.
	RecordSignInFailure(ctx context.Context, reason, remoteAddr string) error
}

// SSOService signs people in through an OpenID Connect provider.
type SSOService struct {
	Provider SSOProvider
	Users    ExternalUsers
	Roles    RoleMapping
}

// NewSSOService returns the single sign-on over a provider and the user store.
func NewSSOService(p SSOProvider, users ExternalUsers, roles RoleMapping) *SSOService {
	return &SSOService{Provider: p, Users: users, Roles: roles}
}

// Complete redeems an authorization code and signs its user in: the role comes from the
// mapping, a user who maps to no role is refused (EFORBIDDEN), and every refusal is audited.
func (s *SSOService) Complete(ctx context.Context, code, verifier, nonce, remoteAddr string) (*ExternalSignInResult, error) {
	id, err := s.Provider.Exchange(ctx, code, verifier, nonce)
	if err != nil {
		s.fail(ctx, err, remoteAddr)
		return nil, err
	}
	role, ok := s.Roles.RoleFor(id.RoleValues)
	if !ok {
		err := Errorf(EFORBIDDEN, "Your account at the identity provider has no role in this portal. Ask an admin to add you to one of its groups.")
		s.fail(ctx, err, remoteAddr)
		return nil, err
	}
	res, err := s.Users.SignInExternal(ctx, ExternalSignIn{
		Identity: *id, Role: role, RoleFromClaims: s.Roles.Claim != "",
		Username: SSOUsername(*id), DisplayName: SSODisplayName(*id), Email: id.TrustedEmail(),
		RemoteAddr: remoteAddr,
	})
	if err != nil {
		s.fail(ctx, err, remoteAddr)
		return nil, err
	}
	return res, nil
}

// Refuse audits a sign-in refused before the provider was asked (a bad or replayed state, an
// error from the provider) and returns err.
func (s *SSOService) Refuse(ctx context.Context, err error, remoteAddr string) error {
	s.fail(ctx, err, remoteAddr)
	return err
}

func (s *SSOService) fail(ctx context.Context, err error, remoteAddr string) {
	reason := ErrorMessage(err)
	if c := ErrorCode(err); c == EINTERNAL || c == "" {
		reason = "internal error"
	}
	// An audit failure must not turn a refusal into another answer; the refusal stands.
	_ = s.Users.RecordSignInFailure(NewSystemContext(ctx, "sso"), reason, remoteAddr)
}
