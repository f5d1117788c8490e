package pii

import (
	"bytes"
	"math"
)

// Bounds of a bare secret: shorter strings are too often words or
// abbreviations, longer ones are blobs.
const (
	minSecret = 10
	maxSecret = 256
)

// DetectText is Detect for text a person typed, such as a chat message, an
// answer or a note: besides everything Detect finds it reports random-looking
// strings standing on their own, without a key that names them, as Secret
// ("the DB user is bob and the password for it is X9#kd!2mQp7z" already has
// a key; "use X9#kd!2mQp7z for the DB" has none). See bareSecret for what
// counts as random-looking. Spans are sorted and non-overlapping; a value
// another rule reports is never reported again.
//
// Logs are scanned with Detect: machine-written text holds many random
// identifiers (request ids, cache keys, session handles) that are not
// credentials.
func DetectText(text []byte) []Span {
	return addBareSecrets(text, Detect(text))
}

// addBareSecrets returns spans (sorted, non-overlapping, found in text)
// with the bare secrets of text that overlap none of them added in order.
func addBareSecrets(text []byte, spans []Span) []Span {
	var extra []Span
	next := 0 // the first span that may overlap what follows
	for i := 0; i < len(text); {
		if class[text[i]]&cSpace != 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && class[text[j]]&cSpace == 0 {
			j++
		}
		if j-i >= minSecret {
			if s, e, ok := bareSecretIn(text, i, j); ok {
				for next < len(spans) && spans[next].End <= s {
					next++
				}
				if next == len(spans) || spans[next].Start >= e {
					extra = append(extra, Span{Type: Secret, Start: s, End: e})
				}
			}
		}
		i = j
	}
	if len(extra) == 0 {
		return spans
	}
	out := make([]Span, 0, len(spans)+len(extra))
	a, b := 0, 0
	for a < len(spans) || b < len(extra) {
		if b == len(extra) || (a < len(spans) && spans[a].Start < extra[b].Start) {
			out = append(out, spans[a])
			a++
		} else {
			out = append(out, extra[b])
			b++
		}
	}
	return out
}

// Curly quotes and guillemets, which word processors and chat clients put
// around pasted values, and the ellipsis they put after them.
var fancyQuotes = [][]byte{[]byte("“"), []byte("”"), []byte("‘"), []byte("’"), []byte("«"), []byte("»"), []byte("…")}

// trimQuotes strips quotes and brackets from both ends of s[i:j], and
// sentence punctuation from its end, and returns the new bounds.
func trimQuotes(s []byte, i, j int) (int, int) {
	for i < j {
		if c := s[i]; c == '"' || c == '\'' || c == '`' || c == '(' || c == '[' || c == '{' || c == '<' {
			i++
			continue
		}
		if q := fancyAt(s[i:j], true); q > 0 {
			i += q
			continue
		}
		break
	}
	for j > i {
		switch s[j-1] {
		case '"', '\'', '`', ')', ']', '}', '>', '.', ',', ';', ':', '!', '?':
			j--
			continue
		}
		if q := fancyAt(s[i:j], false); q > 0 {
			j -= q
			continue
		}
		break
	}
	return i, j
}

// fancyAt returns the length of the curly quote at the start (or end) of b,
// or 0.
func fancyAt(b []byte, start bool) int {
	if len(b) == 0 || start && b[0] < 0x80 || !start && b[len(b)-1] < 0x80 {
		return 0
	}
	for _, q := range fancyQuotes {
		if start && bytes.HasPrefix(b, q) || !start && bytes.HasSuffix(b, q) {
			return len(q)
		}
	}
	return 0
}

// bareSecretIn looks at the white-space delimited chunk s[i:j] and returns
// the bounds of the bare secret in it: the chunk without quotes, brackets
// and trailing punctuation, or the value of "name=value" and
// "name:value".
func bareSecretIn(s []byte, i, j int) (int, int, bool) {
	i, j = trimQuotes(s, i, j)
	if j-i < minSecret || j-i > maxSecret+64 {
		return 0, 0, false
	}
	t := s[i:j]
	if bytes.Contains(t, []byte("://")) {
		return 0, 0, false // URLs belong to other rules, and are not secrets
	}
	if digestPrefix(t) {
		return 0, 0, false
	}
	if p := nameEnd(t); p > 0 {
		vs, ve := trimQuotes(s, i+p+1, j)
		if bareSecret(s[vs:ve]) {
			return vs, ve, true
		}
		// A '=' or ':' inside a random string (HC8I=WgYPH&2N) does not
		// make what precedes it a name.
		return i, j, p >= 4 && mixedClasses(t[:p]) && mixesLikeRandom(t[:p]) && bareSecret(t)
	}
	return i, j, bareSecret(t)
}

