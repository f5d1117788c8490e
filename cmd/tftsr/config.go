package main

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"tftsr/domain"
)

// config is the portal's settings, read from the environment.
type config struct {
	DatabaseURL string
	S3Endpoint  string
	S3AccessKey string
	S3SecretKey string
	S3Bucket    string
	S3Secure    bool
	ChromePath  string
	Addr        string
	BaseURL     string
	DBKey       []byte
	// DataDir holds the portal's own files: secret.key, the master key of provider API keys
	// when TFTSR_DB_KEY is unset. TFTSR_DATA_DIR, by default .data.
	DataDir string
	// MigrateDatabaseURL is the database as the role that owns the schema, for migrations
	// (TFTSR_MIGRATE_DATABASE_URL); by default DatabaseURL. With it the portal can serve as a
	// role that owns nothing (scripts/roles.sql).
	MigrateDatabaseURL string
	// LogLimits bound log uploads: TFTSR_LOG_MAX_MB (text of one log once decompressed),
	// TFTSR_LOG_MAX_UPLOAD_MB (one upload's body) and TFTSR_LOG_MAX_ARCHIVE_FILES (files of one
	// zip archive). Unset ones take the defaults.
	LogLimits domain.LogLimits
	// TrustedProxies are the proxies in front of the portal whose X-Forwarded-For is believed
	// (TFTSR_TRUSTED_PROXIES, comma-separated CIDRs); none by default, so the client address is
	// the connection's peer.
	TrustedProxies []*net.IPNet
	// OIDC is single sign-on through an OpenID Connect provider; its Issuer is empty when off.
	OIDC oidcConfig
	// Passwords says who may sign in with a password (TFTSR_LOCAL_LOGIN,
	// TFTSR_BREAK_GLASS_USERS).
	Passwords domain.PasswordPolicy
	// Path is the PATH where backup and restore look for pg_dump and pg_restore.
	Path string
}

// oidcConfig is single sign-on's settings: TFTSR_OIDC_ISSUER, TFTSR_OIDC_CLIENT_ID,
// TFTSR_OIDC_CLIENT_SECRET, TFTSR_OIDC_NAME, TFTSR_OIDC_SCOPES, TFTSR_OIDC_ROLE_CLAIM,
// TFTSR_OIDC_ROLE_MAP and TFTSR_OIDC_DEFAULT_ROLE.
type oidcConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	Name         string
	Scopes       []string
	Roles        domain.RoleMapping
}

// RedirectURL is the callback URL to register at the provider.
func (c config) RedirectURL() string { return c.BaseURL + "/auth/oidc/callback" }

// loadConfig reads the settings, defaulting to the local services that `make services` starts.
func loadConfig(getenv func(string) string) (config, error) {
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	c := config{
		DatabaseURL: get("DATABASE_URL", "postgres://postgres@127.0.0.1:5433/tftsr?sslmode=disable"),
		S3Endpoint:  get("TFTSR_S3_ENDPOINT", "127.0.0.1:9000"),
		S3AccessKey: get("TFTSR_S3_ACCESS_KEY", "tftsrdev"),
		S3SecretKey: get("TFTSR_S3_SECRET_KEY", "tftsrdev-secret-key"),
		S3Bucket:    get("TFTSR_S3_BUCKET", "tftsr"),
		ChromePath:  get("TFTSR_CHROME_PATH", "/usr/bin/chromium"),
		Addr:        get("TFTSR_ADDR", "127.0.0.1:8080"),
		BaseURL:     strings.TrimRight(get("TFTSR_BASE_URL", ""), "/"),
		DataDir:     get("TFTSR_DATA_DIR", ".data"),
		Path:        getenv("PATH"),
	}
	c.MigrateDatabaseURL = get("TFTSR_MIGRATE_DATABASE_URL", c.DatabaseURL)
	if v := getenv("TFTSR_S3_SECURE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("TFTSR_S3_SECURE must be true or false, not %q", v)
		}
		c.S3Secure = b
	}
	for _, l := range []struct {
		key   string
		scale int64
		dest  *int64
	}{
		{"TFTSR_LOG_MAX_MB", 1 << 20, &c.LogLimits.MaxBytes},
		{"TFTSR_LOG_MAX_UPLOAD_MB", 1 << 20, &c.LogLimits.MaxUploadBytes},
		{"TFTSR_LOG_MAX_ARCHIVE_FILES", 1, nil},
	} {
		v := strings.TrimSpace(getenv(l.key))
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 || n > 1<<20 {
			return c, fmt.Errorf("%s must be a positive whole number, not %q", l.key, v)
		}
		if l.dest == nil {
			c.LogLimits.MaxMembers = int(n)
		} else {
			*l.dest = n * l.scale
		}
	}
	for _, v := range strings.Split(getenv("TFTSR_TRUSTED_PROXIES"), ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		_, n, err := net.ParseCIDR(v)
		if err != nil {
			return c, fmt.Errorf("TFTSR_TRUSTED_PROXIES must be comma-separated CIDRs such as 10.0.0.0/8, not %q", v)
		}
		c.TrustedProxies = append(c.TrustedProxies, n)
	}
	if err := loadOIDCConfig(&c, get); err != nil {
		return c, err
	}
	if v := strings.TrimSpace(getenv("TFTSR_DB_KEY")); v != "" {
		key, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(key) != 32 {
			return c, fmt.Errorf("TFTSR_DB_KEY must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)")
		}
		c.DBKey = key
	}
	return c, nil
}

