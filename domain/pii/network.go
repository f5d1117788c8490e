package pii

import (
	"bytes"
	"net/netip"
)

// parseIPv4 parses a dotted quad (each part 0-255, at most three digits) at
// s[i:] and returns its end, or 0.
func parseIPv4(s []byte, i int) int {
	p := i
	for part := 0; part < 4; part++ {
		if part > 0 {
			if at(s, p) != '.' {
				return 0
			}
			p++
		}
		v, q := 0, p
		for q < len(s) && q-p < 4 && isDigit(s[q]) {
			v = v*10 + int(s[q]-'0')
			q++
		}
		if q == p || q-p > 3 || v > 255 {
			return 0
		}
		p = q
	}
	return p
}

// ipv4 reports an IPv4 address starting at s[i]. Rejected: parts of longer
// dotted numbers (OIDs, five-part versions), numbers glued to letters,
// versions ("v1.2.3.4", "version 1.2.3.4", "Chrome/120.0.0.0",
// "1.2.3.4-beta"), 0.0.0.0, loopback (127.x.x.x), and netmasks and
// broadcast (255.x.x.x), which name no person's host.
func (d *detector) ipv4(s []byte, i int) int {
	if at(s, i-1) == '.' || isWordAt(s, i-1) {
		return 0
	}
	e := parseIPv4(s, i)
	if e == 0 {
		return 0
	}
	nb := at(s, e)
	if class[nb]&cWord != 0 || (nb == '.' && isDigit(at(s, e+1))) ||
		(nb == '-' && class[at(s, e+1)]&(cUpper|cLower) != 0) {
		return 0
	}
	if versionBefore(s, i) || unspecified(s[i:e]) {
		return e
	}
	d.add(kIPv4, i, e)
	return e
}

// unspecified reports the addresses that name no person's host: 0.0.0.0
// (any), 127.0.0.0/8 (this host, in every log of every service) and those
// starting with 255 (broadcast and netmasks such as 255.255.255.0). Flagging
// them would bury a reviewer in spans that are never personal data.
func unspecified(ip []byte) bool {
	return string(ip) == "0.0.0.0" || (len(ip) > 4 && (string(ip[:4]) == "255." || string(ip[:4]) == "127."))
}

// versionWords are words that, just before a dotted number, say it is a
// version rather than an address.
var versionWords = setOf(`
version versions ver vers v release rel build firmware fw revision rev
kernel sdk driver bios`)

// versionBefore reports whether the dotted number at s[i] is introduced as a
// version: by "<letters>/" (user agents), as an image tag (".../app:"), or
// by one of versionWords,
// possibly followed by ":", "=" or quotes ("version: 1.2.3.4",
// "app_version=1.2.3.4").
func versionBefore(s []byte, i int) bool {
	if at(s, i-1) == '/' && class[at(s, i-2)]&(cUpper|cLower|cDigit) != 0 {
		return true
	}
	if at(s, i-1) == ':' && class[at(s, i-2)]&cWord != 0 {
		// An image tag: registry.example.com/team/app:1.2.3.4.
		for k := i - 2; k >= 0 && i-k < 256; k-- {
			c := s[k]
			if c == '/' {
				return true
			}
			if class[c]&(cSpace) != 0 || c == '"' || c == '\'' || c == '=' {
				break
			}
		}
	}
	k := i
	for n := 0; k > 0 && n < 4; n++ {
		c := s[k-1]
		if c != ' ' && c != ':' && c != '=' && c != '"' && c != '\'' && c != '\t' {
			break
		}
		k--
	}
	e := k
	for k > 0 && e-k < 24 && class[s[k-1]]&(cUpper|cLower|cUnder) != 0 {
		k--
	}
	if k == e {
		return false
	}
	w := s[k:e]
	return lookupFold(versionWords, w) || hasSuffixFold(w, len(w), "version") ||
		hasSuffixFold(w, len(w), "_ver")
}

// parseIPv6 parses an IPv6 address at s[i:], in full, compressed ("::")
// or IPv4-suffixed form, and returns its end, or 0. The address must contain
// a digit, so "::" alone and words like "add::beef" are not addresses.
func parseIPv6(s []byte, i int) int {
	p := i
	groups := 0
	dbl := false
	digit := false
	end := 0
	if at(s, p) == ':' {
		if at(s, p+1) != ':' {
			return 0
		}
		dbl = true
		p += 2
		end = p
	}
	for groups < 8 {
		q := p
		for q < len(s) && q-p < 5 && class[s[q]]&cHex != 0 {
			q++
		}
		if q == p {
			break
		}
		if q-p > 4 {
			return 0
		}
		if at(s, q) == '.' {
			// An IPv4 tail takes the room of two groups.
			e := parseIPv4(s, p)
			if e == 0 || groups > 6 || (!dbl && groups != 6) {
				return 0
			}
			groups += 2
			digit = true
			end = e
			break
		}
		for _, c := range s[p:q] {
			if isDigit(c) {
				digit = true
			}
		}
		groups++
		p = q
		end = p
		if at(s, p) != ':' {
			break
		}
		if at(s, p+1) == ':' {
			if dbl {
				break
			}
			dbl = true
			p += 2
			end = p
			continue
		}
		if class[at(s, p+1)]&cHex == 0 {
			break
		}
		p++
	}
	if !digit || groups == 0 || (dbl && groups > 7) || (!dbl && groups != 8) {
		return 0
	}
	nb := at(s, end)
	if class[nb]&cWord != 0 || (nb == '.' && isDigit(at(s, end+1))) ||
		(nb == ':' && class[at(s, end+1)]&(cHex) != 0) {
		return 0
	}
	return end
}

