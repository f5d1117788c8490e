package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// validateText returns a message when s is not acceptable text of at most max bytes, or "".
// Control characters other than tab and newlines are refused, and so are invalid UTF-8 bytes.
// A limit under 1 KB is stated in characters, a larger one as a size (FormatBytes).
func validateText(s string, max int, multiline bool) string {
	if !utf8.ValidString(s) {
		return "Must be valid UTF-8 text."
	}
	if len(s) > max {
		if max < 1<<10 {
			return "Must be at most " + itoa(max) + " characters."
		}
		return "Must be at most " + FormatBytes(int64(max)) + "."
	}
	for _, r := range s {
		if r == '\t' || (multiline && (r == '\n' || r == '\r')) {
			continue
		}
		if unicode.IsControl(r) {
			return "Must not contain control characters."
		}
	}
	return ""
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// normaliseNewlines turns CRLF and lone CR into LF.
func normaliseNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// oneLine collapses the white space of s, newlines included, into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
