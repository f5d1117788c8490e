package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"tftsr/blob"
	"tftsr/db"
	"tftsr/domain"
)

// A backup is a tar archive (gzip-compressed when its name ends in .tar.gz or .tgz) of:
//
//	db.dump          the database, pg_dump's custom format
//	objects/<key>    every object of the bucket
//	manifest.json    sizes and SHA-256 of all of the above, row counts; written last, when
//	                 every checksum is known, so nothing is held in memory or read twice
const (
	backupFormat   = 1
	backupDumpName = "db.dump"
	backupManifest = "manifest.json"
	backupObjects  = "objects/"
)

// manifest describes a backup.
type manifest struct {
	Format           int              `json:"format"`
	PortalVersion    string           `json:"portal_version"`
	MigrationVersion int64            `json:"migration_version"`
	CreatedAt        time.Time        `json:"created_at"`
	Database         manifestEntry    `json:"database"`
	Counts           db.BackupCounts  `json:"counts"`
	ObjectCount      int              `json:"object_count"`
	ObjectBytes      int64            `json:"object_bytes"`
	Objects          []manifestObject `json:"objects"`
}

// manifestEntry is one file of the archive.
type manifestEntry struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// manifestObject is one object of the bucket.
type manifestObject struct {
	Key         string `json:"key"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type,omitempty"`
}

const backupUsage = "usage: tftsr backup FILE|-   (FILE ending in .tar.gz or .tgz is gzip-compressed)"
const restoreUsage = "usage: tftsr restore [--force] FILE|-"

// portalVersion is the module version and commit the binary was built from, as far as known.
func portalVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			v += " " + s.Value
		}
	}
	return strings.TrimSpace(v)
}

// pgTool finds a PostgreSQL client program on the PATH and returns its path and major version.
// It refuses one that is missing, or older than the server (serverMajor, when known).
func pgTool(ctx context.Context, cfg config, name string, serverMajor int) (string, int, error) {
	path := lookPath(name, cfg.Path)
	if path == "" {
		return "", 0, fmt.Errorf("%s is not on the PATH: install the PostgreSQL client (Debian: apt-get install postgresql-client; `make run` installs it) and try again", name)
	}
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return "", 0, fmt.Errorf("running %s --version: %w", path, err)
	}
	m := regexp.MustCompile(`\(PostgreSQL\) (\d+)`).FindSubmatch(out)
	if m == nil {
		return "", 0, fmt.Errorf("%s --version printed %q, not a PostgreSQL version", path, bytes.TrimSpace(out))
	}
	major, _ := strconv.Atoi(string(m[1]))
	if serverMajor > 0 && major < serverMajor {
		return "", 0, fmt.Errorf("%s is PostgreSQL %d, older than the database server's %d: install the client of version %d or newer", path, major, serverMajor, serverMajor)
	}
	return path, major, nil
}

// lookPath finds an executable file called name in the directories of pathList.
func lookPath(name, pathList string) string {
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// pgCommand returns a command running a PostgreSQL client program against the database of
// dsn (a postgres:// URL). The password goes through PGPASSWORD, never the command line, so
// that other users of the machine cannot read it in the process list.
func pgCommand(ctx context.Context, cfg config, path, dsn string, args ...string) (*exec.Cmd, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, errors.New("the database URL must be a postgres:// URL for backup and restore")
	}
	env := []string{"PATH=" + cfg.Path}
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "PG") && !strings.HasPrefix(e, "PATH=") {
			env = append(env, e)
		}
	}
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	cmd := exec.CommandContext(ctx, path, append(args, "--dbname="+u.String())...)
	cmd.Env = env
	return cmd, nil
}

// boundedBuffer keeps the first bytes written to it, for a child's error output.
type boundedBuffer struct{ bytes.Buffer }

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if room := 8<<10 - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// openStore opens the bucket of cfg and checks that it is there.
func openStore(ctx context.Context, cfg config) (*blob.Store, error) {
	store, err := blob.Open(blob.Config{Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey,
		SecretKey: cfg.S3SecretKey, Bucket: cfg.S3Bucket, Secure: cfg.S3Secure})
	if err != nil {
		return nil, err
	}
	return store, nil
}

