package pii

import "bytes"

// Markers of PEM blocks.
var (
	pemBeginMark = []byte("-----BEGIN ")
	pemEndMark   = []byte("-----END ")
	pemDashes    = []byte("-----")
	pemPrivate   = []byte("PRIVATE KEY")
)

// pemCache remembers the last search for "-----END " so that many BEGIN
// markers without an END cost linear time. Offsets are absolute.
type pemCache struct {
	valid bool
	from  int // start of the searched range
	to    int // end of the searched range
	found int // first match at or after from, or -1 if none before to
}

// pemBegin reports a private key block whose "-----BEGIN <label>-----"
// marker starts at s[i] and whose label contains "PRIVATE KEY" (RSA, EC,
// DSA, OPENSSH, ENCRYPTED, PGP ... BLOCK). The span runs to the end of the
// first "-----END <label>-----" within maxPEM bytes; without one it covers
// the header and the base64 body lines that follow (a truncated key).
// Certificates and public keys are not reported.
func (d *detector) pemBegin(s []byte, i int) {
	if !bytes.HasPrefix(s[i:], pemBeginMark) {
		return
	}
	p := i + len(pemBeginMark)
	q := p
	for q < len(s) && q-p < 64 && (class[s[q]]&(cUpper|cDigit) != 0 || s[q] == ' ') {
		q++
	}
	if !bytes.HasPrefix(s[q:], pemDashes) || !bytes.Contains(s[p:q], pemPrivate) {
		return
	}
	begin := d.off + i
	end, ok := d.pemEnd(begin, d.off+q+len(pemDashes))
	if !ok {
		d.needMore = true
		return
	}
	d.addBuf(kPrivateKey, begin, end)
}

// pemEnd returns the buffer offset where the block that begins at
// buf[begin] (header ending at buf[hdr]) ends. It reports false when more
// input is needed to decide.
func (d *detector) pemEnd(begin, hdr int) (int, bool) {
	buf := d.buf
	limit := begin + maxPEM
	avail := min(limit, len(buf))
	if f := d.findEnd(hdr, avail); f >= 0 {
		q := f + len(pemEndMark)
		for q < len(buf) && q-f < 80 && (class[buf[q]]&(cUpper|cDigit) != 0 || buf[q] == ' ') {
			q++
		}
		if bytes.HasPrefix(buf[q:], pemDashes) {
			return q + len(pemDashes), true
		}
		if q+len(pemDashes) <= len(buf) || d.eof {
			return q, true
		}
		return 0, false
	}
	if avail < limit && !d.eof {
		return 0, false
	}
	return pemBody(buf, hdr, avail), true
}

// findEnd returns the buffer offset of the first "-----END " that lies
// wholly inside buf[from:to], or -1.
func (d *detector) findEnd(from, to int) int {
	c := &d.pem
	af, ato := d.base+from, d.base+to
	if c.valid && c.from <= af {
		if c.found >= af {
			if c.found+len(pemEndMark) <= ato {
				return c.found - d.base
			}
			return -1
		}
		if c.found < 0 && af <= c.to {
			if ato <= c.to {
				return -1
			}
			s := max(from, c.to-d.base-len(pemEndMark)+1)
			c.to = ato
			if k := bytes.Index(d.buf[s:to], pemEndMark); k >= 0 {
				c.found = d.base + s + k
				return s + k
			}
			return -1
		}
	}
	*c = pemCache{valid: true, from: af, to: ato, found: -1}
	if from >= to {
		return -1
	}
	if k := bytes.Index(d.buf[from:to], pemEndMark); k >= 0 {
		c.found = d.base + from + k
		return from + k
	}
	return -1
}

// pemBody returns the end of the key body after the header that ends at
// buf[p]: base64 text, including JSON-escaped "\n" sequences, and following
// lines made only of base64 bytes. Trailing white space is left out.
func pemBody(buf []byte, p, limit int) int {
	q := p
	for q < limit {
		c := buf[q]
		if class[c]&cB64 != 0 || c == '\\' || c == '\r' || c == ' ' || c == '\t' {
			q++
			continue
		}
		if c == '\n' && bodyLine(buf, q+1, limit) {
			q++
			continue
		}
		break
	}
	for q > p && class[buf[q-1]]&cSpace != 0 {
		q--
	}
	return q
}

// bodyLine reports whether the line starting at buf[p] is a non-empty line
// of base64 bytes.
func bodyLine(buf []byte, p, limit int) bool {
	n := 0
	for q := p; q < limit && buf[q] != '\n'; q++ {
		c := buf[q]
		if c == '\r' {
			continue
		}
		if class[c]&cB64 == 0 && c != '\\' {
			return false
		}
		n++
	}
	return n > 0
}
