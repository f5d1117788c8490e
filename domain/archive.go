package domain

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"syscall"
)

// sniffLen is how much of a file's beginning decides what it is.
const sniffLen = 1024

// contentKind is what a file's first bytes say it is.
type contentKind int

const (
	kindText contentKind = iota
	kindGzip
	kindZip
)

// sniff tells gzip and zip archives from anything else.
func sniff(head []byte) contentKind {
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return kindGzip
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return kindZip
	}
	return kindText
}

// binaryFormats are well-known formats named in refusals, by their magic bytes.
var binaryFormats = []struct {
	magic string
	what  string
}{
	{"%PDF-", "a PDF document"},
	{"\x89PNG", "a PNG image"},
	{"\xff\xd8\xff", "a JPEG image"},
	{"GIF8", "a GIF image"},
	{"BZh", "a bzip2 archive"},
	{"\xfd7zXZ\x00", "an xz archive"},
	{"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"},
	{"Rar!", "a RAR archive"},
	{"\x28\xb5\x2f\xfd", "a zstd archive"},
	{"\x7fELF", "a program"},
	{"\xd0\xcf\x11\xe0", "an Office document"},
}

// refuseContent returns the error that refuses a file by its first bytes, or nil when they look
// like text. Inside an archive, a further archive is refused too.
func refuseContent(name string, head []byte, inArchive bool) error {
	if k := sniff(head); k != kindText {
		if inArchive {
			return Errorf(EUNSUPPORTED, "%s is an archive inside an archive; unpack it and upload its files.", name)
		}
	}
	for _, f := range binaryFormats {
		if bytes.HasPrefix(head, []byte(f.magic)) {
			return Errorf(EUNSUPPORTED, "%s looks like %s, not a text log. Upload plain text, .gz or .zip files.", name, f.what)
		}
	}
	if len(head) >= 262 && string(head[257:262]) == "ustar" {
		return Errorf(EUNSUPPORTED, "%s is a tar archive; upload its files, or a .zip, instead.", name)
	}
	if looksBinary(head) {
		return Errorf(EUNSUPPORTED, "%s looks like a binary file, not a text log.", name)
	}
	return nil
}

// looksBinary reports whether the beginning of a file holds a NUL byte or more than one
// control byte in ten. Tabs, line breaks, form feeds, backspaces and the escape that starts
// terminal colour codes are ordinary in logs and do not count.
func looksBinary(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	control := 0
	for _, b := range head {
		switch {
		case b == 0:
			return true
		case b == '\t', b == '\n', b == '\r', b == '\f', b == '\v', b == '\b', b == 0x1b:
		case b < 0x20, b == 0x7f:
			control++
		}
	}
	return control*10 > len(head)
}

// spoolWriter writes the spooled archive, marking its errors as the spool's, not the upload's.
type spoolWriter struct{ f *os.File }

func (w *spoolWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = &spoolWriteError{err}
	}
	return n, err
}

// spoolWriteError is a failure to write the spool file.
type spoolWriteError struct{ err error }

func (e *spoolWriteError) Error() string { return "writing the spooled archive: " + e.err.Error() }
func (e *spoolWriteError) Unwrap() error { return e.err }

// spoolError describes a failure to spool an archive: a full disk (or quota) is ENOSPACE, which
// says that nothing was stored; anything else is internal.
func spoolError(name string, err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %v", Errorf(ENOSPACE, "The portal has no disk space left to unpack %s; nothing was stored. Try again later, or ask an admin to free space.", name), err)
	}
	return fmt.Errorf("spooling %s: %w", name, err)
}

