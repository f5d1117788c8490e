package domain_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
	"unicode/utf8"

	"tftsr/domain"
)

// secretLog is a log with values the detector must find.
const secretLog = "2026-03-01T09:00:00Z INFO login ok user=alice.smith@example.com from 203.0.113.45\n" +
	"2026-03-01T09:00:01Z WARN retry password=Hunter2!xyz\n" +
	"2026-03-01T09:00:02Z INFO all quiet\n"

// secrets are the values of secretLog that no redacted text may hold.
var secrets = []string{"alice.smith@example.com", "203.0.113.45", "Hunter2!xyz"}

func gzipBytes(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// zipEntry is a member of a test archive.
type zipEntry struct {
	name string
	data []byte
}

func zipBytes(tb testing.TB, entries ...zipEntry) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// deflateRepeat returns a raw deflate stream of unit repeated copies times, built without
// compressing the whole: unit is compressed once into a flushed (non-final) block, which is
// repeated, and a final empty block ends the stream. Every back-reference stays inside data
// made of the same unit, so the stream decodes to the repetition.
func deflateRepeat(tb testing.TB, unit []byte, copies int) []byte {
	tb.Helper()
	var block bytes.Buffer
	fw, _ := flate.NewWriter(&block, flate.BestCompression)
	fw.Write(unit)
	if err := fw.Flush(); err != nil {
		tb.Fatal(err)
	}
	out := bytes.Repeat(block.Bytes(), copies)
	return append(out, 0x03, 0x00) // a final, empty, fixed-Huffman block
}

// gzipBomb is a single gzip stream of unit repeated to size bytes.
func gzipBomb(tb testing.TB, unit []byte, size int) []byte {
	tb.Helper()
	body := deflateRepeat(tb, unit, size/len(unit))
	out := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}
	out = append(out, body...)
	out = binary.LittleEndian.AppendUint32(out, 0) // the checksum is never reached
	return binary.LittleEndian.AppendUint32(out, uint32(size))
}

// zipBomb is a zip archive with one member of unit repeated to size bytes.
func zipBomb(tb testing.TB, name string, unit []byte, size int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	body := deflateRepeat(tb, unit, size/len(unit))
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(nil),
		CompressedSize64: uint64(len(body)), UncompressedSize64: uint64(size)})
	if err != nil {
		tb.Fatal(err)
	}
	w.Write(body)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestUploadPlainText(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	logs := f.mustUpload(t, "app.log", []byte(secretLog))
	if len(logs) != 1 {
		t.Fatalf("%d logs, want 1", len(logs))
	}
	l := logs[0]
	sum := sha256.Sum256([]byte(secretLog))
	if l.FileName != "app.log" || l.SizeBytes != int64(len(secretLog)) || l.ContentHash != hex.EncodeToString(sum[:]) ||
		l.MimeType != "text/plain" || l.InvalidUTF8 || l.IssueID != "inc-1" || l.ObjectKey != domain.LogObjectKey("inc-1", l.ID) {
		t.Errorf("log = %+v", l)
	}
	if got := f.blobs.text(t, l.ObjectKey); got != secretLog {
		t.Errorf("stored text %q, want the upload", got)
	}
	if l.PIISummary["Email"] != 1 || l.PIISummary["IPv4"] != 1 || l.PIISummary["Password"] != 1 {
		t.Errorf("PII summary %v", l.PIISummary)
	}
	spans, _ := f.store.FindLogSpans(f.viewer, l.ID, 0, -1)
	if len(spans) != 3 {
		t.Fatalf("spans %+v, want 3", spans)
	}
	for _, sp := range spans {
		if !sp.Approved || sp.Replacement != "["+sp.PIIType+"]" {
			t.Errorf("span %+v: want approved with its token", sp)
		}
	}
	// The search text is redacted: it has the tokens and none of the values.
	search := f.store.search[l.ID]
	for _, s := range secrets {
		if strings.Contains(search, s) {
			t.Errorf("search text holds %q: %q", s, search)
		}
	}
	if !strings.Contains(search, "[Email]") || !strings.Contains(search, "all quiet") {
		t.Errorf("search text %q", search)
	}
}

func TestUploadSearchTextCutsNoValueInHalf(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	line := strings.Repeat("x", 99) + "\n"
	pad := strings.Repeat(line, domain.MaxSearchTextBytes/len(line))                            // 44 bytes short of the prefix
	text := pad + "request-id=" + strings.Repeat("7", 24) + " bob.jones@example.org and more\n" // the value straddles the cut
	l := f.mustUpload(t, "big.log", []byte(text))[0]
	search := f.store.search[l.ID]
	if strings.Contains(search, "bob") || !strings.HasSuffix(search, strings.Repeat("7", 24)+" ") {
		t.Errorf("search text (len %d) ends %q", len(search), search[max(0, len(search)-20):])
	}
}

