package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"tftsr/db"
	"tftsr/db/dbtest"
	"tftsr/domain"
)

func TestDB_Migrate(t *testing.T) {
	t.Parallel()
	d, _ := MustOpenDB(t)
	ctx := context.Background()

	t.Run("Status", func(t *testing.T) {
		lines, err := d.Migrate(ctx, "status")
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) == 0 || !strings.Contains(lines[0], "00001_foundation.sql") || !strings.Contains(lines[0], "applied") {
			t.Fatalf("status = %q, want the foundation migration applied", lines)
		}
	})
	t.Run("UpToDate", func(t *testing.T) {
		lines, err := d.Migrate(ctx, "up")
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) != 1 || lines[0] != "no pending migrations" {
			t.Fatalf("up = %q", lines)
		}
		if err := d.Ready(ctx); err != nil {
			t.Fatalf("Ready = %v", err)
		}
	})
	t.Run("DownAndUp", func(t *testing.T) {
		// Roll back every migration, latest first, until none is left.
		for i := 0; ; i++ {
			lines, err := d.Migrate(ctx, "down")
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) == 1 && lines[0] == "no migration to roll back" {
				break
			}
			if i > 100 {
				t.Fatal("down never ran out of migrations")
			}
		}
		if n := mustCount(t, d, `SELECT count(*) FROM pg_tables WHERE tablename = 'issues'`); n != 0 {
			t.Fatalf("issues table still there after down")
		}
		if err := d.Ready(ctx); err == nil || !strings.Contains(err.Error(), "pending") {
			t.Fatalf("Ready after down = %v, want pending migrations", err)
		}
		lines, err := d.Migrate(ctx, "status")
		if err != nil || !strings.Contains(lines[0], "pending") {
			t.Fatalf("status after down = %q, %v", lines, err)
		}
		if _, err := d.Migrate(ctx, "up"); err != nil {
			t.Fatal(err)
		}
		if err := d.Ready(ctx); err != nil {
			t.Fatalf("Ready after up = %v", err)
		}
	})
	t.Run("ErrDirection", func(t *testing.T) {
		_, err := d.Migrate(ctx, "sideways")
		wantCode(t, err, "invalid")
	})
}

func TestDB_BeginTx(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t)
	d.Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("X", 3600)) }
	tx, err := d.BeginTx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	want := time.Date(2026, 1, 2, 2, 4, 5, 123456000, time.UTC)
	if got := tx.Now(); !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("tx.Now() = %v, want %v in UTC", got, want)
	}
}

func TestOpen_Err(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := db.Open(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"); err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
}

// TestDB_Unavailable checks that a database that cannot be reached, or whose connection is
// ended mid-transaction, is reported as EUNAVAILABLE, while errors about the query itself keep
// their identity.
func TestDB_Unavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("Unreachable", func(t *testing.T) {
		pool, err := pgxpool.New(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable")
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		d := &db.DB{Pool: pool, Now: time.Now}
		if _, err := d.BeginTx(ctx); domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Fatalf("BeginTx on a closed port: %v (code %s), want EUNAVAILABLE", err, domain.ErrorCode(err))
		}
	})
	t.Run("ConnectionEnded", func(t *testing.T) {
		d := dbtest.New(t)
		tx, err := d.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		var pid int
		if err := tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if err := tx.QueryRow(ctx, "SELECT 1 WHERE false").Scan(&pid); !errors.Is(err, pgx.ErrNoRows) {
			t.Errorf("no rows: %v, want pgx.ErrNoRows", err)
		}
		var pgErr *pgconn.PgError
		if _, err := tx.Exec(ctx, "SELEC 1"); !errors.As(err, &pgErr) || domain.ErrorCode(err) != domain.EINTERNAL {
			t.Errorf("syntax error: %v, want the driver's error", err)
		}
		if _, err := d.Pool.Exec(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(ctx, "SELECT 1")
		if domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Errorf("statement after the connection ended: %v (code %s), want EUNAVAILABLE", err, domain.ErrorCode(err))
		}
	})
}
