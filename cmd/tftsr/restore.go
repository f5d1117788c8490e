package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"tftsr/db"
)

// runRestore is `tftsr restore [--force] FILE`. It checks the whole archive first (the manifest
// and every checksum), so that a corrupt or truncated one changes nothing; then it restores the
// database with pg_restore in one transaction, and only after that succeeded, the objects. A
// target with any row in a portal table or any object in the bucket is refused unless --force,
// which replaces what is there.
func runRestore(ctx context.Context, cfg config, args []string, stdin io.Reader, stderr io.Writer) error {
	var force bool
	var source string
	for _, a := range args {
		switch {
		case a == "--force" || a == "-force":
			force = true
		case a == "-" || !strings.HasPrefix(a, "-"):
			if source != "" {
				return errors.New(restoreUsage)
			}
			source = a
		default:
			return errors.New(restoreUsage)
		}
	}
	if source == "" {
		return errors.New(restoreUsage)
	}
	database, err := db.Open(ctx, cfg.MigrateDatabaseURL)
	if err != nil {
		return err
	}
	defer database.Close()
	pgRestore, _, err := pgTool(ctx, cfg, "pg_restore", 0)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	if err := store.EnsureBucket(ctx); err != nil {
		return err
	}

	// The archive is read twice (to check it, then to restore the objects): standard input is
	// kept in a temporary file for that.
	var archive *os.File
	if source == "-" {
		if archive, err = os.CreateTemp("", "tftsr-restore-*.tar"); err != nil {
			return err
		}
		defer os.Remove(archive.Name())
		if _, err := io.Copy(archive, stdin); err != nil {
			archive.Close()
			return fmt.Errorf("reading the backup from standard input: %w", err)
		}
		if _, err := archive.Seek(0, io.SeekStart); err != nil {
			archive.Close()
			return err
		}
	} else if archive, err = os.Open(source); err != nil {
		return fmt.Errorf("opening the backup: %w", err)
	}
	defer archive.Close()

	dump, err := os.CreateTemp("", "tftsr-restore-*.dump")
	if err != nil {
		return err
	}
	defer func() { dump.Close(); os.Remove(dump.Name()) }()
	m, err := checkArchive(archive, dump)
	if err != nil {
		return err
	}
	if m.Format != backupFormat {
		return fmt.Errorf("the backup is of format %d; this tftsr reads format %d", m.Format, backupFormat)
	}

	tables, err := database.NonEmptyTables(ctx)
	if err != nil {
		return err
	}
	var objects []string
	if err := store.ListSizes(ctx, "", func(key string, _ int64) error {
		objects = append(objects, key)
		return nil
	}); err != nil {
		return err
	}
	if (len(tables) > 0 || len(objects) > 0) && !force {
		return fmt.Errorf("the target is not empty (%d tables with rows: %s; %d objects in bucket %s): restore into an empty database and bucket, or add --force to replace what is there",
			len(tables), strings.Join(tables, ", "), len(objects), cfg.S3Bucket)
	}
	if len(tables) > 0 || len(objects) > 0 {
		fmt.Fprintf(stderr, "WARNING: --force: replacing the rows of %d tables (%s) and deleting %d objects of bucket %s\n",
			len(tables), strings.Join(tables, ", "), len(objects), cfg.S3Bucket)
	}

	// --clean --if-exists drops the backup's tables where they exist (a migrated empty
	// database, or the one --force replaces) and creates them anew, all in one transaction.
	cmd, err := pgCommand(ctx, cfg, pgRestore, cfg.MigrateDatabaseURL, "--no-owner", "--exit-on-error",
		"--single-transaction", "--clean", "--if-exists", "--no-password", dump.Name())
	if err != nil {
		return err
	}
	var errOut boundedBuffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errOut
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pg_restore failed, the database is unchanged: %v: %s", err, strings.TrimSpace(errOut.String()))
	}
	got, err := database.BackupCounts(ctx)
	if err != nil {
		return err
	}
	if got != m.Counts {
		return fmt.Errorf("the restored database holds %+v, the backup's manifest says %+v", got, m.Counts)
	}

	if len(objects) > 0 {
		if err := store.Delete(ctx, objects...); err != nil {
			return fmt.Errorf("the database is restored, but clearing the bucket failed (no object is restored yet): %w", err)
		}
	}
	n, err := restoreObjects(ctx, archive, m, func(o manifestObject, r io.Reader) error {
		ct := o.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		return store.Put(ctx, o.Key, r, o.Size, ct)
	})
	if err != nil {
		return fmt.Errorf("the database is restored and %d of %d objects; then: %w", n, len(m.Objects), err)
	}
	fmt.Fprintf(stderr, "restored %s (made %s): %d incidents, %d logs, %d images, %d documents, %d audit entries; %d objects, %d bytes\n"+
		"check the audit log with `tftsr audit verify` (it needs the TFTSR_DB_KEY of the backed-up portal)\n",
		source, m.CreatedAt.Format("2006-01-02 15:04:05Z"), m.Counts.Incidents, m.Counts.Logs, m.Counts.Images,
		m.Counts.Documents, m.Counts.AuditEntries, len(m.Objects), m.ObjectBytes)
	return nil
}