func TestUploadInvalidUTF8(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	data := []byte("caf\xe9 au lait \xff\xfe ok\n")
	l := f.mustUpload(t, "latin1.log", data)[0]
	if !l.InvalidUTF8 {
		t.Error("InvalidUTF8 not set")
	}
	got := f.blobs.text(t, l.ObjectKey)
	if want := "caf\uFFFD au lait \uFFFD\uFFFD ok\n"; got != want {
		t.Errorf("stored %q, want %q", got, want)
	}
}

func TestUploadGzip(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	logs := f.mustUpload(t, "syslog.1.GZ", gzipBytes(t, []byte(secretLog)))
	if len(logs) != 1 || logs[0].FileName != "syslog.1" {
		t.Fatalf("logs %+v", logs)
	}
	if got := f.blobs.text(t, logs[0].ObjectKey); got != secretLog {
		t.Errorf("stored %q", got)
	}
}

func TestUploadZip(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	data := zipBytes(t,
		zipEntry{"var/log/", nil},
		zipEntry{"var/log/app.log", []byte("app line\n")},
		zipEntry{"var/log/nginx/access.log", []byte(secretLog)},
		zipEntry{"__MACOSX/var/log/._app.log", []byte("\x00\x05\x16\x07 resource fork")},
		zipEntry{"empty.txt", nil},
	)
	logs := f.mustUpload(t, "logs.zip", data)
	var names []string
	for _, l := range logs {
		names = append(names, l.FileName)
	}
	if strings.Join(names, ",") != "app.log,access.log" {
		t.Fatalf("logs %v, want app.log and access.log", names)
	}
	if got := f.blobs.text(t, logs[1].ObjectKey); got != secretLog {
		t.Errorf("access.log stored %q", got)
	}
}

func TestUploadZipUnsafePathsRefused(t *testing.T) {
	for _, bad := range []string{"../evil.log", "logs/../../etc/cron.d/x", "/etc/passwd", `..\..\win.log`, `C:\temp\x.log`} {
		t.Run(bad, func(t *testing.T) {
			f := newLogFixture(t, domain.LogLimits{})
			data := zipBytes(t, zipEntry{"fine.log", []byte("first\n")}, zipEntry{bad, []byte("payload\n")})
			_, err := f.upload(t, "evil.zip", data)
			wantCode(t, err, domain.EINVALID, "evil.zip", "unsafe path", "nothing was stored")
			f.wantNothingStored(t)
		})
	}
}

func TestUploadBombsRefused(t *testing.T) {
	limits := domain.LogLimits{MaxBytes: 1 << 20}
	const size = 200 << 20
	line := []byte("GET /index.html 200 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n")
	t.Run("gzip of text", func(t *testing.T) {
		f := newLogFixture(t, limits)
		bomb := gzipBomb(t, bytes.Repeat(line, 1024), size)
		if len(bomb) > 2<<20 {
			t.Fatalf("bomb is %d bytes", len(bomb))
		}
		_, err := f.upload(t, "bomb.log.gz", bomb)
		wantCode(t, err, domain.ETOOLARGE, "larger than 1 MB", "nothing was stored")
		f.wantNothingStored(t)
	})
	t.Run("gzip of zeros", func(t *testing.T) {
		f := newLogFixture(t, limits)
		_, err := f.upload(t, "zeros.gz", gzipBomb(t, make([]byte, 64<<10), size))
		wantCode(t, err, domain.EUNSUPPORTED, "binary")
		f.wantNothingStored(t)
	})
	t.Run("zip", func(t *testing.T) {
		f := newLogFixture(t, limits)
		data := zipBomb(t, "huge.log", bytes.Repeat(line, 1024), size)
		_, err := f.upload(t, "bomb.zip", data)
		wantCode(t, err, domain.ETOOLARGE, "nothing was stored")
		f.wantNothingStored(t)
	})
	t.Run("total of a zip", func(t *testing.T) {
		f := newLogFixture(t, domain.LogLimits{MaxBytes: 1 << 20, MaxTotalBytes: 3 << 20})
		var entries []zipEntry
		for i := range 5 {
			entries = append(entries, zipEntry{string(rune('a'+i)) + ".log", bytes.Repeat(line, (900<<10)/len(line))})
		}
		_, err := f.upload(t, "many.zip", zipBytes(t, entries...))
		wantCode(t, err, domain.ETOOLARGE, "in all")
		f.wantNothingStored(t)
	})
}

