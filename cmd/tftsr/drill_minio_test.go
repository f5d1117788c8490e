//go:build drill

package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"tftsr/blob"
	"tftsr/db"
)

// TestDrillMinIOStoppedMidUpload stops the object store while a 100 MB log streams in: the
// upload fails with a clear 503, and neither a row without its object nor an object without its
// row is left. Once MinIO is back the same upload succeeds, and the sweeper removes an orphaned
// object planted under the logs' prefix.
func TestDrillMinIOStoppedMidUpload(t *testing.T) {
	m := startMinIO(t)
	p := startPortalEnv(t, map[string]string{
		"DATABASE_URL":        newDatabase(t),
		"TFTSR_S3_ENDPOINT":   m.Endpoint,
		"TFTSR_S3_ACCESS_KEY": m.AccessKey,
		"TFTSR_S3_SECRET_KEY": m.SecretKey,
		"TFTSR_S3_BUCKET":     "tftsr-drill",
		"TFTSR_DATA_DIR":      t.TempDir(),
	})
	token := p.apiToken(t)
	issue := p.createIssue(t, token, `{"title":"Batch import stalled","severity":"medium","category":"application"}`)
	store, err := blob.Open(blob.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: "tftsr-drill"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	objects := func() []string {
		t.Helper()
		var keys []string
		if err := store.List(ctx, "", time.Time{}, func(k string) error { keys = append(keys, k); return nil }); err != nil {
			t.Fatalf("listing the bucket: %v", err)
		}
		return keys
	}

	// 85 MB in, the first 16 MB part of the compressed log is stored and the next is on its way.
	const size = 100 << 20
	status, body, err := p.uploadLog(ctx, token, issue, "import.log", size, 85<<20, func() { m.stop(syscall.SIGKILL) })
	if err != nil {
		t.Fatalf("upload while MinIO stopped: no answer: %v", err)
	}
	code, msg, shapeErr := errorShape(body)
	if status != http.StatusServiceUnavailable || shapeErr != nil || code != "unavailable" || !strings.Contains(msg, "storage") {
		t.Errorf("upload while MinIO stopped: %d %q %q %v; want 503 unavailable saying the file storage is down", status, code, msg, shapeErr)
	}
	if n := p.queryInt(t, `SELECT count(*) FROM log_files`); n != 0 {
		t.Errorf("%d log rows after the failed upload", n)
	}
	m.start()
	if keys := objects(); len(keys) != 0 {
		t.Errorf("objects after the failed upload: %v", keys)
	}

	status, body, err = p.uploadLog(ctx, token, issue, "import.log", size, 0, nil)
	if err != nil || status != http.StatusCreated {
		t.Fatalf("upload once MinIO is back: %d %.300s %v", status, body, err)
	}
	keys := objects()
	if n := p.queryInt(t, `SELECT count(*) FROM log_files WHERE object_key = ANY($1)`, keys); n != 1 || len(keys) != 1 {
		t.Errorf("after the retry: objects %v, %d log rows naming them; want one of each", keys, n)
	}

	// An orphan as a crash between storing an object and committing its row leaves it.
	orphan := fmt.Sprintf("logs/%s/%s.txt.gz", issue, uuid.Must(uuid.NewV7()))
	if err := store.Put(ctx, orphan, strings.NewReader("orphan"), 6, "application/gzip"); err != nil {
		t.Fatal(err)
	}
	database, err := db.Open(ctx, p.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close()
	sweeper := newSweeper(store, db.NewImageStore(database), db.NewLogStore(database))
	if n, err := sweeper.Sweep(ctx); err != nil || n != 0 {
		t.Errorf("sweep within the grace period removed %d objects (%v); an upload in flight may own them", n, err)
	}
	sweeper.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if n, err := sweeper.Sweep(ctx); err != nil || n != 1 {
		t.Errorf("sweep removed %d objects (%v), want the orphan", n, err)
	}
	if after := objects(); len(after) != 1 || after[0] != keys[0] {
		t.Errorf("objects after the sweep: %v, want only the log's %v", after, keys)
	}
}
