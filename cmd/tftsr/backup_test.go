package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"tftsr/blob"
	"tftsr/blob/blobtest"
	"tftsr/db"
	"tftsr/db/dbtest"
	"tftsr/domain"
	"tftsr/pdf"
)

// backupEnv is the CLI's environment for a database and a bucket.
func backupEnv(dsn string, bucket blob.Config) map[string]string {
	return map[string]string{"DATABASE_URL": dsn, "TFTSR_DB_KEY": dbtest.MasterKeyBase64(),
		"TFTSR_S3_ENDPOINT": bucket.Endpoint, "TFTSR_S3_ACCESS_KEY": bucket.AccessKey,
		"TFTSR_S3_SECRET_KEY": bucket.SecretKey, "TFTSR_S3_BUCKET": bucket.Bucket, "PATH": os.Getenv("PATH")}
}

// blankDatabase creates a database without any table on the test server, dropped when t ends.
func blankDatabase(t *testing.T) string {
	t.Helper()
	dbtest.DSN(t) // skips or fails the test without a server, as every database test does
	base := os.Getenv(dbtest.EnvVar)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	name := "tftsr_restore_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))
	name = name[:min(len(name), 40)] + fmt.Sprintf("_%d", os.Getpid())
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	dsn, err := dbtest.WithDatabase(base, name)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// seedPortal fills a database and a bucket with incidents, logs (a reviewed one with a redacted
// copy, a multi-megabyte one, one that is not UTF-8), an image, a document and audit entries.
// It returns the uploaded log texts by log id.
func seedPortal(t *testing.T, dsn string, store *blob.Store) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	database, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close()
	database.AuditKeys = dbtest.AuditKeys()
	sys := domain.NewSystemContext(ctx, "test")
	issues := db.NewIssueService(database)
	first, err := issues.CreateIssue(sys, domain.NewIssue{Title: "Mail relay drops <b>messages</b>", Description: "Since 09:00"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := issues.CreateIssue(sys, domain.NewIssue{Title: "Disk full on db-2"})
	if err != nil {
		t.Fatal(err)
	}
	logs := domain.NewLogService(db.NewLogStore(database), store, domain.LogLimits{})
	logs.TempDir = t.TempDir()
	var big bytes.Buffer
	for i := 0; big.Len() < 3<<20; i++ {
		fmt.Fprintf(&big, "2026-12-01T10:%02d:%02d kernel: disk sda%d I/O error, sector %d\n", i/60%60, i%60, i%7, i*977)
	}
	texts := map[string][]byte{}
	for _, f := range []struct {
		issue, name string
		text        []byte
	}{
		{first.ID, "relay.log", []byte("10:00 delivery to alice@example.com failed\n10:01 retry from 10.1.2.3\n")},
		{second.ID, "kernel.log", big.Bytes()},
		{second.ID, "latin1.log", []byte("Fehler in Gr\xf6\xdfe \xff\xfe\x80 bytes\n")},
	} {
		l, err := logs.UploadLog(sys, f.issue, f.name, bytes.NewReader(f.text))
		if err != nil {
			t.Fatalf("upload %s: %v", f.name, err)
		}
		texts[l[0].ID] = f.text
		if f.name == "relay.log" {
			if _, err := logs.ApplyRedactions(sys, l[0].ID, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	images := domain.NewImageService(db.NewImageStore(database), store, blob.NewThumbnailer(1), domain.DefaultImageLimits)
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), uint8(x ^ y), 255})
		}
	}
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		t.Fatal(err)
	}
	if _, err := images.Upload(sys, first.ID, domain.ImageUpload{FileName: "queue.png", Data: pngData.Bytes(), PIIWarningAcknowledged: true}); err != nil {
		t.Fatal(err)
	}
	renderer := pdf.New(pdf.Config{ChromePath: os.Getenv("TEST_CHROME_PATH")}) // drafting starts no browser
	defer renderer.Close()
	docs := domain.NewDocumentService(db.NewDocumentStore(database), db.NewActionItemStore(database), issues, renderer, store, db.NewSettingsService(database))
	if _, err := docs.Generate(sys, first.ID, domain.DocumentRCA); err != nil {
		t.Fatal(err)
	}
	return texts
}

// tableRows returns every row of the tables a restore must bring back, as JSON text.
func tableRows(t *testing.T, dsn string) map[string]string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows := map[string]string{}
	for _, table := range []string{"users", "issues", "log_files", "pii_spans", "image_attachments", "documents",
		"document_versions", "timeline_events", "audit_log", "audit_checkpoints", "settings"} {
		var s *string
		if err := conn.QueryRow(ctx, `SELECT string_agg(r, E'\n' ORDER BY r) FROM (SELECT row_to_json(t)::text AS r FROM `+table+` t) x`).Scan(&s); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if s != nil {
			rows[table] = *s
		}
	}
	return rows
}