// runBackup is `tftsr backup FILE`: the database through pg_dump, then every object of the
// bucket, into one archive, while the portal keeps serving.
//
// Consistency: the database is read in one exported snapshot, which pg_dump dumps and from
// which the keys of every object a row names are read. Objects are written before the rows that
// name them, so every such key is in the bucket when the snapshot is taken; the objects are
// copied after the dump, and a named one that is gone by then (its incident deleted meanwhile)
// fails the backup rather than leave it incomplete. Objects written after the snapshot are
// copied too, and are harmless: no restored row names them, and the portal's sweeper removes
// them after a restore.
func runBackup(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) (err error) {
	if len(args) != 1 || args[0] == "" || (strings.HasPrefix(args[0], "-") && args[0] != "-") {
		return errors.New(backupUsage)
	}
	target := args[0]
	database, err := db.Open(ctx, cfg.MigrateDatabaseURL)
	if err != nil {
		return err
	}
	defer database.Close()
	serverMajor, err := database.ServerMajorVersion(ctx)
	if err != nil {
		return err
	}
	pgDump, _, err := pgTool(ctx, cfg, "pg_dump", serverMajor)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	if err := store.Ready(ctx); err != nil {
		return fmt.Errorf("object store: %w", err)
	}

	m := manifest{Format: backupFormat, PortalVersion: portalVersion(), CreatedAt: time.Now().UTC()}
	dump, err := os.CreateTemp("", "tftsr-backup-*.dump")
	if err != nil {
		return err
	}
	defer func() { dump.Close(); os.Remove(dump.Name()) }()
	named, err := dumpDatabase(ctx, cfg, database, pgDump, dump, &m)
	if err != nil {
		return err
	}

	var out io.Writer = stdout
	if target != "-" {
		f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("creating the backup: %w", err)
		}
		defer func() {
			if cerr := f.Close(); err == nil && cerr != nil {
				err = cerr
			}
			if err != nil {
				os.Remove(target)
			}
		}()
		out = f
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	var zw *gzip.Writer
	var w io.Writer = bw
	if strings.HasSuffix(target, ".tar.gz") || strings.HasSuffix(target, ".tgz") {
		zw = gzip.NewWriter(bw)
		w = zw
	}
	tw := tar.NewWriter(w)
	if _, err := dump.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := writeEntry(tw, backupDumpName, m.Database.Size, dump); err != nil {
		return fmt.Errorf("writing the database dump: %w", err)
	}
	if err := copyObjects(ctx, store, tw, named, &m); err != nil {
		return err
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := writeEntry(tw, backupManifest, int64(len(body)), bytes.NewReader(body)); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing the backup: %w", err)
	}
	if f, ok := out.(*os.File); ok && target != "-" {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("writing the backup: %w", err)
		}
	}
	fmt.Fprintf(stderr, "backup %s: %d incidents, %d logs, %d images, %d documents, %d audit entries; database dump %d bytes; %d objects, %d bytes\n",
		target, m.Counts.Incidents, m.Counts.Logs, m.Counts.Images, m.Counts.Documents, m.Counts.AuditEntries,
		m.Database.Size, m.ObjectCount, m.ObjectBytes)
	return nil
}

// dumpDatabase runs pg_dump in an exported snapshot into dump, fills in the manifest's
// database entry and counts, and returns the keys of the objects the snapshot's rows name.
func dumpDatabase(ctx context.Context, cfg config, database *db.DB, pgDump string, dump *os.File, m *manifest) (map[string]bool, error) {
	snap, err := database.BeginSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer snap.Close(context.WithoutCancel(ctx))
	if m.Counts, err = snap.Counts(ctx); err != nil {
		return nil, err
	}
	if m.MigrationVersion, err = snap.MigrationVersion(ctx); err != nil {
		return nil, err
	}
	keys, err := snap.ObjectKeys(ctx)
	if err != nil {
		return nil, err
	}
	cmd, err := pgCommand(ctx, cfg, pgDump, cfg.MigrateDatabaseURL, "--format=custom", "--snapshot="+snap.ID, "--no-password")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(dump, h)}
	var errOut boundedBuffer
	cmd.Stdout, cmd.Stderr = cw, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("pg_dump failed: %v: %s", err, strings.TrimSpace(errOut.String()))
	}
	m.Database = manifestEntry{Size: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))}
	named := make(map[string]bool, len(keys))
	for _, k := range keys {
		named[k] = true
	}
	return named, nil
}

// copyObjects copies every object of the bucket into the archive, streaming each, and fails
// when an object that a row names is missing.
func copyObjects(ctx context.Context, store *blob.Store, tw *tar.Writer, named map[string]bool, m *manifest) error {
	var keys []string
	if err := store.ListSizes(ctx, "", func(key string, _ int64) error {
		keys = append(keys, key)
		return nil
	}); err != nil {
		return err
	}
	for _, key := range keys {
		r, info, err := store.Open(ctx, key)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			continue // deleted since the listing; checked against the named keys below
		}
		if err != nil {
			return fmt.Errorf("reading object %s: %w", key, err)
		}
		h := sha256.New()
		err = writeEntry(tw, backupObjects+key, info.Size, io.TeeReader(r, h))
		r.Close()
		if err != nil {
			return fmt.Errorf("copying object %s: %w", key, err)
		}
		m.Objects = append(m.Objects, manifestObject{Key: key, Size: info.Size, SHA256: hex.EncodeToString(h.Sum(nil)), ContentType: info.ContentType})
		m.ObjectBytes += info.Size
		delete(named, key)
	}
	m.ObjectCount = len(m.Objects)
	for key := range named {
		return fmt.Errorf("object %s, which the database names, was deleted while the backup ran (was its incident deleted?); run the backup again", key)
	}
	return nil
}

// writeEntry writes one file of size bytes read from r into the archive.
func writeEntry(tw *tar.Writer, name string, size int64, r io.Reader) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, Typeflag: tar.TypeReg,
		ModTime: time.Now().UTC(), Format: tar.FormatPAX}); err != nil {
		return err
	}
	n, err := io.Copy(tw, r)
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("read %d bytes, expected %d", n, size)
	}
	return nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