// nameEnd returns the offset of the '=' or ':' after a leading name in t
// (name=value, name:value), or 0. The name starts with a letter and holds
// letters, digits, '_', '-' and '.'; the value must not start with the
// same separator (base64 padding "==", C++ "::").
func nameEnd(t []byte) int {
	if class[t[0]]&(cUpper|cLower) == 0 {
		return 0
	}
	for p := 1; p < len(t) && p <= 48; p++ {
		c := t[p]
		if c == '=' || c == ':' {
			if p+1 >= len(t) || t[p+1] == c {
				return 0
			}
			return p
		}
		if class[c]&cWord == 0 && c != '-' && c != '.' {
			return 0
		}
	}
	return 0
}

// bareSecret reports whether t, a string standing on its own, looks like a
// password or key: 10 to 256 printable ASCII bytes with three or more of
// upper case, lower case, digits and symbols (or only two, without
// symbols, and 20 bytes or more), a high Shannon entropy for its length,
// and letters and digits mixed the way random strings mix them rather than
// the way names do. It is never a word, an identifier (camelCase,
// PascalCase, snake_case, kebab-case, Java and Go qualified names), a path
// or file name, a URL, an e-mail address, a version, a number, date or
// time, hex (hashes, commit and container ids, UUIDs, MAC addresses), a
// digest (sha256:..., SHA256:... fingerprints, sha512-... integrity), an
// SSH public key, a ULID, a Kubernetes pod name or a placeholder.
func bareSecret(t []byte) bool {
	n := len(t)
	if n < minSecret || n > maxSecret {
		return false
	}
	var up, lo, dg, sym int
	odd := false // a symbol names never hold
	for _, c := range t {
		k := class[c]
		switch {
		case c <= ' ' || c >= 0x7f:
			return false
		case k&cUpper != 0:
			up++
		case k&cLower != 0:
			lo++
		case k&cDigit != 0:
			dg++
		default:
			sym++
			if !hasByte("._-/:+=@~,()[]{}<>", c) {
				odd = true
			}
		}
	}
	if up+lo < 3 {
		return false // numbers, dates, times, addresses, phone numbers
	}
	classes := min(up, 1) + min(lo, 1) + min(dg, 1) + min(sym, 1)
	switch {
	case classes >= 3:
	case classes == 2 && sym == 0 && n >= 20:
	default:
		return false
	}
	if sym > 0 && !odd && !bytes.ContainsAny(t, "+=") && !mixedCaseRun(t) {
		// kebab-case, snake_case, dotted and slashed names whose parts
		// each have one case: pod and replica set names
		// (api-7d9f8b6c4-x2x9q, k8s_POD_api-..._default_1), container and
		// host names, Go import paths, constants (MAX_RETRY_COUNT).
		return false
	}
	if !odd && fileName(t) {
		return false
	}
	if notSecretShape(t) {
		return false
	}
	if entropy(t) < entropyFloor(n, classes) {
		return false
	}
	return !madeOfWords(t) && mixesLikeRandom(t)
}

// madeOfWords reports whether t is words and names joined by symbols, as
// code and configuration are (fmt.Sprintf("%s, findLogByID(ctx,
// m.s.apiKey, $PGBIN/pg_ctl, int(s[i]-'0'): no run of letters and
// digits of four bytes or more mixes like a random string, and words (runs
// of three letters in one case, or of four bytes or more that do not mix
// like a random string) make up half the letters and digits or more.
func madeOfWords(t []byte) bool {
	words, alnums := 0, 0 // bytes in words, and in all runs
	for p := 0; p < len(t); {
		if class[t[p]]&(cUpper|cLower|cDigit) == 0 {
			p++
			continue
		}
		q := p
		var m uint16
		for q < len(t) && class[t[q]]&(cUpper|cLower|cDigit) != 0 {
			m |= class[t[q]]
			q++
		}
		run := t[p:q]
		p = q
		switch {
		case m&(cUpper|cLower) == 0 || len(run) >= 6 && m&cDigit != 0 && allHex(run) ||
			len(run) > 2 && run[0] == '0' && (run[1] == 'x' || run[1] == 'X') && allHex(run[2:]):
			continue // a number or a hash
		}
		alnums += len(run)
		if len(run) <= 2 {
			continue // says nothing, and counts against
		}
		switch {
		case len(run) == 3:
			if len(run) == 3 && m&cDigit == 0 && (m&cUpper == 0 || class[run[1]]&cLower != 0 && class[run[2]]&cLower != 0) {
				words += 3 // int, ctx, Foo, but not kdQ
			}
		case mixesLikeRandom(run):
			return false
		default:
			words += len(run)
		}
	}
	return words > 0 && 2*words >= alnums
}

