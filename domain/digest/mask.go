package digest

import (
	"bytes"

	"tftsr/domain/pii"
)

// The masks that replace variable tokens before clustering. Wildcard also marks the
// positions where the lines of a template differ.
const (
	Wildcard = "<*>"
	MaskNum  = "<NUM>"
	MaskIP   = "<IP>"
	MaskUUID = "<UUID>"
	MaskHex  = "<HEX>"
	MaskTime = "<TS>"
	MaskStr  = "<STR>"
	MaskPath = "<PATH>"
)

// token is one word of a line; when mask is set it replaces raw[ms:me].
type token struct {
	raw    []byte
	ms, me int
	mask   string
}

// text is the token as it appears in a template.
func (t token) text() string {
	if t.mask == "" {
		return string(t.raw)
	}
	return string(t.raw[:t.ms]) + t.mask + string(t.raw[t.me:])
}

// is reports whether the token reads s in a template, without allocating.
func (t token) is(s string) bool {
	if t.mask == "" {
		return string(t.raw) == s
	}
	pre, suf := t.raw[:t.ms], t.raw[t.me:]
	return len(s) == len(pre)+len(t.mask)+len(suf) && s[:len(pre)] == string(pre) &&
		s[len(pre):len(pre)+len(t.mask)] == t.mask && s[len(pre)+len(t.mask):] == string(suf)
}

// variable reports whether the token holds a masked value.
func (t token) variable() bool { return t.mask != "" }

// tokenize splits a line on whitespace into toks (reused), masks each token and returns
// the line's severity by its keywords. A quoted string at the start of a token or after
// "=" stays one token, spaces included. At most maxTokens tokens are kept.
func tokenize(line []byte, toks []token, maxTokens int) ([]token, Level) {
	toks = toks[:0]
	level := LevelInfo
	i, n := 0, len(line)
	for i < n && len(toks) < maxTokens {
		for i < n && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= n {
			break
		}
		s := i
		for i < n && line[i] != ' ' && line[i] != '\t' {
			c := line[i]
			if (c == '"' || c == '\'') && (i == s || line[i-1] == '=') {
				if j := indexByteFrom(line, c, i+1); j > 0 {
					i = j
				}
			}
			i++
		}
		w := line[s:i]
		if level != LevelError {
			level = level.worse(wordLevel(w))
		}
		ms, me, mask := maskWord(w)
		toks = append(toks, token{raw: w, ms: ms, me: me, mask: mask})
	}
	return toks, level
}

// indexByteFrom returns the index of c in s at or after from, or -1.
func indexByteFrom(s []byte, c byte, from int) int {
	for j := from; j < len(s); j++ {
		if s[j] == c {
			return j
		}
	}
	return -1
}

// maskWord finds the variable part of a word (the value of key=value, inside brackets and
// trailing punctuation) and the mask that replaces it; mask is "" when the word is constant.
func maskWord(w []byte) (int, int, string) {
	s, e := 0, len(w)
	for k := 1; k < len(w)-1; k++ {
		if w[k] == '=' {
			s = k + 1
			break
		}
		if w[k] == '"' || w[k] == '\'' {
			break
		}
	}
	// A call's arguments: "pkg.Class.method(File.java:17)" keeps the name.
	if k := bytes.LastIndexByte(w[:len(w)-1], '('); k > s && w[s] != '"' && w[s] != '\'' {
		s = k + 1
	}
	if s < e && (w[s] == '"' || w[s] == '\'') {
		return s, e, MaskStr
	}
	if k := redactionToken(w[s:]); k > 0 {
		// A value the pii package replaced, such as "[IPv4]", stays; a port after it does not.
		s += k
		if s >= e {
			return 0, 0, ""
		}
	}
	for s < e && isOpen(w[s]) {
		s++
	}
	for e > s && isClose(w[e-1]) {
		e--
	}
	if s >= e {
		return 0, 0, ""
	}
	if m := classify(w[s:e]); m != "" {
		return s, e, m
	}
	return 0, 0, ""
}

// classify returns the mask of a value, "" for a constant word. Any value with a digit is
// variable; so is one with an "@".
func classify(c []byte) string {
	var digits, hexLetters, letters, dots, colons, dashes, slashes, at int
	for _, b := range c {
		switch {
		case b >= '0' && b <= '9':
			digits++
		case b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F':
			hexLetters++
		case b >= 'g' && b <= 'z' || b >= 'G' && b <= 'Z':
			letters++
		case b == '.':
			dots++
		case b == ':':
			colons++
		case b == '-':
			dashes++
		case b == '/' || b == '\\':
			slashes++
		case b == '@':
			at++
		}
	}
	n := len(c)
	if digits == 0 {
		if at > 0 {
			return Wildcard
		}
		return ""
	}
	switch {
	case n == 36 && dashes == 4 && c[8] == '-' && c[13] == '-' && c[18] == '-' && c[23] == '-' && digits+hexLetters == 32:
		return MaskUUID
	case slashes > 0:
		return MaskPath
	case isNumber(c):
		return MaskNum
	case dots == 3 && digits+dots+colons == n && letters+hexLetters == 0:
		return MaskIP
	case colons >= 2 && digits+colons+dots+dashes+boolInt(c[n-1] == 'Z')+boolInt(n > 10 && c[10] == 'T') == n || dashes == 2 && digits+dashes == n:
		return MaskTime
	case colons >= 2 && digits+hexLetters+colons+dots == n:
		return MaskIP
	case n > 2 && c[0] == '0' && (c[1] == 'x' || c[1] == 'X') && digits+hexLetters == n-1:
		return MaskHex
	case n >= 8 && digits+hexLetters == n:
		return MaskHex
	case isQuantity(c):
		return MaskNum
	}
	return Wildcard
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isNumber reports whether c is a decimal number: an optional sign, digits, at most one
// decimal point or comma.
func isNumber(c []byte) bool {
	i := 0
	if c[0] == '-' || c[0] == '+' {
		i = 1
	}
	point := false
	for ; i < len(c); i++ {
		switch b := c[i]; {
		case b >= '0' && b <= '9':
		case (b == '.' || b == ',') && !point && i > 0 && i < len(c)-1:
			point = true
		default:
			return false
		}
	}
	return true
}

// isQuantity reports whether c is a number with a unit: 12ms, 1.5s, 300KB, 99%.
func isQuantity(c []byte) bool {
	k := 0
	for k < len(c) && (c[k] >= '0' && c[k] <= '9' || c[k] == '.') {
		k++
	}
	if k == 0 || k == len(c) {
		return false
	}
	switch string(c[k:]) {
	case "ns", "us", "µs", "ms", "s", "m", "h", "d", "min", "sec", "secs", "%", "x",
		"B", "b", "KB", "kB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "k", "K", "M", "G":
		return true
	}
	return false
}

// redactionToken returns the length of the pii replacement token ("[Email]", "[IPv4]") that
// w starts with, 0 when there is none.
func redactionToken(w []byte) int {
	if len(w) < 3 || w[0] != '[' {
		return 0
	}
	k := bytes.IndexByte(w, ']')
	if k < 2 || !pii.Type(w[1:k]).Valid() {
		return 0
	}
	return k + 1
}
