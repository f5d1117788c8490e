package pii

import (
	"bytes"
	"slices"
)

// Limits that keep the work per byte bounded.
const (
	// maxLine is the longest segment the detector looks at in one piece.
	// Longer lines are cut every maxLine bytes; a value straddling a cut is
	// not found. Detect and Scanner cut at the same offsets.
	maxLine = 256 << 10

	// maxPEM is how far past "-----BEGIN ... PRIVATE KEY-----" the detector
	// looks for the matching END line.
	maxPEM = 64 << 10
)

// cand is a candidate span, with offsets relative to the detector's buffer.
type cand struct {
	start, end int
	k          kind
}

// detector holds the state of one detection run. The zero value is ready to
// use; it is not safe for concurrent use.
type detector struct {
	buf   []byte // the text being scanned
	base  int    // absolute offset of buf[0]
	eof   bool   // no data follows buf
	cands []cand // candidates of the current group
	out   []Span // resolved spans, absolute offsets

	off      int  // buffer offset of the current line
	maxEnd   int  // largest candidate end of the current group
	hostDone int  // line offset up to which hostnames were examined
	jwtDone  int  // line offset up to which JWT candidates were examined
	connDone int  // line offset up to which connection strings were examined
	needMore bool // a matcher needs bytes past the end of buf

	urlFrom, urlTo, urlLine int // the last URL scan: authority start, end, line

	pem pemCache
}

// Detect finds the sensitive values in text and returns their spans,
// sorted by Start and non-overlapping. Where candidates overlap, the longer
// one wins; equal lengths go to the type listed first by Types.
func Detect(text []byte) []Span {
	var d detector
	d.out = make([]Span, 0, 16+len(text)/256)
	d.run(text, 0, true)
	return d.out
}

// run scans buf, whose first byte is at absolute offset base, and appends
// the spans it finds to d.out. When eof is false the end of buf may be cut
// short: run stops before any segment that could still change with more
// data and returns how many bytes it has finished with.
func (d *detector) run(buf []byte, base int, eof bool) int {
	d.buf, d.base, d.eof = buf, base, eof
	pos := 0
	for pos < len(buf) {
		d.cands = d.cands[:0]
		d.maxEnd = pos
		seg := pos
		for {
			end, ok := segmentEnd(buf, seg, eof)
			if !ok {
				return pos
			}
			d.needMore = false
			d.line(buf[seg:end], seg)
			if d.needMore {
				return pos
			}
			seg = end
			if d.maxEnd <= seg || seg >= len(buf) {
				break
			}
		}
		d.flush()
		pos = seg
	}
	return pos
}

// segmentEnd returns the end of the segment starting at buf[start]: just
// past the next newline, or maxLine bytes on when the line is longer. It
// reports false when buf may not yet hold the whole segment.
func segmentEnd(buf []byte, start int, eof bool) (int, bool) {
	lim := min(len(buf), start+maxLine)
	if i := bytes.IndexByte(buf[start:lim], '\n'); i >= 0 {
		return start + i + 1, true
	}
	if lim-start == maxLine || eof {
		return lim, true
	}
	return 0, false
}

// add records a candidate with offsets relative to the current line.
func (d *detector) add(k kind, start, end int) {
	if end <= start {
		return
	}
	d.addBuf(k, d.off+start, d.off+end)
}

// addBuf records a candidate with offsets relative to the buffer.
func (d *detector) addBuf(k kind, start, end int) {
	d.cands = append(d.cands, cand{start, end, k})
	if end > d.maxEnd {
		d.maxEnd = end
	}
}

// flush resolves the overlaps among the candidates of the current group and
// appends the winners to d.out.
func (d *detector) flush() {
	c := d.cands
	if len(c) == 0 {
		return
	}
	if len(c) > 16 {
		slices.SortFunc(c, func(a, b cand) int {
			if a.start != b.start {
				return a.start - b.start
			}
			return int(a.k) - int(b.k)
		})
	} else {
		// Candidates arrive almost sorted: insertion sort.
		for x := 1; x < len(c); x++ {
			for y := x; y > 0 && (c[y].start < c[y-1].start || c[y].start == c[y-1].start && c[y].k < c[y-1].k); y-- {
				c[y], c[y-1] = c[y-1], c[y]
			}
		}
	}
	kept := c[:1]
	for _, x := range c[1:] {
		last := &kept[len(kept)-1]
		if x.start >= last.end {
			kept = append(kept, x)
			continue
		}
		xl, ll := x.end-x.start, last.end-last.start
		if xl > ll || (xl == ll && x.k < last.k) {
			*last = x
		}
	}
	for _, x := range kept {
		d.out = append(d.out, Span{Type: kindTypes[x.k], Start: d.base + x.start, End: d.base + x.end})
	}
}