// notSecretShape reports the shapes that look random but are not
// secrets, or that other rules own.
func notSecretShape(t []byte) bool {
	switch {
	case hasPrefixFold(t, 0, "www.") || hasPrefixFold(t, 0, "data:"):
		return true
	case filePath(t) || t[0] == '\\' && at(t, 1) == '\\':
		return true // paths: /etc/..., ./x, ~/x, C:\x, \\server\share
	case hashPrefix(t):
		return true // password hashes: bcrypt, crypt(3), argon2, PBKDF2
	case hasByte("$%#@&*-", t[0]) && onlyNameAfter(t[1:]):
		// Shell variables, format verbs, CSS colours, channels and
		// tags, mentions and decorators, flags, references, markup.
		return true
	case digestPrefix(t):
		return true
	case typedID(t):
		return true
	case bytes.HasPrefix(t, []byte("AAAA")):
		return true // SSH public keys (AAAAB3NzaC1yc2E..., AAAAC3NzaC1lZDI1NTE5...)
	case emailLike(t):
		return true
	case versionLike(t):
		return true
	case hexLike(t):
		return true
	case ulid(t):
		return true
	case placeholder(t) || masked(t):
		return true
	case codeEscape(t):
		return true
	case numberUnit(t):
		return true
	}
	return false
}

// codeEscape reports code and patterns: a backslash escape (\x03, \n,
// \d) or a regular expression range (A-Z, a-z, 0-9).
func codeEscape(t []byte) bool {
	for k := 0; k+1 < len(t); k++ {
		if t[k] == '\\' && hasByte("xnrtdwsuUb0'\"\\", t[k+1]) {
			return true
		}
	}
	return bytes.Contains(t, []byte("A-Z")) || bytes.Contains(t, []byte("a-z")) || bytes.Contains(t, []byte("0-9"))
}

// numberUnit reports a number with a unit of up to four letters:
// 512.125GiB, 10.5ms, 3.2GHz.
func numberUnit(t []byte) bool {
	p := 0
	for p < len(t) && (isDigit(t[p]) || t[p] == '.' || t[p] == ',') {
		p++
	}
	if p == 0 || len(t)-p > 4 {
		return false
	}
	for _, c := range t[p:] {
		if class[c]&(cUpper|cLower) == 0 {
			return false
		}
	}
	return true
}

// onlyNameAfter reports whether t, what follows a leading sigil, is a name:
// letters, digits, '_', '-', '.', ':' and braces.
func onlyNameAfter(t []byte) bool {
	for _, c := range t {
		if class[c]&cWord == 0 && !hasByte("-.:{}()", c) {
			return false
		}
	}
	return true
}

// hashPrefix reports a password hash in modular crypt format: $2b$12$...,
// $6$salt$..., $argon2id$v=19$..., $pbkdf2-sha256$....
func hashPrefix(t []byte) bool {
	if t[0] != '$' {
		return false
	}
	e := bytes.IndexByte(t[1:], '$')
	if e < 1 || e > 16 {
		return false
	}
	for _, c := range t[1 : 1+e] {
		if class[c]&(cLower|cDigit) == 0 && c != '-' {
			return false
		}
	}
	return true
}

// typedID reports an identifier with a short lower-case type prefix:
// req_WcyvlSer8mJjZ3Nm, cus_NffrFeUfNV2Hib, evt_1NG8Du2eZvKYlo2C. Secrets
// with a prefix (sk_live_, ghp_, xoxb-) belong to other rules; an id that
// says what it names is not a secret.
func typedID(t []byte) bool {
	p := 0
	for p < len(t) && class[t[p]]&cLower != 0 {
		p++
	}
	if p < 2 || p > 8 || p+1 >= len(t) || t[p] != '_' {
		return false
	}
	for _, c := range t[p+1:] {
		if class[c]&(cUpper|cLower|cDigit) == 0 {
			return false
		}
	}
	return true
}