// loadOIDCConfig reads single sign-on's settings and the password policy into c.
func loadOIDCConfig(c *config, get func(key, def string) string) error {
	o := oidcConfig{
		Issuer:       get("TFTSR_OIDC_ISSUER", ""), // exactly as the provider says: Authentik's ends in "/"
		ClientID:     get("TFTSR_OIDC_CLIENT_ID", ""),
		ClientSecret: get("TFTSR_OIDC_CLIENT_SECRET", ""),
		Name:         get("TFTSR_OIDC_NAME", "single sign-on"),
		Scopes:       strings.Fields(strings.ReplaceAll(get("TFTSR_OIDC_SCOPES", "openid profile email"), ",", " ")),
	}
	o.Roles.Claim = get("TFTSR_OIDC_ROLE_CLAIM", "")
	if o.Issuer == "" {
		for _, k := range []string{"TFTSR_OIDC_CLIENT_ID", "TFTSR_OIDC_CLIENT_SECRET", "TFTSR_OIDC_ROLE_CLAIM", "TFTSR_OIDC_ROLE_MAP", "TFTSR_OIDC_DEFAULT_ROLE"} {
			if get(k, "") != "" {
				return fmt.Errorf("%s is set but TFTSR_OIDC_ISSUER is not: set the issuer URL of the OpenID Connect provider, or unset %s", k, k)
			}
		}
	} else {
		u, err := url.Parse(o.Issuer)
		local := err == nil && (u.Hostname() == "localhost" || net.ParseIP(u.Hostname()) != nil && net.ParseIP(u.Hostname()).IsLoopback())
		if err != nil || u.Host == "" || !(u.Scheme == "https" || u.Scheme == "http" && local) {
			return fmt.Errorf("TFTSR_OIDC_ISSUER must be the provider's https:// issuer URL, not %q", o.Issuer)
		}
		if o.ClientID == "" {
			return fmt.Errorf("TFTSR_OIDC_CLIENT_ID is required with TFTSR_OIDC_ISSUER: the client (application) ID registered at the provider")
		}
		if c.BaseURL == "" {
			return fmt.Errorf("TFTSR_BASE_URL is required with TFTSR_OIDC_ISSUER: the redirect URL registered at the provider is TFTSR_BASE_URL/auth/oidc/callback")
		}
		if !slices.Contains(o.Scopes, "openid") {
			return fmt.Errorf("TFTSR_OIDC_SCOPES must include openid, not %q", strings.Join(o.Scopes, " "))
		}
		if v := get("TFTSR_OIDC_ROLE_MAP", ""); v != "" {
			if o.Roles.Claim == "" {
				return fmt.Errorf("TFTSR_OIDC_ROLE_MAP needs TFTSR_OIDC_ROLE_CLAIM, the claim holding the groups or roles it maps (e.g. groups)")
			}
			m, err := domain.ParseRoleMap(v)
			if err != nil {
				return fmt.Errorf("TFTSR_OIDC_ROLE_MAP must be VALUE=ROLE pairs separated by commas: %v", err)
			}
			o.Roles.Values = m
		}
		switch v := get("TFTSR_OIDC_DEFAULT_ROLE", "viewer"); v {
		case "none":
		default:
			if !domain.Role(v).Valid() {
				return fmt.Errorf("TFTSR_OIDC_DEFAULT_ROLE must be admin, responder, viewer or none, not %q", v)
			}
			o.Roles.Default = domain.Role(v)
		}
	}
	c.OIDC = o

	switch v := strings.ToLower(get("TFTSR_LOCAL_LOGIN", "on")); v {
	case "on":
	case "off":
		c.Passwords.Off = true
	default:
		return fmt.Errorf("TFTSR_LOCAL_LOGIN must be on or off, not %q", v)
	}
	for _, name := range strings.Split(get("TFTSR_BREAK_GLASS_USERS", ""), ",") {
		if name = strings.TrimSpace(name); name != "" {
			c.Passwords.BreakGlass = append(c.Passwords.BreakGlass, name)
		}
	}
	if c.Passwords.Off {
		if o.Issuer == "" {
			return fmt.Errorf("TFTSR_LOCAL_LOGIN=off needs TFTSR_OIDC_ISSUER: without single sign-on nobody could sign in")
		}
		if len(c.Passwords.BreakGlass) == 0 {
			return fmt.Errorf("TFTSR_LOCAL_LOGIN=off needs TFTSR_BREAK_GLASS_USERS: at least one admin must keep a password for when the identity provider is down")
		}
	}
	return nil
}
