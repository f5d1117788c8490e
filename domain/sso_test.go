package domain_test

import (
	"strings"
	"testing"

	"tftsr/domain"
)

func TestRoleMappingHighestWins(t *testing.T) {
	m := domain.RoleMapping{Claim: "groups", Default: domain.RoleViewer, Values: map[string]domain.Role{
		"admins": domain.RoleAdmin, "sre": domain.RoleResponder, "staff": domain.RoleViewer}}
	for _, tc := range []struct {
		values []string
		want   domain.Role
	}{
		{[]string{"staff", "admins", "sre"}, domain.RoleAdmin},
		{[]string{"staff", "sre"}, domain.RoleResponder},
		{[]string{"marketing"}, domain.RoleViewer},
		{nil, domain.RoleViewer},
	} {
		if r, ok := m.RoleFor(tc.values); !ok || r != tc.want {
			t.Errorf("%v: %s %v, want %s", tc.values, r, ok, tc.want)
		}
	}
	m.Default = ""
	if r, ok := m.RoleFor([]string{"marketing"}); ok {
		t.Errorf("unmapped without default: %s, want refused", r)
	}
}

func TestParseRoleMap(t *testing.T) {
	m, err := domain.ParseRoleMap(" a=admin ,b=responder,,c=viewer")
	if err != nil || len(m) != 3 || m["a"] != domain.RoleAdmin || m["c"] != domain.RoleViewer {
		t.Fatalf("%v %v", m, err)
	}
	for _, bad := range []string{"a", "=admin", "a=owner"} {
		if _, err := domain.ParseRoleMap(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSSOUsername(t *testing.T) {
	f := false
	for _, tc := range []struct {
		id   domain.ExternalIdentity
		want string
	}{
		{domain.ExternalIdentity{PreferredUsername: "alice", Email: "a@x.io"}, "alice"},
		{domain.ExternalIdentity{PreferredUsername: "Jürgen Groß"}, "J-rgen-Gro"},
		{domain.ExternalIdentity{Email: "bob@example.com"}, "bob@example.com"},
		{domain.ExternalIdentity{PreferredUsername: "!!!", Email: "carol@x.io"}, "carol@x.io"},
	} {
		if got := domain.SSOUsername(tc.id); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.id, got, tc.want)
		}
	}
	unverified := domain.ExternalIdentity{Issuer: "https://i", Subject: "s1", Email: "dan@x.io", EmailVerified: &f}
	if got := domain.SSOUsername(unverified); !strings.HasPrefix(got, "sso-") || unverified.TrustedEmail() != "" {
		t.Errorf("unverified e-mail used: %q", got)
	}
	long := domain.SSOUsername(domain.ExternalIdentity{PreferredUsername: strings.Repeat("x", 100)})
	if len(long) != domain.MaxUsernameLen || len(domain.UniqueUsername(long, 12)) != domain.MaxUsernameLen ||
		!strings.HasSuffix(domain.UniqueUsername(long, 12), "-12") || domain.UniqueUsername("bob", 1) != "bob" {
		t.Errorf("long names: %q", long)
	}
	if d := domain.SSODisplayName(domain.ExternalIdentity{Name: " Eve\x00\nE "}); d != "EveE" {
		t.Errorf("display name %q", d)
	}
}

func TestPasswordPolicy(t *testing.T) {
	if !(domain.PasswordPolicy{}).Allows("anyone") {
		t.Error("the zero policy refuses passwords")
	}
	p := domain.PasswordPolicy{Off: true, BreakGlass: []string{"admin"}}
	if !p.Allows(" Admin ") || p.Allows("rita") || p.Allows("") {
		t.Error("break-glass policy wrong")
	}
}