// addZip spools a zip archive to a temporary file (zip needs random access), checks every
// member's path, and stores each file in it as a log. A member path that could escape, an
// encrypted member, too many members or any refused member refuses the whole archive.
func (u *LogUpload) addZip(name string, r io.Reader) error {
	f, err := os.CreateTemp(u.s.TempDir, "tftsr-upload-*.zip")
	if err != nil {
		return spoolError(name, err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	n, err := io.Copy(&spoolWriter{f}, io.LimitReader(r, u.limits.MaxUploadBytes+1))
	var werr *spoolWriteError
	if errors.As(err, &werr) {
		return spoolError(name, werr.err)
	} else if err != nil {
		return readError(name, err)
	}
	if n > u.limits.MaxUploadBytes {
		return Errorf(ETOOLARGE, "%s is larger than %s; nothing was stored.", name, FormatBytes(u.limits.MaxUploadBytes))
	}
	// zip.NewReader reads the whole central directory into memory: count its entries first
	// from the end record, so that a million-entry archive is refused before it is read.
	if entries, ok := zipEntryCount(f, n); ok && entries > maxZipEntries(u.limits.MaxMembers) {
		return Errorf(ETOOLARGE, "%s holds more than %d files; nothing was stored.", name, u.limits.MaxMembers)
	}
	zr, err := zip.NewReader(f, n)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return Errorf(EINVALID, "%s is not a valid zip archive.", name)
	}

	var members []*zip.File
	for _, m := range zr.File {
		if unsafeArchivePath(m.Name) {
			return Errorf(EINVALID, "%s holds a file with an unsafe path, %q; nothing was stored.", name, m.Name)
		}
		if m.FileInfo().IsDir() || skippedMember(m.Name) {
			continue
		}
		if !m.Mode().IsRegular() {
			return Errorf(EUNSUPPORTED, "%s holds %q, which is not a regular file; nothing was stored.", name, m.Name)
		}
		if m.Flags&0x1 != 0 {
			return Errorf(EUNSUPPORTED, "%s holds %q, which is encrypted; nothing was stored.", name, m.Name)
		}
		if m.UncompressedSize64 == 0 {
			continue // an empty file (a header that lies about it only loses its own content)
		}
		members = append(members, m)
	}
	if len(members) > u.limits.MaxMembers {
		return Errorf(ETOOLARGE, "%s holds more than %d files; nothing was stored.", name, u.limits.MaxMembers)
	}
	if len(members) == 0 {
		return Errorf(EINVALID, "%s holds no files.", name)
	}
	for _, m := range members {
		if err := u.addMember(name, m); err != nil {
			return err
		}
	}
	return nil
}

// addMember stores one file of a zip archive, under its base name.
func (u *LogUpload) addMember(archive string, m *zip.File) error {
	member := SafeFileName(m.Name, "file")
	label := archive + ": " + m.Name
	rc, err := m.Open()
	if errors.Is(err, zip.ErrAlgorithm) {
		return Errorf(EUNSUPPORTED, "%s is compressed with a method the portal does not support; nothing was stored.", label)
	} else if err != nil {
		return Errorf(EINVALID, "%s is damaged and could not be unpacked.", label)
	}
	defer rc.Close()
	err = u.addText(member, &archiveReader{r: rc, archive: archive}, true)
	if err != nil && ErrorCode(err) != EINTERNAL && ErrorCode(err) != EUNAVAILABLE {
		// Name the member by its path in the archive, which is what the user knows.
		var derr *Error
		if errors.As(err, &derr) && !strings.Contains(derr.Message, archive) {
			msg := derr.Message
			if strings.HasPrefix(msg, member) {
				msg = label + msg[len(member):]
			} else {
				msg = label + ": " + msg
			}
			return &Error{Code: derr.Code, Message: msg, Fields: derr.Fields}
		}
	}
	return err
}

// skippedMember reports whether a zip member is operating-system clutter rather than a log:
// macOS resource forks and folder settings, Windows thumbnails.
func skippedMember(name string) bool {
	n := strings.ReplaceAll(name, "\\", "/")
	base := path.Base(n)
	return strings.HasPrefix(n, "__MACOSX/") || base == ".DS_Store" || base == "Thumbs.db" ||
		strings.HasPrefix(base, "._")
}

// maxZipEntries is the most central-directory entries an archive of at most maxMembers files
// may have: folders and skipped entries (__MACOSX, .DS_Store) count there too.
func maxZipEntries(maxMembers int) uint64 { return uint64(maxMembers)*4 + 64 }

// zipEntryCount reads the number of entries a zip archive of size bytes declares in its end of
// central directory record (or its zip64 record). ok is false when no record is found; the zip
// reader then refuses the archive itself.
func zipEntryCount(r io.ReaderAt, size int64) (entries uint64, ok bool) {
	const eocdLen, maxComment = 22, 65535
	tail := min(size, eocdLen+maxComment)
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return 0, false
	}
	i := bytes.LastIndex(buf, []byte{'P', 'K', 5, 6})
	if i < 0 || len(buf)-i < eocdLen {
		return 0, false
	}
	eocd := buf[i:]
	entries = uint64(binary.LittleEndian.Uint16(eocd[10:12]))
	if entries != 0xffff {
		return entries, true
	}
	// zip64: the locator's 20 bytes stand just before the end record and point at the zip64
	// end record, which holds the count as 8 bytes at offset 32.
	locAt := size - tail + int64(i) - 20
	if locAt < 0 {
		return entries, true
	}
	loc := make([]byte, 20)
	if _, err := r.ReadAt(loc, locAt); err != nil || !bytes.Equal(loc[:4], []byte{'P', 'K', 6, 7}) {
		return entries, true
	}
	rec := make([]byte, 40)
	at := int64(binary.LittleEndian.Uint64(loc[8:16]))
	if at < 0 || at > size-40 {
		return entries, true
	}
	if _, err := r.ReadAt(rec, at); err != nil || !bytes.Equal(rec[:4], []byte{'P', 'K', 6, 6}) {
		return entries, true
	}
	return binary.LittleEndian.Uint64(rec[32:40]), true
}
