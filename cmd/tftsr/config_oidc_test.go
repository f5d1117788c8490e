package main

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"tftsr/domain"
)

func TestConfigOIDC(t *testing.T) {
	base := map[string]string{
		"TFTSR_BASE_URL":           "https://tftsr.example.com/",
		"TFTSR_OIDC_ISSUER":        "https://login.example.com/realms/it/",
		"TFTSR_OIDC_CLIENT_ID":     "tftsr",
		"TFTSR_OIDC_CLIENT_SECRET": "s3cret",
		"TFTSR_OIDC_ROLE_CLAIM":    "groups",
		"TFTSR_OIDC_ROLE_MAP":      "tftsr-admins=admin, sre=responder,staff=viewer",
		"TFTSR_OIDC_DEFAULT_ROLE":  "none",
		"TFTSR_LOCAL_LOGIN":        "off",
		"TFTSR_BREAK_GLASS_USERS":  "admin, root",
	}
	load := func(env map[string]string) (config, error) {
		return loadConfig(func(k string) string { return env[k] })
	}
	c, err := load(base)
	if err != nil {
		t.Fatal(err)
	}
	o := c.OIDC
	if o.Issuer != "https://login.example.com/realms/it/" || o.ClientID != "tftsr" || o.ClientSecret != "s3cret" ||
		o.Name != "single sign-on" || !slices.Equal(o.Scopes, []string{"openid", "profile", "email"}) {
		t.Errorf("oidc %+v", o)
	}
	if c.RedirectURL() != "https://tftsr.example.com/auth/oidc/callback" {
		t.Errorf("redirect URL %s", c.RedirectURL())
	}
	if o.Roles.Claim != "groups" || o.Roles.Default != "" || len(o.Roles.Values) != 3 || o.Roles.Values["sre"] != domain.RoleResponder {
		t.Errorf("roles %+v", o.Roles)
	}
	if !c.Passwords.Off || !slices.Equal(c.Passwords.BreakGlass, []string{"admin", "root"}) {
		t.Errorf("passwords %+v", c.Passwords)
	}

	// Unset: no single sign-on, passwords for all.
	if c, err := load(map[string]string{}); err != nil || c.OIDC.Issuer != "" || c.Passwords.Off {
		t.Errorf("defaults: %+v %v", c.OIDC, err)
	}
	// Public client without a secret, default role viewer.
	pub := map[string]string{"TFTSR_BASE_URL": "https://t.example", "TFTSR_OIDC_ISSUER": "https://idp.example", "TFTSR_OIDC_CLIENT_ID": "x"}
	if c, err := load(pub); err != nil || c.OIDC.Roles.Default != domain.RoleViewer || c.OIDC.ClientSecret != "" {
		t.Errorf("public client: %+v %v", c.OIDC, err)
	}

	for _, tc := range []struct {
		change map[string]string
		want   string
	}{
		{map[string]string{"TFTSR_OIDC_ISSUER": ""}, "TFTSR_OIDC_ISSUER"},
		{map[string]string{"TFTSR_OIDC_ISSUER": "http://idp.example.com"}, "TFTSR_OIDC_ISSUER must be"},
		{map[string]string{"TFTSR_OIDC_ISSUER": "not a url"}, "TFTSR_OIDC_ISSUER must be"},
		{map[string]string{"TFTSR_OIDC_CLIENT_ID": ""}, "TFTSR_OIDC_CLIENT_ID"},
		{map[string]string{"TFTSR_BASE_URL": ""}, "TFTSR_BASE_URL"},
		{map[string]string{"TFTSR_OIDC_ROLE_MAP": "sre=root"}, "TFTSR_OIDC_ROLE_MAP"},
		{map[string]string{"TFTSR_OIDC_ROLE_MAP": "sre"}, "TFTSR_OIDC_ROLE_MAP"},
		{map[string]string{"TFTSR_OIDC_ROLE_CLAIM": ""}, "TFTSR_OIDC_ROLE_MAP needs TFTSR_OIDC_ROLE_CLAIM"},
		{map[string]string{"TFTSR_OIDC_DEFAULT_ROLE": "superuser"}, "TFTSR_OIDC_DEFAULT_ROLE"},
		{map[string]string{"TFTSR_OIDC_SCOPES": "profile email"}, "TFTSR_OIDC_SCOPES"},
		{map[string]string{"TFTSR_LOCAL_LOGIN": "maybe"}, "TFTSR_LOCAL_LOGIN must be on or off"},
		{map[string]string{"TFTSR_BREAK_GLASS_USERS": ""}, "TFTSR_BREAK_GLASS_USERS"},
	} {
		env := maps.Clone(base)
		maps.Copy(env, tc.change)
		if _, err := load(env); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %s", tc.change, err, tc.want)
		}
	}
	// Passwords off without single sign-on would lock everybody but break-glass out.
	if _, err := load(map[string]string{"TFTSR_LOCAL_LOGIN": "off", "TFTSR_BREAK_GLASS_USERS": "admin"}); err == nil ||
		!strings.Contains(err.Error(), "TFTSR_LOCAL_LOGIN=off needs TFTSR_OIDC_ISSUER") {
		t.Errorf("passwords off without SSO: %v", err)
	}
	// A client ID alone names the missing issuer.
	if _, err := load(map[string]string{"TFTSR_OIDC_CLIENT_ID": "x"}); err == nil || !strings.Contains(err.Error(), "TFTSR_OIDC_ISSUER") {
		t.Errorf("client ID without issuer: %v", err)
	}
	// http is accepted for a provider on this machine only.
	loop := maps.Clone(pub)
	loop["TFTSR_OIDC_ISSUER"] = "http://127.0.0.1:5556/dex"
	if _, err := load(loop); err != nil {
		t.Errorf("loopback issuer: %v", err)
	}
}
