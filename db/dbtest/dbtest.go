// Package dbtest gives tests their own migrated PostgreSQL database in milliseconds: the first
// request in a test binary creates a template database and migrates it once, and every test then
// gets a copy made with CREATE DATABASE … TEMPLATE, dropped when the test ends.
//
// The server is the one TEST_DATABASE_URL names (for example
// postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable); its user must be able to create
// databases. Without it the tests are skipped. A package using dbtest calls Main from its
// TestMain so that the template is dropped when the binary ends.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"tftsr/db"
	"tftsr/domain"
)

// MasterKey is the master key of the test binary: New keys the audit chain with it, and tests
// that run the program give it as TFTSR_DB_KEY (MasterKeyBase64).
var MasterKey = func() []byte {
	k := make([]byte, domain.MasterKeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return k
}()

// MasterKeyBase64 is MasterKey as TFTSR_DB_KEY spells it.
func MasterKeyBase64() string { return base64.StdEncoding.EncodeToString(MasterKey) }

// AuditKeys returns the audit keys derived from MasterKey.
func AuditKeys() *domain.AuditKeys {
	k, err := domain.NewAuditKeys(MasterKey)
	if err != nil {
		panic(err)
	}
	return k
}

// EnvVar names the environment variable holding the test server's URL.
const EnvVar = "TEST_DATABASE_URL"

// template is the per-binary state: the maintenance pool and the migrated template.
var template struct {
	once  sync.Once
	err   error
	admin *pgxpool.Pool // on the maintenance database, for CREATE and DROP DATABASE
	name  string        // the template database
}

// Main runs the tests of m and then drops the template database. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Close()
	os.Exit(code)
}

// Close drops the template database, if one was made, and closes the maintenance pool.
func Close() {
	if template.admin == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if template.name != "" {
		if _, err := template.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{template.name}.Sanitize()+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "dbtest: drop template %s: %v\n", template.name, err)
		}
	}
	template.admin.Close()
	template.admin = nil
}

// New returns a fresh, migrated database of its own for tb, its audit chain keyed with
// MasterKey, closed and dropped when tb ends. It skips tb when TEST_DATABASE_URL is unset.
func New(tb testing.TB) *db.DB {
	tb.Helper()
	dsn := DSN(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := db.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("dbtest: open test database: %v", err)
	}
	d.AuditKeys = AuditKeys()
	tb.Cleanup(d.Close) // cleanups run last-in first-out: this one before the drop
	return d
}

// DSN creates a fresh, migrated database for tb and returns its URL, for tests that open the
// database themselves (a whole server, say). The database is dropped when tb ends, forcibly
// closing any connection still open. It skips tb when TEST_DATABASE_URL is unset (fails it under
// TFTSR_REQUIRE_INTEGRATION=1).
func DSN(tb testing.TB) string {
	tb.Helper()
	if os.Getenv(EnvVar) == "" {
		if os.Getenv("TFTSR_REQUIRE_INTEGRATION") == "1" {
			tb.Fatalf("dbtest: %s is not set, and TFTSR_REQUIRE_INTEGRATION=1 requires the database tests to run", EnvVar)
		}
		tb.Skipf("dbtest: %s is not set; set it to a PostgreSQL server URL (e.g. postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable) to run database tests", EnvVar)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dsn, drop, err := NewDatabase(ctx)
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	tb.Cleanup(func() {
		if err := drop(); err != nil {
			tb.Errorf("dbtest: %v", err)
		}
	})
	return dsn
}

// NewDatabase creates a fresh, migrated database on the TEST_DATABASE_URL server and returns its
// URL and a function that drops it, forcibly closing any connection still open. It is for
// databases that outlive one test, such as a benchmark's seeded data; tests use New or DSN.
func NewDatabase(ctx context.Context) (dsn string, drop func() error, err error) {
	base := os.Getenv(EnvVar)
	if base == "" {
		return "", nil, fmt.Errorf("%s is not set", EnvVar)
	}
	template.once.Do(func() { template.err = makeTemplate(base) })
	if template.err != nil {
		return "", nil, template.err
	}
	name := "tftsr_t_" + randomSuffix()
	if _, err := template.admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+
		" TEMPLATE "+pgx.Identifier{template.name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("create test database: %w", err)
	}
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := template.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop test database %s: %w", name, err)
		}
		return nil
	}
	dsn, err = WithDatabase(base, name)
	if err != nil {
		drop()
		return "", nil, err
	}
	return dsn, drop, nil
}

// makeTemplate connects to the maintenance database and creates and migrates the template.
func makeTemplate(base string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg, err := pgxpool.ParseConfig(base)
	if err != nil {
		return fmt.Errorf("parse %s: %w", EnvVar, err)
	}
	cfg.MaxConns = 4
	admin, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", EnvVar, err)
	}
	if err := admin.Ping(ctx); err != nil {
		admin.Close()
		return fmt.Errorf("connect to %s: %w", EnvVar, err)
	}
	template.admin = admin

	name := fmt.Sprintf("tftsr_tmpl_%d_%s", os.Getpid(), randomSuffix())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	template.name = name

	dsn, err := WithDatabase(base, name)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open template database: %w", err)
	}
	// The template must have no connections left when it is copied, so close before returning.
	defer d.Close()
	if _, err := d.Migrate(ctx, "up"); err != nil {
		return fmt.Errorf("migrate template database: %w", err)
	}
	return nil
}

// WithDatabase returns dsn (a URL or a key=value string) pointing at database name.
func WithDatabase(dsn, name string) (string, error) {
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parse %s: %w", EnvVar, err)
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	return fmt.Sprintf("%s dbname=%s", dsn, name), nil
}

// randomSuffix returns 12 random hex digits for a database name.
func randomSuffix() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