// bucketObjects returns the SHA-256 of every object of the bucket by key.
func bucketObjects(t *testing.T, store *blob.Store) map[string][32]byte {
	t.Helper()
	ctx := context.Background()
	objects := map[string][32]byte{}
	if err := store.ListSizes(ctx, "", func(key string, _ int64) error {
		r, err := store.Get(ctx, key)
		if err != nil {
			return err
		}
		defer r.Close()
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil {
			return err
		}
		objects[key] = [32]byte(h.Sum(nil))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return objects
}

// openLogText reads a log's original text through the portal's own log service.
func openLogText(t *testing.T, dsn string, store *blob.Store, id string) []byte {
	t.Helper()
	ctx := context.Background()
	database, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close()
	database.AuditKeys = dbtest.AuditKeys()
	logs := domain.NewLogService(db.NewLogStore(database), store, domain.LogLimits{})
	_, r, err := logs.Open(domain.NewSystemContext(ctx, "test"), id, true, "test")
	if err != nil {
		t.Fatalf("open log %s: %v", id, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	srcDSN := dbtest.DSN(t)
	srcCfg := blobtest.Config(t)
	srcStore := blobtest.OpenConfig(t, srcCfg)
	src := backupEnv(srcDSN, srcCfg)
	if out, err := runCLI(t, src, "a long enough password\n", "user", "create", "--username", "restorer", "--role", "admin", "--password-stdin"); err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	texts := seedPortal(t, srcDSN, srcStore)
	if out, err := runCLI(t, src, "", "audit", "checkpoint"); err != nil {
		t.Fatalf("audit checkpoint: %v %s", err, out)
	}

	dir := t.TempDir()
	archive := filepath.Join(dir, "portal.tar.gz")
	out, err := runCLI(t, src, "", "backup", archive)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`^backup \S+: 2 incidents, 3 logs, 1 images, 1 documents, \d+ audit entries; database dump \d+ bytes; 6 objects, \d+ bytes\n$`).MatchString(out) {
		t.Errorf("backup printed %q", out)
	}
	if _, err := runCLI(t, src, "", "backup", archive); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a backup over an existing file: %v, want it refused", err)
	}

	dstDSN := blankDatabase(t)
	dstCfg := blobtest.Config(t)
	dst := backupEnv(dstDSN, dstCfg)
	out, err = runCLI(t, dst, "", "restore", archive)
	if err != nil || !strings.Contains(out, "restored ") || !strings.Contains(out, "2 incidents, 3 logs, 1 images, 1 documents") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	dstStore := blobtest.OpenConfig(t, dstCfg)

	srcRows, dstRows := tableRows(t, srcDSN), tableRows(t, dstDSN)
	for table, want := range srcRows {
		if dstRows[table] != want {
			t.Errorf("table %s differs after the restore:\n got %.300s\nwant %.300s", table, dstRows[table], want)
		}
	}
	if srcRows["audit_log"] == "" || srcRows["document_versions"] == "" || srcRows["image_attachments"] == "" {
		t.Fatal("the seeded portal is missing rows it should have")
	}
	srcObjects, dstObjects := bucketObjects(t, srcStore), bucketObjects(t, dstStore)
	if len(srcObjects) != 6 || len(dstObjects) != len(srcObjects) {
		t.Errorf("objects: %d in the source, %d restored, want 6", len(srcObjects), len(dstObjects))
	}
	for key, sum := range srcObjects {
		if dstObjects[key] != sum {
			t.Errorf("object %s differs after the restore", key)
		}
	}
	for id, uploaded := range texts {
		want := openLogText(t, srcDSN, srcStore, id)
		if got := openLogText(t, dstDSN, dstStore, id); !bytes.Equal(got, want) {
			t.Errorf("log %s: restored %d bytes, differ from the %d of the source", id, len(got), len(want))
		}
		if utf8.Valid(uploaded) && !bytes.Equal(want, uploaded) {
			t.Errorf("log %s: the source reads %d bytes, not the %d uploaded", id, len(want), len(uploaded))
		}
	}
	out, err = runCLI(t, dst, "", "audit", "verify")
	if err != nil || !regexp.MustCompile(`^ok [1-9]\d* entries, 1 checkpoints\n$`).MatchString(out) {
		t.Errorf("audit verify after the restore: %v %q", err, out)
	}

	// The target is no longer empty: refused, then replaced with --force.
	if out, err := runCLI(t, dst, "", "restore", archive); err == nil || !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore into a non-empty target: %v %s", err, out)
	}
	if err := dstStore.Put(context.Background(), "logs/stray/object", strings.NewReader("stray"), 5, "text/plain"); err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(t, dst, "a long enough password\n", "user", "create", "--username", "newcomer", "--role", "viewer", "--password-stdin"); err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	out, err = runCLI(t, dst, "", "restore", "--force", archive)
	if err != nil || !strings.Contains(out, "WARNING: --force") {
		t.Fatalf("restore --force: %v\n%s", err, out)
	}
	if rows := tableRows(t, dstDSN); rows["users"] != srcRows["users"] || rows["audit_log"] != srcRows["audit_log"] {
		t.Error("restore --force left rows that are not the backup's")
	}
	if objects := bucketObjects(t, dstStore); len(objects) != len(srcObjects) {
		t.Errorf("restore --force: %d objects, want the backup's %d", len(objects), len(srcObjects))
	}
	if out, err := runCLI(t, dst, "", "audit", "verify"); err != nil || !strings.HasPrefix(out, "ok ") {
		t.Errorf("audit verify after restore --force: %v %q", err, out)
	}

	// Through standard output and standard input, into a database the migrations made.
	var tarOut, errOut bytes.Buffer
	if err := run(context.Background(), []string{"backup", "-"}, func(k string) string { return src[k] }, strings.NewReader(""), &tarOut, &errOut); err != nil {
		t.Fatalf("backup -: %v %s", err, errOut.String())
	}
	piped := backupEnv(dbtest.DSN(t), blobtest.Config(t))
	if out, err := runCLI(t, piped, tarOut.String(), "restore", "-"); err != nil {
		t.Fatalf("restore -: %v\n%s", err, out)
	}
	if out, err := runCLI(t, piped, "", "audit", "verify"); err != nil || !strings.HasPrefix(out, "ok ") {
		t.Errorf("audit verify after restore -: %v %q", err, out)
	}
}

func TestBackupRestoreRefusals(t *testing.T) {
	srcDSN := dbtest.DSN(t)
	srcCfg := blobtest.Config(t)
	srcStore := blobtest.OpenConfig(t, srcCfg)
	src := backupEnv(srcDSN, srcCfg)
	seedPortal(t, srcDSN, srcStore)
	dir := t.TempDir()
	archive := filepath.Join(dir, "portal.tar")
	if out, err := runCLI(t, src, "", "backup", archive); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}

	// Without pg_dump or pg_restore on the PATH, or with a pg_dump older than the server.
	noTools := backupEnv(srcDSN, srcCfg)
	noTools["PATH"] = t.TempDir()
	if _, err := runCLI(t, noTools, "", "backup", filepath.Join(dir, "x.tar")); err == nil || !strings.Contains(err.Error(), "pg_dump is not on the PATH") {
		t.Errorf("backup without pg_dump: %v", err)
	}
	if _, err := runCLI(t, noTools, "", "restore", archive); err == nil || !strings.Contains(err.Error(), "pg_restore is not on the PATH") {
		t.Errorf("restore without pg_restore: %v", err)
	}
	old := t.TempDir()
	if err := os.WriteFile(filepath.Join(old, "pg_dump"), []byte("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	oldTools := backupEnv(srcDSN, srcCfg)
	oldTools["PATH"] = old
	if _, err := runCLI(t, oldTools, "", "backup", filepath.Join(dir, "y.tar")); err == nil || !strings.Contains(err.Error(), "PostgreSQL 9, older than the database server's") {
		t.Errorf("backup with an old pg_dump: %v", err)
	}
	for _, name := range []string{"x.tar", "y.tar"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("a refused backup left %s behind", name)
		}
	}

	// One flipped byte in an object, a cut archive, a file that is no backup: refused, and
	// the target stays empty.
	var imageKey string
	var imageOffset int64
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err != nil {
			t.Fatalf("no image object in the archive: %v", err)
		}
		if strings.HasPrefix(hdr.Name, "objects/images/") {
			imageKey = strings.TrimPrefix(hdr.Name, "objects/")
			body, _ := io.ReadAll(tr)
			imageOffset = int64(bytes.Index(data, body))
			break
		}
	}
	corrupt := bytes.Clone(data)
	corrupt[imageOffset+20] ^= 0x01
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"corrupt.tar", corrupt, "object " + imageKey + " does not match its checksum"},
		{"truncated.tar", data[:len(data)/2], "truncated"},
		{"empty.tar", nil, "empty or truncated"},
		{"notes.tar", []byte(strings.Repeat("not a backup at all\n", 100)), "not a tftsr backup"},
	}
	dstDSN := blankDatabase(t)
	dstCfg := blobtest.Config(t)
	dst := backupEnv(dstDSN, dstCfg)
	for _, c := range cases {
		file := filepath.Join(dir, c.name)
		if err := os.WriteFile(file, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := runCLI(t, dst, "", "restore", file); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("restore %s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
	conn, err := pgx.Connect(context.Background(), dstDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var tables int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("refused restores left %d tables (%v)", tables, err)
	}
	if objects := bucketObjects(t, blobtest.OpenConfig(t, dstCfg)); len(objects) != 0 {
		t.Errorf("refused restores left %d objects", len(objects))
	}
	for _, args := range [][]string{{"backup"}, {"backup", "a", "b"}, {"restore"}, {"restore", "--fast", archive}, {"restore", "a", "b"}} {
		if _, err := runCLI(t, dst, "", args...); err == nil || !strings.Contains(err.Error(), "usage: tftsr") {
			t.Errorf("tftsr %v: %v, want the usage", args, err)
		}
	}
}