// digestPrefix reports digests and fingerprints: sha256:..., sha1:...,
// md5:..., SHA256:... (SSH fingerprints), sha512-... (subresource
// integrity), sha256=... (webhook signatures).
func digestPrefix(t []byte) bool {
	for _, p := range []string{"sha1", "sha224", "sha256", "sha384", "sha512", "md5", "blake2b", "blake3", "xxh64"} {
		if hasPrefixFold(t, 0, p) {
			if c := at(t, len(p)); c == ':' || c == '-' || c == '=' || c == '_' {
				return true
			}
		}
	}
	return false
}

// emailLike reports local@domain.tld, reported by the e-mail rule or not
// (user@host.invalid), and user@host.
func emailLike(t []byte) bool {
	a := bytes.IndexByte(t, '@')
	if a <= 0 || a == len(t)-1 {
		return false
	}
	for _, c := range t[a+1:] {
		if class[c]&cWord == 0 && c != '.' && c != '-' {
			return false
		}
	}
	for _, c := range t[:a] {
		if class[c]&cLocal == 0 {
			return false
		}
	}
	return bytes.IndexByte(t[a+1:], '.') > 0
}

// versionLike reports versions: an optional v, numbers joined by dots,
// and an optional pre-release or build part (v1.2.3-rc.1+build.5,
// 2.14.1-alpine3.19, 1.0.0-SNAPSHOT), and product/version or
// name-version forms whose version part is one (go1.22.3, node-v20.11.1).
func versionLike(t []byte) bool {
	p := 0
	for p < len(t) && class[t[p]]&(cUpper|cLower) != 0 && p < 12 {
		p++
	}
	if p < len(t) && (t[p] == '-' || t[p] == '_' || t[p] == '/' || t[p] == '@') && p > 0 {
		p++
	}
	if at(t, p) == 'v' || at(t, p) == 'V' {
		p++
	}
	q := p
	for q < len(t) && isDigit(t[q]) {
		q++
	}
	if q == p || at(t, q) != '.' || !isDigit(at(t, q+1)) {
		return false
	}
	for q < len(t) && (isDigit(t[q]) || t[q] == '.') {
		q++
	}
	if q == len(t) {
		return true
	}
	if t[q] != '-' && t[q] != '+' && t[q] != '_' && t[q] != '~' {
		return false
	}
	for _, c := range t[q+1:] {
		if class[c]&cWord == 0 && c != '.' && c != '-' && c != '+' {
			return false
		}
	}
	// The suffix is a name (rc.1, SNAPSHOT, alpine3.19), not random.
	return !mixesLikeRandom(t[q+1:])
}

// hexLike reports hex with optional separators and a 0x prefix: hashes,
// commit and container ids, UUIDs, MAC and IPv6 addresses, fingerprints.
func hexLike(t []byte) bool {
	if len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
		t = t[2:]
	}
	for _, c := range t {
		if class[c]&cHex == 0 && c != '-' && c != ':' && c != '.' && c != '_' {
			return false
		}
	}
	return true
}

// ulid reports a ULID: 26 bytes of Crockford base32 in upper case, the
// first 0-7.
func ulid(t []byte) bool {
	if len(t) != 26 || t[0] < '0' || t[0] > '7' {
		return false
	}
	for _, c := range t {
		if !(isDigit(c) || c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U') {
			return false
		}
	}
	return true
}

// mixedClasses reports whether t has two or more of upper case, lower
// case and digits.
func mixedClasses(t []byte) bool {
	var m uint16
	for _, c := range t {
		m |= class[c]
	}
	n := 0
	for _, k := range []uint16{cUpper, cLower, cDigit} {
		if m&k != 0 {
			n++
		}
	}
	return n >= 2
}

// mixedCaseRun reports whether a run of letters and digits in t holds both
// upper and lower case.
func mixedCaseRun(t []byte) bool {
	var m uint16
	for _, c := range t {
		k := class[c]
		if k&(cUpper|cLower|cDigit) == 0 {
			m = 0
			continue
		}
		m |= k
		if m&cUpper != 0 && m&cLower != 0 {
			return true
		}
	}
	return false
}

