// Package db is the PostgreSQL adapter of the portal: the connection pool, migrations, the
// types that implement the domain's storage ports, full-text search and the audit chain.
//
// Its types are named for the domain interface they implement:
//
//   - A …Service (IssueService, UserService, AuditService, SettingsService) implements the
//     domain interface of the same name, which is a whole use case: the handlers call it
//     directly, because everything it does happens in the database.
//   - A …Store (LogStore, ImageStore, DocumentStore, ActionItemStore, ChatStore, ProviderStore)
//     implements a storage port that a domain use case (domain.LogService, domain.ChatService, …)
//     composes with other ports: objects, PDFs, AI models. Handlers never see a store.
//
// Both kinds check the caller's role in the transaction that reads or writes, so that no route
// can skip authorization, and both are transaction-shaped: begin, defer rollback, unexported
// helpers taking the tx, commit.
package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"tftsr/domain"
	"tftsr/migrations"
)

// DB is a handle to the portal's database: a connection pool and the clock every transaction
// reads its time from.
type DB struct {
	Pool *pgxpool.Pool

	// Now returns the current time. Tests replace it to make timestamps predictable.
	Now func() time.Time

	// AuditKeys key the audit chain and sign its checkpoints. Without them nothing that writes
	// an audit entry works, and the chain cannot be verified: set them right after Open.
	AuditKeys *domain.AuditKeys
}

// Open connects to the database named by dsn (a postgres:// URL or key=value string) and checks
// that it answers.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	// A server that does not answer (stopped, or a network that drops packets) fails a request
	// within connectTimeout instead of holding it. The URL's connect_timeout wins.
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return &DB{Pool: pool, Now: time.Now}, nil
}

// connectTimeout bounds opening one connection when the URL sets no connect_timeout.
const connectTimeout = 5 * time.Second

// Close closes every connection of the pool.
func (db *DB) Close() {
	if db != nil && db.Pool != nil {
		db.Pool.Close()
	}
}

// Ready reports whether the database answers a query and has no pending migrations, for the
// readiness probe.
func (db *DB) Ready(ctx context.Context) error {
	var one int
	if err := db.Pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	p, closeProvider, err := db.provider()
	if err != nil {
		return err
	}
	defer closeProvider()
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("database migrations: %w", err)
	}
	if pending {
		return errors.New("database migrations are pending: run `tftsr migrate up`")
	}
	return nil
}

// Migrate applies the embedded migrations. Direction "up" applies every pending migration,
// "down" rolls back the latest one and "status" changes nothing. It returns printable lines that
// describe what was done, or the state of every migration for "status".
func (db *DB) Migrate(ctx context.Context, direction string) ([]string, error) {
	p, closeProvider, err := db.provider()
	if err != nil {
		return nil, err
	}
	defer closeProvider()

	var lines []string
	switch direction {
	case "up":
		results, err := p.Up(ctx)
		for _, r := range results {
			lines = append(lines, r.String())
		}
		if err != nil {
			return lines, fmt.Errorf("migrate up: %w", err)
		}
		if len(results) == 0 {
			lines = append(lines, "no pending migrations")
		}
	case "down":
		r, err := p.Down(ctx)
		if r != nil {
			lines = append(lines, r.String())
		}
		if errors.Is(err, goose.ErrNoNextVersion) {
			return []string{"no migration to roll back"}, nil
		} else if err != nil {
			return lines, fmt.Errorf("migrate down: %w", err)
		}
	case "status":
		statuses, err := p.Status(ctx)
		if err != nil {
			return nil, fmt.Errorf("migration status: %w", err)
		}
		for _, s := range statuses {
			applied := "pending"
			if s.State == goose.StateApplied {
				applied = "applied " + s.AppliedAt.UTC().Format(time.RFC3339)
			}
			lines = append(lines, fmt.Sprintf("%-8d %-40s %s", s.Source.Version, baseName(s.Source.Path), applied))
		}
	default:
		return nil, domain.Errorf(domain.EINVALID, "Unknown migration direction %q: use up, down or status.", direction)
	}
	return lines, nil
}

// provider returns a goose provider over the pool and the embedded migrations, and a function
// that releases it. A session advisory lock keeps two replicas from migrating at once.
func (db *DB) provider() (*goose.Provider, func(), error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, nil, fmt.Errorf("migration locker: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		sqlDB.Close()
		return nil, nil, fmt.Errorf("migration provider: %w", err)
	}
	return p, func() { p.Close() }, nil
}

func baseName(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// Tx is a database transaction that carries the time it started, truncated to the microsecond
// precision Postgres keeps, in UTC. Every timestamp a transaction writes is that time.
type Tx struct {
	pgx.Tx
	db  *DB
	now time.Time
}

// BeginTx starts a transaction.
func (db *DB) BeginTx(ctx context.Context) (*Tx, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", unavailable(err))
	}
	return &Tx{Tx: tx, db: db, now: db.Now().UTC().Truncate(time.Microsecond)}, nil
}

