package domain

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFileNameLen bounds a stored file name, in bytes.
const MaxFileNameLen = 255

// SafeFileName reduces a file name from a client or an archive to a safe base name: the last
// element of the path (slashes and backslashes both separate), valid UTF-8, without control or
// bidirectional-override characters, trimmed, at most MaxFileNameLen bytes. It returns fallback
// when nothing is left.
func SafeFileName(name, fallback string) string {
	name = strings.ToValidUTF8(name, replacementChar)
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || isBidiControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == ".." || name == "/" {
		name = ""
	}
	if len(name) > MaxFileNameLen {
		name = string(cutUTF8([]byte(name), MaxFileNameLen))
	}
	if name == "" {
		return fallback
	}
	return name
}

// isBidiControl reports whether r reorders text, which lets a name pretend to end in another
// extension than it does.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F
}

// unsafeArchivePath reports whether a member name of an archive would escape the folder it is
// extracted to: absolute, with a drive letter, or with a ".." element.
func unsafeArchivePath(name string) bool {
	n := strings.ReplaceAll(name, "\\", "/")
	if strings.HasPrefix(n, "/") || strings.ContainsRune(n, 0) {
		return true
	}
	if len(n) >= 2 && n[1] == ':' && n[0] < utf8.RuneSelf && unicode.IsLetter(rune(n[0])) {
		return true
	}
	for _, el := range strings.Split(n, "/") {
		if el == ".." {
			return true
		}
	}
	return false
}

// logMimeType is the media type a log is served as, from its name's extension.
func logMimeType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".json", ".ndjson", ".jsonl":
		return "application/json"
	case ".xml":
		return "application/xml"
	case ".yaml", ".yml":
		return "application/yaml"
	case ".csv", ".tsv":
		return "text/csv"
	case ".md", ".markdown":
		return "text/markdown"
	}
	return "text/plain"
}
