package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tftsr/db"
	"tftsr/db/dbtest"
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