// Now returns the transaction's time.
func (tx *Tx) Now() time.Time { return tx.now }

// The statements of a transaction report a database that went away mid-transaction (a restart,
// a lost connection) as EUNAVAILABLE; every other error keeps its identity.

// Exec runs a statement.
func (tx *Tx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := tx.Tx.Exec(ctx, sql, args...)
	return tag, unavailable(err)
}

// Query runs a query; its rows report a lost connection like Exec.
func (tx *Tx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := tx.Tx.Query(ctx, sql, args...)
	if err != nil {
		return rows, unavailable(err)
	}
	return txRows{rows}, nil
}

// QueryRow runs a query of one row; its Scan reports a lost connection like Exec.
func (tx *Tx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return txRow{tx.Tx.QueryRow(ctx, sql, args...)}
}

// CopyFrom copies rows into a table.
func (tx *Tx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	n, err := tx.Tx.CopyFrom(ctx, table, columns, src)
	return n, unavailable(err)
}

// Commit commits the transaction.
func (tx *Tx) Commit(ctx context.Context) error {
	return unavailable(tx.Tx.Commit(ctx))
}

type txRow struct{ pgx.Row }

func (r txRow) Scan(dest ...any) error { return unavailable(r.Row.Scan(dest...)) }

type txRows struct{ pgx.Rows }

func (r txRows) Err() error { return unavailable(r.Rows.Err()) }

// Postgres error codes the adapter translates.
const (
	pgUniqueViolation          = "23505"
	pgForeignKeyViolation      = "23503"
	pgCheckViolation           = "23514"
	pgNotNullViolation         = "23502"
	pgInvalidText              = "22P02"
	pgCharacterNotInRepertoire = "22021"
)

// formatError translates a driver error into a domain error where one applies: no rows and
// malformed ids become ENOTFOUND, unique violations ECONFLICT, and foreign-key, check and
// not-null violations EINVALID. Other errors are returned as they are.
func formatError(err error) error {
	if err == nil {
		return nil
	}
	var derr *domain.Error
	if errors.As(err, &derr) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Errorf(domain.ENOTFOUND, "Not found.")
	}
	if isUnavailable(err) {
		return unavailable(err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case pgUniqueViolation:
			return domain.Errorf(domain.ECONFLICT, "That already exists.")
		case pgForeignKeyViolation, pgCheckViolation, pgNotNullViolation, pgCharacterNotInRepertoire:
			return domain.Errorf(domain.EINVALID, "That value is not allowed.")
		case pgInvalidText:
			return domain.Errorf(domain.ENOTFOUND, "Not found.")
		}
	}
	return err
}

// unavailable reports a failure to reach the database as EUNAVAILABLE, keeping the cause for
// the log; other errors are returned as they are.
func unavailable(err error) error {
	if !isUnavailable(err) {
		return err
	}
	return fmt.Errorf("%w: %v", domain.Errorf(domain.EUNAVAILABLE, "The database is unavailable. Try again shortly."), err)
}

// isUnavailable reports whether err says that the database could not be reached or went away:
// a failed connect, a lost connection, a server shutting down or starting up, or no free
// connection before the request's deadline. Errors about the query itself are not.
func isUnavailable(err error) bool {
	var derr *domain.Error
	if err == nil || errors.As(err, &derr) || errors.Is(err, context.Canceled) {
		return false
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08 is connection exceptions; 57P01-57P03 are admin shutdown, crash shutdown and
		// "cannot connect now" (starting up); 53300 is too many connections.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" ||
			pgErr.Code == "57P03" || pgErr.Code == "53300"
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) || pgconn.SafeToRetry(err)
}

// notFound translates err like formatError, but names what was not found.
func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Errorf(domain.ENOTFOUND, "%s not found.", what)
	}
	return formatError(err)
}

// isUniqueViolation reports whether err is a unique violation, of constraint when one is given.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == pgUniqueViolation &&
		(constraint == "" || pgErr.ConstraintName == constraint)
}

// newID returns a new UUID v7 as a string.
func newID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// parseID returns id in canonical form, and false when it is not a UUID. An id that is not a
// UUID names nothing, so callers answer ENOTFOUND.
func parseID(id string) (string, bool) {
	u, err := uuid.Parse(strings.TrimSpace(id))
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// utcPtr returns t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// collect reads every row with scan and closes rows; errors say what was being read.
func collect[T any](rows pgx.Rows, what string, scan func(pgx.Row) (T, error)) ([]T, error) {
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return items, nil
}