// fileName reports a name with a short lower-case extension:
// report_Q3_2024.xlsx, IMG_20240115.jpg, OrderService.java.
func fileName(t []byte) bool {
	d := bytes.LastIndexByte(t, '.')
	if d <= 0 || len(t)-d-1 > 5 || len(t)-d-1 == 0 {
		return false
	}
	letter := false
	for _, c := range t[d+1:] {
		if class[c]&(cLower|cDigit) == 0 {
			return false
		}
		letter = letter || class[c]&cLower != 0
	}
	return letter
}

// entropy returns the Shannon entropy of t (at most maxSecret bytes) in
// bits per byte: log2 n - (sum of k log2 k over the byte counts k) / n.
func entropy(t []byte) float64 {
	var counts [128]uint16
	for _, c := range t {
		counts[c&0x7f]++
	}
	sum := 0.0
	for _, c := range t {
		if k := counts[c&0x7f]; k > 0 {
			sum += kLog2k[k]
			counts[c&0x7f] = 0
		}
	}
	return log2n[len(t)] - sum/float64(len(t))
}

// kLog2k[k] is k log2 k and log2n[n] is log2 n, for the entropy of strings
// of up to maxSecret bytes.
var kLog2k, log2n = func() (a, b [maxSecret + 1]float64) {
	for k := 1; k <= maxSecret; k++ {
		a[k] = float64(k) * math.Log2(float64(k))
		b[k] = math.Log2(float64(k))
	}
	return a, b
}()

// entropyFloor is the entropy a random-looking string of n bytes must
// reach: close to the most n bytes can have (log2 n, every byte distinct)
// for short strings, capped for long ones where even random text repeats
// bytes; higher for two classes, whose alphabet is smaller.
func entropyFloor(n, classes int) float64 {
	if classes == 2 {
		return min(math.Log2(float64(n))-0.5, 4.2)
	}
	return min(math.Log2(float64(n))-0.6, 3.9)
}

// switchFloor is the share of class switches from which a string mixes
// like a random one.
const switchFloor = 0.35

// mixesLikeRandom reports whether the letters and digits of t switch
// between upper case, lower case and digits, or go without vowels, the
// way random strings do, rather than forming words. Digit-only runs
// between separators (12.5, 2024) and hex runs (nginx-7d9f8b6c4) are
// left out.
func mixesLikeRandom(t []byte) bool {
	var (
		switches, pairs  int // class switches among adjacent alnum bytes
		letters, vowels  int
		lowRuns, lowLen  int // runs of lower case letters and their bytes
		noVowel, longRun int // letters since the last vowel, the longest such run
	)
	for p := 0; p < len(t); {
		if class[t[p]]&(cUpper|cLower|cDigit) == 0 {
			p++
			continue
		}
		q := p
		var m uint16
		for q < len(t) && class[t[q]]&(cUpper|cLower|cDigit) != 0 {
			m |= class[t[q]]
			q++
		}
		if m&(cUpper|cLower) == 0 || q-p >= 6 && m&cDigit != 0 && allHex(t[p:q]) {
			p = q // a number or a hash
			continue
		}
		noVowel = 0
		for k := p; k < q; k++ {
			c := t[k]
			kc := class[c] & (cUpper | cLower | cDigit)
			if kc&(cUpper|cLower) != 0 {
				letters++
				if hasByte("aeiouyAEIOUY", c) {
					vowels++
					noVowel = 0
				} else if kc == cLower {
					noVowel++
					longRun = max(longRun, noVowel)
				} else {
					noVowel = 0 // a new word
				}
			} else {
				noVowel = 0
			}
			if kc == cLower {
				lowLen++
				if k == p || class[t[k-1]]&cLower == 0 {
					lowRuns++
				}
			}
			if k == p {
				continue
			}
			pc := class[t[k-1]] & (cUpper | cLower | cDigit)
			pairs++
			if kc != pc && !(pc == cUpper && kc == cLower) {
				switches++
			}
		}
		p = q
	}
	if letters == 0 {
		return false
	}
	rate := float64(switches) / float64(max(pairs, 1))
	vr := float64(vowels) / float64(letters)
	if rate >= switchFloor || longRun >= 6 || vr < 0.15 && letters >= 8 {
		return true
	}
	if lowRuns == 0 {
		return false
	}
	// Words have lower-case runs of three or more letters; random strings
	// rarely more than two.
	run := float64(lowLen) / float64(lowRuns)
	return run < 2 || rate >= 0.25 && run < 2.6 && vr < 0.3
}