func TestUploadRefusesBinariesAndNesting(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		code string
		subs []string
	}{
		{"nul.log", []byte("text\x00with a NUL"), domain.EUNSUPPORTED, []string{"nul.log", "binary"}},
		{"shot.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), domain.EUNSUPPORTED, []string{"shot.png", "PNG image"}},
		{"prog", []byte("\x7fELF\x02\x01\x01" + strings.Repeat("\x01\x02", 200)), domain.EUNSUPPORTED, []string{"program"}},
		{"controls.log", bytes.Repeat([]byte("ab\x01\x02\x03\x04"), 100), domain.EUNSUPPORTED, []string{"binary"}},
		{"empty.log", nil, domain.EINVALID, []string{"empty.log is empty"}},
		{"nested.zip", zipBytes(t, zipEntry{"ok.log", []byte("fine\n")}, zipEntry{"inner/more.log.gz", gzipBytes(t, []byte("x\n"))}),
			domain.EUNSUPPORTED, []string{"nested.zip: inner/more.log.gz", "archive inside an archive"}},
		{"nested.gz", gzipBytes(t, zipBytes(t, zipEntry{"a.log", []byte("a\n")})), domain.EUNSUPPORTED, []string{"archive inside an archive"}},
		{"binary.zip", zipBytes(t, zipEntry{"ok.log", []byte("fine\n")}, zipEntry{"bin/tool.exe", append([]byte("MZ\x90\x00"), make([]byte, 100)...)}),
			domain.EUNSUPPORTED, []string{"binary.zip: bin/tool.exe", "binary"}},
		{"broken.gz", gzipBytes(t, []byte(secretLog))[:40], domain.EINVALID, []string{"broken.gz"}},
		{"broken.zip", []byte("PK\x03\x04 not really a zip"), domain.EINVALID, []string{"not a valid zip"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newLogFixture(t, domain.LogLimits{})
			_, err := f.upload(t, tc.name, tc.data)
			wantCode(t, err, tc.code, tc.subs...)
			f.wantNothingStored(t)
		})
	}
}

func TestUploadLimits(t *testing.T) {
	t.Run("too many members", func(t *testing.T) {
		f := newLogFixture(t, domain.LogLimits{MaxMembers: 3})
		var entries []zipEntry
		for _, n := range []string{"a", "b", "c", "d"} {
			entries = append(entries, zipEntry{n + ".log", []byte(n + "\n")})
		}
		_, err := f.upload(t, "four.zip", zipBytes(t, entries...))
		wantCode(t, err, domain.ETOOLARGE, "more than 3 files")
		f.wantNothingStored(t)
	})
	t.Run("entry count checked before the directory is read", func(t *testing.T) {
		// One log among 200 folder entries: the archive declares far more entries than 3
		// files could need, and is refused from its end record, before zip reads them all.
		f := newLogFixture(t, domain.LogLimits{MaxMembers: 3})
		entries := []zipEntry{{"a.log", []byte("a\n")}}
		for i := range 200 {
			entries = append(entries, zipEntry{fmt.Sprintf("d%03d/", i), nil})
		}
		_, err := f.upload(t, "folders.zip", zipBytes(t, entries...))
		wantCode(t, err, domain.ETOOLARGE, "more than 3 files")
		f.wantNothingStored(t)

		// Past 65,535 entries the count is in the zip64 record: 70,001 entries are more than
		// the 66,064 that 16,500 files allow, though the 16-bit count says 65,535.
		f64 := newLogFixture(t, domain.LogLimits{MaxMembers: 16_500})
		big := []zipEntry{{"a.log", []byte("a\n")}}
		for i := range 70_000 {
			big = append(big, zipEntry{fmt.Sprintf("%05d/", i), nil})
		}
		_, err = f64.upload(t, "zip64.zip", zipBytes(t, big...))
		wantCode(t, err, domain.ETOOLARGE, "more than 16500 files")
		f64.wantNothingStored(t)

		// Folders within the allowance are fine.
		few := []zipEntry{{"a.log", []byte("a\n")}, {"x/", nil}, {"x/y/", nil}, {"x/y/b.log", []byte("b\n")}}
		if _, err := f.upload(t, "nested.zip", zipBytes(t, few...)); err != nil {
			t.Fatalf("nested archive: %v", err)
		}
	})
	t.Run("plain text over the limit", func(t *testing.T) {
		f := newLogFixture(t, domain.LogLimits{MaxBytes: 1000})
		_, err := f.upload(t, "big.log", bytes.Repeat([]byte("0123456789\n"), 100))
		wantCode(t, err, domain.ETOOLARGE)
		f.wantNothingStored(t)
	})
	t.Run("exactly the limit", func(t *testing.T) {
		f := newLogFixture(t, domain.LogLimits{MaxBytes: 1100})
		f.mustUpload(t, "ok.log", bytes.Repeat([]byte("0123456789\n"), 100))
	})
	t.Run("zip spool over the upload limit", func(t *testing.T) {
		f := newLogFixture(t, domain.LogLimits{MaxUploadBytes: 200})
		data := zipBytes(t, zipEntry{"a.log", bytes.Repeat([]byte("x\n"), 1000)}, zipEntry{"b.log", []byte(strings.Repeat("unique line 12345\n", 30))})
		_, err := f.upload(t, "big.zip", data)
		wantCode(t, err, domain.ETOOLARGE)
		f.wantNothingStored(t)
	})
}

