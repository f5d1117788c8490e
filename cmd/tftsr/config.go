package main

import (
	"encoding/base64"
	"fmt"
	"net"
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
	// Path is the PATH where backup and restore look for pg_dump and pg_restore.
	Path string
}

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
	if v := strings.TrimSpace(getenv("TFTSR_DB_KEY")); v != "" {
		key, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(key) != 32 {
			return c, fmt.Errorf("TFTSR_DB_KEY must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)")
		}
		c.DBKey = key
	}
	return c, nil
}