// ipv6 reports an IPv6 address starting at s[i], but not the loopback (::1)
// and unspecified (::) addresses, nor IPv4 loopback written as IPv6
// (::ffff:127.0.0.1): like 127.0.0.1 they name no person's host.
func (d *detector) ipv6(s []byte, i int) {
	if e := parseIPv6(s, i); e > 0 {
		if a, err := netip.ParseAddr(string(s[i:e])); err == nil && (a.Unmap().IsLoopback() || a.IsUnspecified()) {
			return
		}
		d.add(kIPv6, i, e)
	}
}

// colonHex handles a short hex word followed by ':': a MAC address or an
// IPv6 address. Times like 12:34:56 are neither (three groups, no "::").
func (d *detector) colonHex(s []byte, i int) {
	if at(s, i-1) == ':' || at(s, i-1) == '.' {
		return
	}
	if d.macSep(s, i, ':') {
		return
	}
	d.ipv6(s, i)
}

// macSep reports a MAC address of six two-digit hex groups separated by sep
// starting at s[i].
func (d *detector) macSep(s []byte, i int, sep byte) bool {
	if i+17 > len(s) || at(s, i-1) == sep {
		return false
	}
	for g := 0; g < 6; g++ {
		p := i + 3*g
		if class[s[p]]&cHex == 0 || class[s[p+1]]&cHex == 0 {
			return false
		}
		if g < 5 && s[p+2] != sep {
			return false
		}
	}
	e := i + 17
	nb := at(s, e)
	if class[nb]&cWord != 0 || (nb == sep && class[at(s, e+1)]&cHex != 0) {
		return false
	}
	d.add(kMAC, i, e)
	return true
}

// macDot reports a MAC address in Cisco form, 0011.2233.4455.
func (d *detector) macDot(s []byte, i int) {
	if i+14 > len(s) || at(s, i-1) == '.' {
		return
	}
	for g := 0; g < 3; g++ {
		p := i + 5*g
		if !allHex(s[p:p+4]) || (g < 2 && s[p+4] != '.') {
			return
		}
	}
	e := i + 14
	if class[at(s, e)]&cWord != 0 || (at(s, e) == '.' && isWordAt(s, e+1)) {
		return
	}
	d.add(kMAC, i, e)
}

// emails finds every address around the '@' bytes of s. The local part is
// [A-Za-z0-9._%+-] (at most 64 bytes); the domain needs two or more valid
// labels and an alphabetic top level that is not a file extension, so
// "image@2x.png", "@Override" and "pkg@1.2.3" are not addresses.
func (d *detector) emails(s []byte) {
	from := 0
	for from < len(s) {
		k := bytes.IndexByte(s[from:], '@')
		if k < 0 {
			return
		}
		a := from + k
		from = a + 1
		b := a
		for b > 0 && a-b <= 64 && class[s[b-1]]&cLocal != 0 {
			b--
		}
		if a-b > 64 {
			continue
		}
		for b < a && (s[b] == '.' || s[b] == '-' || s[b] == '+') {
			b++
		}
		if b == a {
			continue
		}
		e := a + 1
		lim := min(len(s), a+1+255)
		for e < lim && class[s[e]]&cHost != 0 && s[e] != '_' {
			e++
		}
		for e > a+1 && (s[e-1] == '.' || s[e-1] == '-') {
			e--
		}
		if !emailDomain(s[a+1 : e]) {
			continue
		}
		d.add(kEmail, b, e)
		from = e
	}
}

// emailDomain reports whether dom can be the domain of an e-mail address.
func emailDomain(dom []byte) bool {
	last, ok := labels(dom)
	if !ok || last == 0 {
		return false
	}
	tld := dom[last:]
	if len(tld) < 2 || len(tld) > 24 {
		return false
	}
	for _, c := range tld {
		if class[c]&(cUpper|cLower) == 0 {
			return false
		}
	}
	return !lookupFold(fileExts, tld)
}

// labels checks that name is a dot-separated list of DNS labels (1-63
// bytes of [A-Za-z0-9-], no hyphen at either end) and returns the offset of
// the last label.
func labels(name []byte) (last int, ok bool) {
	start := 0
	for k := 0; k <= len(name); k++ {
		if k < len(name) && name[k] != '.' {
			if name[k] == '_' {
				return 0, false
			}
			continue
		}
		l := k - start
		if l == 0 || l > 63 || name[start] == '-' || name[k-1] == '-' {
			return 0, false
		}
		last = start
		start = k + 1
	}
	return last, true
}