func TestUploadSafeNames(t *testing.T) {
	tests := map[string]string{
		`../../etc/<img src=x onerror=alert(1)>.log`: "<img src=x onerror=alert(1)>.log",
		`C:\Users\bob\app.log`:                       "app.log",
		"evil\u202egol.exe":                          "evilgol.exe",
		"tab\tand\nnewline.log":                      "tabandnewline.log",
		"..":                                         "upload.log",
		"":                                           "upload.log",
		"bad\xffbyte.log":                            "bad\uFFFDbyte.log",
		strings.Repeat("é", 200) + ".log":            strings.Repeat("é", 127),
	}
	for in, want := range tests {
		if got := domain.SafeFileName(in, "upload.log"); got != want {
			t.Errorf("SafeFileName(%q) = %q, want %q", in, got, want)
		}
	}
	f := newLogFixture(t, domain.LogLimits{})
	l := f.mustUpload(t, `..\..\x/<script>alert(1)</script>.log`, []byte("hello\n"))[0]
	if strings.ContainsAny(l.FileName, `/\`) || !utf8.ValidString(l.FileName) {
		t.Errorf("stored name %q", l.FileName)
	}
}

func TestUploadAuthorization(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	_, err := f.svc.UploadLog(f.viewer, "inc-1", "a.log", strings.NewReader("x\n"))
	wantCode(t, err, domain.EFORBIDDEN)
	_, err = f.svc.UploadLog(f.responder, "nope", "a.log", strings.NewReader("x\n"))
	wantCode(t, err, domain.ENOTFOUND)
	f.wantNothingStored(t)
}

func TestUploadStoreFailures(t *testing.T) {
	t.Run("object store fails mid-upload", func(t *testing.T) {
		f := newLogFixture(t, domain.LogLimits{})
		f.blobs.failAfter, f.blobs.failErr = 100, errors.New("connection reset by peer")
		_, err := f.upload(t, "a.log", bytes.Repeat([]byte(secretLog), 2000))
		wantCode(t, err, domain.EUNAVAILABLE, "File storage is unavailable")
		f.wantNothingStored(t)
		if f.store.createCalls != 0 {
			t.Error("a row was attempted without its object")
		}
		// A retry through a healthy store succeeds.
		f.blobs.failAfter = 0
		f.mustUpload(t, "a.log", []byte(secretLog))
	})
	t.Run("row insert fails", func(t *testing.T) {
		f := newLogFixture(t, domain.LogLimits{})
		f.store.failCreate = errors.New("database is down")
		_, err := f.upload(t, "a.zip", zipBytes(t, zipEntry{"a.log", []byte("a\n")}, zipEntry{"b.log", []byte("b\n")}))
		if err == nil {
			t.Fatal("no error")
		}
		f.wantNothingStored(t)
	})
	t.Run("a later file refused removes the earlier ones", func(t *testing.T) {
		f := newLogFixture(t, domain.LogLimits{})
		up, err := f.svc.NewUpload(f.responder, "inc-1")
		if err != nil {
			t.Fatal(err)
		}
		if err := up.Add("one.log", strings.NewReader("one\n")); err != nil {
			t.Fatal(err)
		}
		if len(f.blobs.keys()) != 1 {
			t.Fatal("the first file is not stored as it streams")
		}
		err = up.Add("two.bin", bytes.NewReader([]byte{0, 1, 2}))
		wantCode(t, err, domain.EUNSUPPORTED)
		if _, err := up.Commit(); err == nil {
			t.Error("commit after a refused file succeeded")
		}
		f.wantNothingStored(t)
	})
}

func TestDeleteLogRemovesObjects(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	l := f.mustUpload(t, "a.log", []byte(secretLog))[0]
	if _, err := f.svc.ApplyRedactions(f.responder, l.ID, nil); err != nil {
		t.Fatal(err)
	}
	if len(f.blobs.keys()) != 2 {
		t.Fatalf("objects %v, want the original and the redacted text", f.blobs.keys())
	}
	wantCode(t, f.svc.DeleteLog(f.viewer, l.ID), domain.EFORBIDDEN)
	if err := f.svc.DeleteLog(f.responder, l.ID); err != nil {
		t.Fatal(err)
	}
	f.wantNothingStored(t)
}