// tarReader returns a tar reader over r, decompressing it when it is gzip.
func tarReader(r io.Reader) (*tar.Reader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	head, err := br.Peek(2)
	if err != nil {
		return nil, errors.New("the backup is empty or truncated")
	}
	if head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("the backup is not a readable gzip file: %w", err)
		}
		return tar.NewReader(zr), nil
	}
	return tar.NewReader(br), nil
}

// readError words an error reading the archive.
func readError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("the backup is truncated: it ends before its manifest.json (was it copied completely?)")
	}
	return fmt.Errorf("the backup is corrupt or not a tftsr backup: %w", err)
}

// checkArchive reads the whole archive, checking each entry against the manifest at its end,
// and copies the database dump into dump.
func checkArchive(archive *os.File, dump *os.File) (*manifest, error) {
	tr, err := tarReader(archive)
	if err != nil {
		return nil, err
	}
	seen := map[string]manifestEntry{}
	var m *manifest
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, readError(err)
		}
		if m != nil {
			return nil, fmt.Errorf("the backup is corrupt: %s follows the manifest", hdr.Name)
		}
		if hdr.Name == backupManifest {
			if hdr.Size > 256<<20 {
				return nil, errors.New("the backup's manifest is implausibly large")
			}
			body, err := io.ReadAll(tr)
			if err != nil {
				return nil, readError(err)
			}
			m = new(manifest)
			if err := json.Unmarshal(body, m); err != nil {
				return nil, fmt.Errorf("the backup's manifest is not valid: %w", err)
			}
			continue
		}
		if hdr.Name != backupDumpName && !strings.HasPrefix(hdr.Name, backupObjects) {
			return nil, fmt.Errorf("the backup holds %s, which is not part of a tftsr backup", hdr.Name)
		}
		h := sha256.New()
		var w io.Writer = h
		if hdr.Name == backupDumpName {
			w = io.MultiWriter(dump, h)
		}
		n, err := io.Copy(w, tr)
		if err != nil {
			return nil, readError(err)
		}
		seen[hdr.Name] = manifestEntry{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	}
	if m == nil {
		return nil, errors.New("the backup has no manifest.json: it is truncated or not a tftsr backup")
	}
	if got, ok := seen[backupDumpName]; !ok {
		return nil, errors.New("the backup holds no database dump")
	} else if got != m.Database {
		return nil, errors.New("the backup is corrupt: the database dump does not match its checksum in the manifest")
	}
	delete(seen, backupDumpName)
	for _, o := range m.Objects {
		got, ok := seen[backupObjects+o.Key]
		if !ok {
			return nil, fmt.Errorf("the backup is incomplete: object %s of its manifest is missing", o.Key)
		}
		if got.Size != o.Size || got.SHA256 != o.SHA256 {
			return nil, fmt.Errorf("the backup is corrupt: object %s does not match its checksum in the manifest", o.Key)
		}
		delete(seen, backupObjects+o.Key)
	}
	for name := range seen {
		return nil, fmt.Errorf("the backup is corrupt: %s is not in its manifest", name)
	}
	return m, nil
}

// restoreObjects reads the archive again and calls put with each object, checking its
// checksum once more as it streams, and returns how many it put.
func restoreObjects(ctx context.Context, archive *os.File, m *manifest, put func(manifestObject, io.Reader) error) (int, error) {
	if _, err := archive.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	tr, err := tarReader(archive)
	if err != nil {
		return 0, err
	}
	want := make(map[string]manifestObject, len(m.Objects))
	for _, o := range m.Objects {
		want[backupObjects+o.Key] = o
	}
	n := 0
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, readError(err)
		}
		o, ok := want[hdr.Name]
		if !ok {
			continue
		}
		if err := ctx.Err(); err != nil {
			return n, err
		}
		h := sha256.New()
		if err := put(o, io.TeeReader(tr, h)); err != nil {
			return n, fmt.Errorf("storing object %s: %w", o.Key, err)
		}
		if hex.EncodeToString(h.Sum(nil)) != o.SHA256 {
			return n, fmt.Errorf("object %s changed in the backup file since it was checked", o.Key)
		}
		n++
	}
}
