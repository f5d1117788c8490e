package domain

import (
	"io"
	"unicode/utf8"
)

// replacementChar is U+FFFD, which stands in for bytes that are not valid UTF-8.
const replacementChar = "\uFFFD"

// utf8Writer passes a stream on to w as valid UTF-8: every byte that does not begin a valid
// encoding becomes U+FFFD, one per byte, exactly as ranging over the whole input as a string
// would decode it. An encoding split across writes is held back until the next write completes
// it; Close ends the stream and replaces what is still held back.
type utf8Writer struct {
	w       io.Writer
	pending [utf8.UTFMax]byte
	npend   int
	buf     []byte
	// invalid is set once any byte has been replaced.
	invalid bool
}

// newUTF8Writer returns a utf8Writer that writes to w.
func newUTF8Writer(w io.Writer) *utf8Writer {
	return &utf8Writer{w: w}
}

// Write sanitises p as the next part of the stream.
func (u *utf8Writer) Write(p []byte) (int, error) {
	n := len(p)
	if u.npend > 0 {
		consumed, done := u.completePending(p)
		p = p[consumed:]
		if !done {
			return n, u.flush()
		}
	}
	// Hold back an encoding that the next write may complete.
	cut := len(p) - incompleteSuffix(p)
	body := p[:cut]
	u.npend = copy(u.pending[:], p[cut:])
	if len(u.buf) == 0 && utf8.Valid(body) {
		// The common case: nothing to replace, no copy.
		if len(body) == 0 {
			return n, nil
		}
		if _, err := u.w.Write(body); err != nil {
			return 0, err
		}
		return n, nil
	}
	u.buf = appendValid(u.buf, body, &u.invalid)
	return n, u.flush()
}

// completePending decodes the held-back bytes with as many bytes of p as they need. It returns
// how many bytes of p it used and false when p ran out before the encoding could be decided.
func (u *utf8Writer) completePending(p []byte) (int, bool) {
	var tmp [2 * utf8.UTFMax]byte
	k := copy(tmp[:], u.pending[:u.npend])
	k += copy(tmp[k:], p[:min(len(p), utf8.UTFMax)])
	t := tmp[:k]
	j := 0
	for j < u.npend {
		if !utf8.FullRune(t[j:]) {
			// Only possible when all of p is in t: keep the lot for the next write.
			u.npend = copy(u.pending[:], t[j:])
			return len(p), false
		}
		r, size := utf8.DecodeRune(t[j:])
		if r == utf8.RuneError && size == 1 {
			u.buf = append(u.buf, replacementChar...)
			u.invalid = true
		} else {
			u.buf = append(u.buf, t[j:j+size]...)
		}
		j += size
	}
	used := j - u.npend
	u.npend = 0
	return used, true
}

// Close replaces any bytes still held back; they end the stream without completing an encoding.
func (u *utf8Writer) Close() error {
	for i := 0; i < u.npend; i++ {
		u.buf = append(u.buf, replacementChar...)
		u.invalid = true
	}
	u.npend = 0
	return u.flush()
}

func (u *utf8Writer) flush() error {
	if len(u.buf) == 0 {
		return nil
	}
	_, err := u.w.Write(u.buf)
	u.buf = u.buf[:0]
	return err
}

// appendValid appends p to out with each invalid byte replaced by U+FFFD and sets *invalid
// when it replaced any.
func appendValid(out, p []byte, invalid *bool) []byte {
	start := 0
	for i := 0; i < len(p); {
		if p[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size == 1 {
			out = append(out, p[start:i]...)
			out = append(out, replacementChar...)
			*invalid = true
			i++
			start = i
			continue
		}
		i += size
	}
	return append(out, p[start:]...)
}

// incompleteSuffix returns the length of an encoding at the end of p that has begun but not
// ended, or 0.
func incompleteSuffix(p []byte) int {
	for k := 1; k <= utf8.UTFMax-1 && k <= len(p); k++ {
		b := p[len(p)-k]
		if b < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(b) {
			if utf8.FullRune(p[len(p)-k:]) {
				return 0
			}
			return k
		}
	}
	return 0
}

// cutUTF8 returns the longest prefix of s of at most n bytes that ends on a character boundary.
func cutUTF8(s []byte, n int) []byte {
	if n >= len(s) {
		return s
	}
	if n < 0 {
		n = 0
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