// line runs every matcher over one segment. The matchers only see s, so no
// value crosses a line, except private key blocks, which look further.
func (d *detector) line(s []byte, off int) {
	d.off = off
	d.hostDone = 0
	d.jwtDone = 0
	d.connDone = 0
	d.urlLine = -1
	n := len(s)
	i := 0
	for i < n {
		k := class[s[i]]
		if k&cWord == 0 {
			if k&cSpecial != 0 {
				d.special(s, i)
			}
			i++
			continue
		}
		j := i + 1
		m := k
		var c uint16
		for j < n {
			c = class[s[j]]
			if c&cWord == 0 {
				break
			}
			m |= c
			j++
		}
		// Most words need no closer look: skip them without a call.
		if j < n {
			if k&cDigit != 0 && c&cTrigger != 0 {
				if e := timestampEnd(s, i, j); e > j {
					i = e
					continue
				}
			}
			if w := j - i; (k|c)&(cDigit|cTrigger) == 0 && (w < 3 || (w < 10 && !mayBeKey(s, j))) {
				i = j
				continue
			}
			if plainWord(s, i, j, k, m, c) {
				i = j
				continue
			}
		}
		i = d.word(s, i, j, m)
	}
	if bytes.IndexByte(s, '@') >= 0 {
		d.emails(s)
	}
}

// timestampEnd returns the end of the date or time that starts with the
// digits s[i:j] (2024-01-15T10:23:45.123Z, 2024-01-15 10:23:45,123,
// 10:23:45.123456, the 2024:10:23:45 of 15/Jan/2024:10:23:45), or j when
// there is none. Timestamps are frequent and
// never sensitive, so the main loop steps over them in one go.
func timestampEnd(s []byte, i, j int) int {
	p := j
	switch {
	case j-i == 4 && s[j] == ':' && digitsAt(s, j+1, 2) && at(s, j+3) == ':':
		// 15/Jan/2024:10:23:45 (access logs)
		p = j + 1
	case j-i == 4 && s[j] == '-':
		// yyyy-mm-dd
		if !digitsAt(s, j+1, 2) || at(s, j+3) != '-' || !digitsAt(s, j+4, 2) || isDigit(at(s, j+6)) {
			return j
		}
		p = j + 6
		if c := at(s, p); (c == 'T' || c == ' ') && digitsAt(s, p+1, 2) && at(s, p+3) == ':' {
			p++
		} else {
			return p
		}
	case j-i == 2 && s[j] == ':':
		p = i
	default:
		return j
	}
	// hh:mm:ss
	if !digitsAt(s, p, 2) || at(s, p+2) != ':' || !digitsAt(s, p+3, 2) || at(s, p+5) != ':' || !digitsAt(s, p+6, 2) {
		return j
	}
	p += 8
	if c := at(s, p); (c == '.' || c == ',') && isDigit(at(s, p+1)) {
		p++
		for p < len(s) && isDigit(s[p]) {
			p++
		}
	}
	if at(s, p) == 'Z' {
		p++
	}
	if isWordAt(s, p) || at(s, p) == ':' {
		return j
	}
	return p
}

// plainWord reports whether the word s[i:j] can be passed over: k is the
// class of its first byte, m the union of its classes, c the class of the
// byte after it. It is a conservative filter in front of word and number.
func plainWord(s []byte, i, j int, k, m, c uint16) bool {
	n := j - i
	nb := s[j]
	if k&cDigit != 0 {
		if m&(cUpper|cLower|cUnder) != 0 {
			return c&cTrigger == 0 || nb == '='
		}
		switch nb {
		case '.':
			return false
		case ':':
			return n > 4 || (n == 2 && digitsAt(s, j+1, 2) && at(s, j+3) == ':' && digitsAt(s, j+4, 2) && at(s, j+6) != ':')
		case '-':
			switch n {
			case 1:
				return s[i] != '1'
			case 2:
				return at(s, j+3) != '-'
			case 3:
				return false
			case 4:
				return !digitsAt(s, j+1, 4)
			}
		case ' ':
			switch n {
			case 1:
				return s[i] != '1' || at(s, j+1) != '('
			case 3:
				return !digitsAt(s, j+1, 2)
			case 4:
				return !digitsAt(s, j+1, 4)
			}
		}
		return n < 9 || n > 19
	}
	if n >= 10 || (n >= 3 && mayBeKey(s, j)) {
		return false
	}
	if c&cTrigger == 0 {
		return true
	}
	if nb == '-' {
		// Only MAC groups and token prefixes (glpat-, xoxb-, sk-, AIza)
		// care about a following '-'.
		return !(n == 2 && allHex(s[i:j])) && !(n <= 6 && (s[i] == 'g' || s[i] == 'x' || s[i] == 's')) &&
			!(n >= 4 && s[i] == 'A' && s[i+1] == 'I' && s[i+2] == 'z' && s[i+3] == 'a')
	}
	return false
}

// special handles the non-word bytes that can start a value: "(" and "+"
// for phone numbers, "::" for IPv6, "-----BEGIN" for private keys.
func (d *detector) special(s []byte, i int) {
	switch s[i] {
	case '(':
		if isDigit(at(s, i+1)) && !isWordAt(s, i-1) {
			if e := parseNANP(s, i, true); e > 0 {
				d.add(kPhone, i, e)
			}
		}
	case '+':
		if isDigit(at(s, i+1)) {
			d.phoneIntl(s, i)
		}
	case ':':
		if at(s, i+1) == ':' && at(s, i-1) != ':' && !isWordAt(s, i-1) {
			d.ipv6(s, i)
		}
	case '-':
		if at(s, i+1) == '-' && at(s, i-1) != '-' && at(s, i+10) == ' ' {
			d.pemBegin(s, i)
		}
		if (at(s, i+1) == 'p' || at(s, i+1) == 'u' || at(s, i+1) == '-') && (i == 0 || s[i-1] == ' ') {
			d.cliCredential(s, i)
		}
	}
}

// word examines the word s[i:j] ([A-Za-z0-9_]+, m the union of its byte
// classes) and the bytes around it. It returns where the main loop goes on.
func (d *detector) word(s []byte, i, j int, m uint16) int {
	nb := at(s, j)
	if isDigit(s[i]) {
		return d.number(s, i, j, m, nb)
	}
	next := j
	switch nb {
	case '.':
		if j-i == 4 && allHex(s[i:j]) {
			d.macDot(s, i)
		}
		if s[i] == 'e' && j-i >= 10 && s[i+1] == 'y' && s[i+2] == 'J' {
			if e := d.jwt(s, i); e > 0 {
				return e
			}
		}
		if i >= d.hostDone && class[at(s, j+1)]&cWord != 0 {
			next = d.hostname(s, i, j)
		}
	case ':':
		if at(s, j+1) == '/' && at(s, j+2) == '/' {
			if e := d.url(s, i, j); e > next {
				next = e
			}
		} else if m&cUnder == 0 && j-i <= 4 && allHex(s[i:j]) {
			d.colonHex(s, i)
		}
	case '-':
		if j-i == 2 && allHex(s[i:j]) {
			d.macSep(s, i, '-')
		}
	}
	if j-i >= 3 && mayBeKey(s, j) {
		if e := d.keyword(s, i, j); e > next {
			next = e
		}
	}
	if nb == '=' || nb == ':' {
		d.bareAWSSecret(s, i, j)
	}
	if j-i >= 10 || nb == '-' || (nb == '.' && (j-i == 2 && s[i] == 'S' || j-i == 3 && s[i] == 'h')) {
		d.prefixed(s, i, j, nb)
	}
	return next
}

// number examines a word that starts with a digit.
func (d *detector) number(s []byte, i, j int, m uint16, nb byte) int {
	n := j - i
	if m&(cUpper|cLower|cUnder) != 0 {
		// Mixed digits and letters: hex groups or a host label.
		switch nb {
		case ':':
			if n <= 4 && allHex(s[i:j]) {
				d.colonHex(s, i)
			}
		case '-':
			if n == 2 && allHex(s[i:j]) {
				d.macSep(s, i, '-')
			}
		case '.':
			if n == 4 && allHex(s[i:j]) {
				d.macDot(s, i)
			}
			if i >= d.hostDone && m&cUnder == 0 {
				return d.hostname(s, i, j)
			}
		}
		return j
	}
	switch nb {
	case '.':
		if n <= 3 {
			if e := d.ipv4(s, i); e > 0 {
				return e
			}
		}
		if n == 3 {
			if e := parseNANP(s, i, false); e > 0 && phoneStartOK(s, i) {
				d.add(kPhone, i, e)
				return e
			}
		}
		if n == 4 {
			d.macDot(s, i)
		}
		if i >= d.hostDone && class[at(s, j+1)]&(cUpper|cLower) != 0 {
			return d.hostname(s, i, j)
		}
	case ':':
		// hh:mm:ss is a time, not an address.
		if n <= 4 && !(n == 2 && digitsAt(s, j+1, 2) && at(s, j+3) == ':' && digitsAt(s, j+4, 2) && at(s, j+6) != ':') {
			d.colonHex(s, i)
		}
	case '-':
		switch n {
		case 1:
			d.phoneOne(s, i)
		case 2:
			d.macSep(s, i, '-')
		case 3:
			if e := d.ssn(s, i); e > 0 {
				return e
			}
			if e := parseNANP(s, i, false); e > 0 && phoneStartOK(s, i) {
				d.add(kPhone, i, e)
				return e
			}
		case 4:
			if digitsAt(s, j+1, 4) {
				d.cardGrouped(s, i, '-')
			}
		}
	case ' ':
		switch n {
		case 4:
			if digitsAt(s, j+1, 4) {
				d.cardGrouped(s, i, ' ')
			}
		case 1:
			d.phoneOne(s, i)
		case 3:
			if digitsAt(s, j+1, 2) && !d.ssnByContext(s, i, j) {
				d.phoneByContext(s, i, j)
			}
		}
	}
	if n >= 13 && n <= 19 {
		d.cardRun(s, i, j)
	}
	if n == 9 {
		d.ssnByContext(s, i, j)
	}
	if n >= 10 && n <= 15 {
		d.phoneByContext(s, i, j)
	}
	return j
}

// allHex reports whether b is made of hex digits only.
func allHex(b []byte) bool {
	for _, c := range b {
		if class[c]&cHex == 0 {
			return false
		}
	}
	return true
}
