package pii

import (
	"bytes"
	"strings"
)

// keyClass says what kind of secret a key name announces.
type keyClass uint8

// The key classes.
const (
	keyNone      keyClass = iota
	keyPassword           // password, passwd, passphrase: key=value and plain language
	keyPassShort          // pass, pwd: key=value only
	keySecret             // secret, client_secret, ...
	keyToken              // token, access_token, ...
	keyAPIKey             // api_key, apikey, api-key, secret_key, private_key, ...
	keyAWSSecret          // aws_secret_access_key, SecretAccessKey, ...
	keyAuth               // authorization
	keyBearer             // bearer
)

// keyAt classifies the word s[i:j] as a key name. password, passwd and
// passphrase match as the end of any compound (db_password, PGPASSWORD,
// newpassword); the other names only after a word boundary: the start of
// the word, '_', '-' or '.' before it, a lower-to-upper case change
// (clientSecret), or an all-capitals compound (APPSECRET). So "bypass:"
// and "compass:" are not keys. Pagination handles (nextToken, page_token)
// are not secrets.
func keyAt(s []byte, i, j int) keyClass {
	switch lower(s[j-1]) {
	case 'd':
		if hasSuffixFold(s[i:j], j-i, "password") || hasSuffixFold(s[i:j], j-i, "passwd") {
			return keyPassword
		}
		if suffixWord(s, i, j, "pwd") {
			return keyPassShort
		}
	case 's':
		if suffixWord(s, i, j, "pass") {
			return keyPassShort
		}
	case 'e':
		if hasSuffixFold(s[i:j], j-i, "passphrase") {
			return keyPassword
		}
	case 't':
		if suffixWord(s, i, j, "secret") || upperCompound(s, i, j, "secret") {
			return keySecret
		}
	case 'n':
		if (suffixWord(s, i, j, "token") || upperCompound(s, i, j, "token")) && !lookupFold(tokenNotSecret, s[i:j-5]) &&
			!(j-5-i > 1 && lookupFold(tokenNotSecret, s[i:j-6])) {
			return keyToken
		}
		if equalFold(s[i:j], "authorization") {
			return keyAuth
		}
	case 'y':
		return keyKey(s, i, j)
	case 'r':
		if equalFold(s[i:j], "bearer") {
			return keyBearer
		}
	}
	return keyNone
}

// tokenNotSecret are the words that make "<word>_token" an opaque
// pagination or tracing handle rather than a credential (nextToken,
// page_token, ContinuationToken, ...).
var tokenNotSecret = setOf(`
next page nextpage continuation sync cursor resume pagination marker
idempotency request correlation trace cancellation cancel start end
`)

// upperCompound reports an all-capitals word ending in w, such as
// PGPASSWORD or APPSECRET (environment variable style).
func upperCompound(s []byte, i, j int, w string) bool {
	if j-i <= len(w) || !hasSuffixFold(s[i:j], j-i, w) {
		return false
	}
	for _, c := range s[i:j] {
		if class[c]&cLower != 0 {
			return false
		}
	}
	return true
}

// suffixWord reports whether s[i:j] ends with the lower-case word w at a
// word boundary.
func suffixWord(s []byte, i, j int, w string) bool {
	k := j - len(w)
	if k < i || !hasPrefixFold(s, k, w) {
		return false
	}
	if k == i || s[k-1] == '_' {
		return true
	}
	return class[s[k-1]]&(cLower|cDigit) != 0 && class[s[k]]&cUpper != 0
}

// keyPrefixes are the words that make "<word>_key" a secret key name.
var keyPrefixes = []string{"api", "secret", "private", "signing", "encryption", "master", "access", "auth", "app", "client", "license", "account", "storage", "subscription"}

// keyPrefixSet holds keyPrefixes for lookups.
var keyPrefixSet = setOf(strings.Join(keyPrefixes, " "))

// keyKey classifies words ending in "key": aws_secret_access_key,
// SecretAccessKey, api_key, apikey, secret_key, x-api-key, "API key", ...
func keyKey(s []byte, i, j int) keyClass {
	if !suffixWord(s, i, j, "key") && !hasSuffixFold(s[i:j], j-i, "key") {
		return keyNone
	}
	k := j - 3
	if k == i {
		// A separate word: look at "api-", "api_", "api " or
		// "secret-access-" before it.
		if hasSuffixFold(s, i, "secret-access-") || hasSuffixFold(s, i, "secret_access_") {
			return keyAWSSecret
		}
		if i >= 4 {
			if c := s[i-1]; (c == '-' || c == '_' || c == ' ' || c == '.') && hasSuffixFold(s, i-1, "api") && !isWordAt(s, i-5) {
				return keyAPIKey
			}
		}
		if c := at(s, i-1); c == '-' || c == '.' {
			// secret-key, private.key, x-api-key: the word before names it.
			w := i - 1
			for w > 0 && class[s[w-1]]&(cUpper|cLower) != 0 {
				w--
			}
			if (w == 0 || class[s[w-1]]&cWord == 0 || s[w-1] == '_') && lookupFold(keyPrefixSet, s[w:i-1]) {
				return keyAPIKey
			}
		}
		return keyNone
	}
	if hasSuffixFold(s[i:j], j-i, "secret_access_key") || hasSuffixFold(s[i:j], j-i, "secretaccesskey") {
		return keyAWSSecret
	}
	// Strip an optional '_' and look for a known prefix word.
	e := k
	if s[e-1] == '_' {
		e--
	}
	for _, p := range keyPrefixes {
		if hasSuffixFold(s[i:e], e-i, p) {
			ps := e - len(p)
			if ps == i || s[ps-1] == '_' || (class[s[ps-1]]&(cLower|cDigit) != 0 && class[s[ps]]&cUpper != 0) {
				return keyAPIKey
			}
		}
	}
	return keyNone
}

// keyword looks at the word s[i:j] as a key and reports the secret that
// follows it. It returns where the main loop may go on: past an accepted
// value (nothing inside a secret needs a second look) or past a rejected
// value of more than 64 bytes, else 0.
func (d *detector) keyword(s []byte, i, j int) int {
	kc := keyAt(s, i, j)
	if kc == keyNone {
		return 0
	}
	if kc == keyBearer {
		d.bearer(s, i, j)
		return 0
	}
	vs, ve, long, ok := kvValue(s, i, j)
	if long {
		return ve
	}
	if !ok {
		switch {
		case at(s, i-1) == '-' && at(s, i-2) == '-' || kc == keyAWSSecret:
			return d.flagValue(s, kc, j)
		case kc == keyPassword:
			d.plainPassword(s, j)
		}
		return 0
	}
	if e := d.kvSecret(s, kc, i, j, vs, ve); e > 0 {
		return e
	}
	if ve-vs > 64 {
		// Not a secret, and long: keys inside it ("password=password=...")
		// would rescan it again and again.
		return ve
	}
	return 0
}

// kvValue finds the value after the key s[i:j] in the forms key=value,
// key: value, key := value, key => value, "key": "value", 'key': 'value',
// \"key\":\"value\" (JSON inside a JSON string), <key>value</key>,
// name="key">value< and key="key" value="value" (XML attributes). It
// returns the value's bounds without quotes; long reports a value past
// maxValue bytes, which is never a secret.
func kvValue(s []byte, i, j int) (vs, ve int, long, ok bool) {
	p := j
	switch q := at(s, p); q {
	case '"', '\'':
		p++
		if at(s, i-1) == q {
			// XML attributes: name="password">VALUE< and
			// key="SmtpPassword" value="VALUE".
			if at(s, p) == '>' {
				e := p + 1
				for e < len(s) && s[e] != '<' && s[e] != '\n' && e-p <= maxValue {
					e++
				}
				return p + 1, e, e-p > maxValue, e > p+1 && at(s, e) == '<'
			}
			k := p
			for at(s, k) == ' ' {
				k++
			}
			if k > p && hasPrefixFold(s, k, "value=") {
				vs, ve, long = parseValue(s, k+6, false)
				return vs, ve, long, ve > vs
			}
		}
	case '\\':
		if at(s, p+1) == '"' {
			p += 2
		}
	case '>':
		if at(s, i-1) == '<' {
			q := p + 1
			for q < len(s) && s[q] != '<' && s[q] != '\n' && q-p <= maxValue {
				q++
			}
			return p + 1, q, q-p > maxValue, q > p+1
		}
	}
	sp := p
	for at(s, p) == ' ' || at(s, p) == '\t' {
		p++
	}
	switch at(s, p) {
	case '=':
		if p > sp && at(s, i-1) == '-' && at(s, i-2) == '-' && class[at(s, p+1)]&cSpace == 0 {
			// "--password =x": a flag and a value that starts with '='.
			return 0, 0, false, false
		}
		p++
		if at(s, p) == '>' {
			p++
		}
	case ':':
		p++
		if at(s, p) == '=' {
			p++
		} else if at(s, p) == '/' || at(s, p) == ':' || (at(s, i-1) == ':' && p == j+1) {
			// A URL, or a segment of an ARN or URN path
			// (arn:aws:secretsmanager:...:secret:name).
			return 0, 0, false, false
		}
	default:
		return 0, 0, false, false
	}
	for at(s, p) == ' ' || at(s, p) == '\t' {
		p++
	}
	vs, ve, long = parseValue(s, p, at(s, i-1) == '?' || at(s, i-1) == '&')
	return vs, ve, long, ve > vs
}

// maxValue is the longest value parseValue looks at. Longer values are
// dropped, and the bytes scanned are not scanned again, which keeps
// inputs like "password=password=password=..." linear.
const maxValue = 8 << 10

// parseValue returns the bounds of the value starting at s[p]: the inside
// of a quoted string (with backslash escapes in double quotes), or an
// unquoted run ending at white space, a quote, an unbalanced closing
// bracket, or a ',' or ';' that starts the next key=value pair. In a query
// string (query true) an '&' before the next pair ends the value too. long
// reports that the value runs past maxValue bytes; ve is then where the
// scan stopped.
func parseValue(s []byte, p int, query bool) (vs, ve int, long bool) {
	lim := min(len(s), p+maxValue)
	switch c := at(s, p); c {
	case '"', '\'', '`':
		q := p + 1
		for q < lim && s[q] != c && s[q] != '\n' {
			if s[q] == '\\' && c == '"' {
				q++
			}
			q++
		}
		if q >= lim && lim < len(s) {
			return p, lim, true
		}
		if at(s, q) == c {
			return p + 1, q, false
		}
		p++
	case '\\':
		if at(s, p+1) == '"' {
			if k := bytes.Index(s[p+2:lim], []byte(`\"`)); k >= 0 {
				return p + 2, p + 2 + k, false
			}
			if lim < len(s) {
				return p, lim, true
			}
			p += 2
		}
	}
	q := p
	depth := 0
	for q < lim {
		c := s[q]
		if class[c]&cSpace != 0 || c == '"' || c == '\'' || c == '`' || c == '<' {
			break
		}
		if c == '\\' && at(s, q+1) == '"' {
			break
		}
		if c == '(' || c == '[' || c == '{' {
			depth++
		} else if c == ')' || c == ']' || c == '}' {
			if depth == 0 {
				break
			}
			depth--
		} else if (c == ',' || c == ';' || c == '&') && nextPair(s, q+1, c, query) {
			// A trailing '&' belongs to the value; a trailing ',' or ';'
			// is punctuation.
			if !(c == '&' && (q+1 == len(s) || class[s[q+1]]&cSpace != 0)) {
				break
			}
		}
		q++
	}
	return p, q, q == lim && lim < len(s)
}

// nextPair reports whether s[q:] is where a new item starts after the
// separator sep (',', ';' or '&'): the end of the line, white space, a
// quote, or "name=" / "name:". After ';' the name may hold spaces, as in
// "User Id=". After '&' outside a query string (query false) the name must
// be three or more lower-case bytes, so that a password such as
// "Tr0ub&o=k" stays whole while "...&grant_type=..." ends the value. A
// separator followed by another one ("P@ss&;") is part of the value.
func nextPair(s []byte, q int, sep byte, query bool) bool {
	c := at(s, q)
	if c == 0 || class[c]&cSpace != 0 || c == '"' || c == '\'' {
		return true
	}
	if class[c]&(cUpper|cLower|cUnder) == 0 {
		return false
	}
	// Outside a query string a name after '&' must look like a form
	// field (lower case, three bytes or more): "&grant_type=", not the
	// "&cREEDP=" of a random password.
	strict := sep == '&' && !query
	if strict && class[c]&cLower == 0 {
		return false
	}
	for k := q + 1; k < len(s) && k-q < 40; k++ {
		c := s[k]
		if c == '=' || (c == ':' && sep != '&') {
			return !strict || k-q >= 3
		}
		if strict && class[c]&(cLower|cDigit|cUnder) == 0 {
			return false
		}
		if class[c]&cWord == 0 && c != '.' && c != '-' && (c != ' ' || sep != ';') {
			return false
		}
	}
	return false
}

// kvSecret validates the value s[vs:ve] of the key s[i:j] and reports it.
// It returns the end of what it reported (0 if nothing): the value, or
// the whole connection string around a password.
func (d *detector) kvSecret(s []byte, kc keyClass, i, j, vs, ve int) int {
	v := s[vs:ve]
	switch kc {
	case keyPassword, keyPassShort:
		if !passwordValue(v, kc == keyPassShort, equalFold(s[i:j], "pwd")) {
			return 0
		}
		d.add(kPassword, vs, ve)
		d.valueType(s, vs, ve)
		return max(ve, d.connString(s, i, ve))
	case keySecret, keyToken, keyAPIKey, keyAWSSecret:
		if (kc == keyAWSSecret || kc == keySecret || containsFold(s[i:j], "aws")) && awsSecretShape(v) {
			d.add(kAWSSecretKey, vs, ve)
			return ve
		}
		if tokenValue(v, kc == keySecret) {
			d.add(kAPIKey, vs, ve)
			d.valueType(s, vs, ve)
			return ve
		}
	case keyAuth:
		d.authorization(s, vs, ve)
		return ve
	}
	return 0
}

// valueType gives a reported value its specific type when it has a
// vendor prefix (token=ghp_..., secret=eyJ...): the main loop skips over
// reported values, so the prefix matchers run here.
func (d *detector) valueType(s []byte, vs, ve int) {
	w := vs
	for w < ve && class[s[w]]&cWord != 0 {
		w++
	}
	if w > vs {
		d.prefixed(s, vs, w, at(s, w))
	}
}

// flagValue handles "--token VALUE" style command-line flags and a bare
// "aws_secret_access_key VALUE": the value follows after white space. It
// returns what kvSecret returns.
func (d *detector) flagValue(s []byte, kc keyClass, j int) int {
	p := j
	for at(s, p) == ' ' {
		p++
	}
	if p == j {
		return 0
	}
	vs, ve, long := parseValue(s, p, false)
	if long {
		return ve
	}
	if ve > vs {
		return d.kvSecret(s, kc, j, j, vs, ve)
	}
	return 0
}

// authorization reports the credential of an Authorization header value,
// scheme included ("Bearer X", "Basic X", "Token X"), or a bare credential,
// as BearerToken. Digest parameters are left alone.
func (d *detector) authorization(s []byte, vs, ve int) {
	p := vs
	for p < len(s) && class[s[p]]&(cUpper|cLower) != 0 {
		p++
	}
	scheme := s[vs:p]
	if at(s, p) == ' ' && len(scheme) > 0 {
		if equalFold(scheme, "bearer") {
			d.bearer(s, vs, p)
			return
		}
		if equalFold(scheme, "digest") {
			return
		}
		for at(s, p) == ' ' {
			p++
		}
		q := p
		for q < len(s) && class[s[q]]&cTok != 0 {
			q++
		}
		for at(s, q) == '=' {
			q++
		}
		if q-p >= 8 {
			d.add(kBearerToken, vs, q)
		}
		return
	}
	if tokenValue(s[vs:ve], false) {
		d.add(kBearerToken, vs, ve)
	}
}

// bearer reports "Bearer <token>", the word s[i:j] included: one or more
// spaces, then at least eight RFC 6750 token bytes with a digit, mixed case
// or 20+ bytes ("Bearer realm=..." and "bearer token" are not tokens). The
// span starts at the word so that it covers the value whether a reader
// counts "Bearer" as part of the secret or not.
func (d *detector) bearer(s []byte, i, j int) {
	p := j
	for at(s, p) == ' ' || at(s, p) == '\t' {
		p++
	}
	if p == j {
		return
	}
	q := p
	for q < len(s) && class[s[q]]&cTok != 0 {
		q++
	}
	e := q
	for at(s, e) == '=' {
		e++
	}
	if q-p < 8 || class[at(s, e)]&(cWord) != 0 || !tokenValue(s[p:q], false) {
		return
	}
	d.add(kBearerToken, i, e)
}

// plainPassword reports a password given in plain language after the word
// "password": "the password is X", "password was set to X", "password for
// bob is X", "Is the password password123 good". X must look like a
// password (see plainLooksLikePassword), so "password policy", "password
// reset" and "password authentication failed" are left alone.
func (d *detector) plainPassword(s []byte, j int) {
	p := j
	verb := false
	for round := 0; round < 5; round++ {
		sp := p
		for at(s, p) == ' ' || at(s, p) == '\t' {
			p++
		}
		if p == sp && round == 0 && at(s, p) != '"' && at(s, p) != '\'' {
			return
		}
		if c := at(s, p); c == '"' || c == '\'' {
			// Quotes mark the value's bounds: spaces are fine
			// ('correct horse battery staple').
			vs, ve, _ := parseValue(s, p, false)
			if v := s[vs:ve]; ve > vs && ve-vs <= 128 && at(s, ve) == c && (plainLooksLikePassword(v, true) ||
				len(v) >= 8 && bytes.IndexByte(v, ' ') > 0 && passwordValue(v, false, false)) {
				d.add(kPassword, vs, ve)
			}
			return
		}
		q := p
		for q < len(s) && class[s[q]]&cSpace == 0 && q-p <= 128 {
			q++
		}
		if q == p {
			return
		}
		w := s[p:q]
		switch {
		case fillerWord(w):
			verb = true
			p = q
			continue
		case equalFold(w, "for"):
			// "for <name> is X", "for the admin account is X": skip up to
			// five words to the verb.
			k := q
			found := false
			for n := 0; n < 5 && !found; n++ {
				for at(s, k) == ' ' {
					k++
				}
				ws := k
				for k < len(s) && class[s[k]]&cSpace == 0 {
					k++
				}
				if ws == k {
					return
				}
				v := s[ws:k]
				if len(v) > 1 && v[len(v)-1] == ':' {
					v = v[:len(v)-1]
				}
				found = equalFold(v, "is") || equalFold(v, "was") || equalFold(v, "to") ||
					equalFold(v, ":") || equalFold(v, "=")
			}
			if !found {
				return
			}
			verb = true
			p = k
			continue
		}
		e := q
		for e > p && (s[e-1] == ',' || s[e-1] == ';' || s[e-1] == '"' || s[e-1] == '\'' ||
			(s[e-1] == ')' && bytes.IndexByte(s[p:e], '(') < 0)) {
			e--
		}
		// Sentence punctuation does not make a word a password, and a
		// word ending in ':' is a label ("password policy: strict").
		core := e
		for core > p && (s[core-1] == '.' || s[core-1] == '!' || s[core-1] == '?' || s[core-1] == ':') {
			core--
		}
		if e > p && s[e-1] != ':' && plainLooksLikePassword(s[p:core], verb) {
			d.add(kPassword, p, e)
		}
		return
	}
}

// fillerWord reports whether w may stand between "password" and the
// password itself.
func fillerWord(w []byte) bool {
	switch len(w) {
	case 1:
		return w[0] == '=' || w[0] == ':' || w[0] == '-'
	case 2:
		return equalFold(w, "is") || equalFold(w, "to") || equalFold(w, "->") ||
			equalFold(w, "=>") || equalFold(w, "be") || equalFold(w, "as")
	case 3:
		return equalFold(w, "was") || equalFold(w, "set") || equalFold(w, "now") ||
			equalFold(w, "are") || equalFold(w, "is:")
	}
	return equalFold(w, "changed") || equalFold(w, "updated") || equalFold(w, "reset") ||
		equalFold(w, "becomes") || equalFold(w, "should") || equalFold(w, "will")
}

// plainLooksLikePassword reports whether a word found after "password" in
// plain language looks like a password: 4-128 bytes, not a stop word, and
// letters with digits or symbols, six or more digits, or six or more bytes
// with a symbol. After a verb ("password is X") letters alone do when the
// case changes after the first letter (EPCCNzHcgmzg, not "Changed").
func plainLooksLikePassword(w []byte, verb bool) bool {
	if len(w) < 4 || len(w) > 128 || lookupFold(pwStop, w) || placeholder(w) {
		return false
	}
	var m uint16
	special := false
	for _, c := range w {
		if c < 0x21 || c == 0x7f {
			return false
		}
		k := class[c]
		m |= k
		if k&cWord == 0 || c == '_' {
			special = true
		}
	}
	letter := m&(cUpper|cLower) != 0
	digit := m&cDigit != 0
	switch {
	case letter && (digit || special):
		return true
	case !letter && !special:
		return len(w) >= 6
	case letter && verb && len(w) >= 6:
		var rest uint16
		for _, c := range w[1:] {
			rest |= class[c]
		}
		return rest&cUpper != 0 && rest&cLower != 0
	}
	return special && len(w) >= 6
}

// passwordValue reports whether v, found after a password key and a
// separator, is a password: not empty, not a stop word ("password: YES",
// "password=invalid"), not masked ("********"), not a placeholder ("${PW}",
// "?", "$1", "%s"), and for pwd not a directory. Short keys (pass, pwd) also
// need more than five bytes when the value is all digits ("pass: 12").
func passwordValue(v []byte, short, pwd bool) bool {
	if len(v) == 0 || len(v) > 512 || lookupFold(pwStop, v) || placeholder(v) || masked(v) {
		return false
	}
	if pwd && (v[0] == '/' || v[0] == '~' || (len(v) > 2 && v[1] == ':' && v[2] == '\\')) {
		return false
	}
	if short {
		digits := true
		for _, c := range v {
			digits = digits && isDigit(c)
		}
		if digits && len(v) < 6 {
			return false
		}
	}
	return true
}

// tokenValue reports whether v, found after a secret, token or API key
// name, looks like a credential: 8+ bytes, not a stop word, placeholder,
// mask or file path, no white space (secrets may have single spaces), not a
// short number, and a digit, mixed case, a symbol or 16+ bytes.
func tokenValue(v []byte, spaces bool) bool {
	if len(v) < 8 || len(v) > 4096 || lookupFold(pwStop, v) || placeholder(v) || masked(v) || filePath(v) {
		return false
	}
	var m uint16
	sym := false
	for _, c := range v {
		k := class[c]
		if k&cSpace != 0 && (!spaces || c != ' ') {
			return false
		}
		if k&cWord == 0 && c != '-' {
			sym = true
		}
		m |= k
	}
	if m&(cUpper|cLower) == 0 {
		return len(v) >= 16 || (m&cDigit != 0 && len(v) >= 8 && sym)
	}
	return m&cDigit != 0 || (m&cUpper != 0 && m&cLower != 0) || sym || len(v) >= 16
}

// filePath reports a value that names a file rather than holding a secret:
// /run/secrets/api_key, ./certs/server.key, ~/.aws/credentials, C:\keys\a.pem.
//
// A base64 secret may start with '/' too; it tells itself apart by '+' or
// '=', or by mixed case without a file extension.
func filePath(v []byte) bool {
	switch {
	case v[0] == '/' && bytes.IndexByte(v[1:], '/') >= 0:
	case v[0] == '.' && (at(v, 1) == '/' || at(v, 1) == '.' && at(v, 2) == '/'):
	case v[0] == '~' && at(v, 1) == '/':
	case len(v) > 3 && class[v[0]]&(cUpper|cLower) != 0 && v[1] == ':' && v[2] == '\\':
		return true
	default:
		return false
	}
	if bytes.IndexByte(v, '+') >= 0 || bytes.IndexByte(v, '=') >= 0 {
		return false
	}
	last := v[bytes.LastIndexByte(v, '/')+1:]
	if dot := bytes.LastIndexByte(last, '.'); dot > 0 && dot >= len(last)-5 {
		return true // a file name with an extension
	}
	var m uint16
	for _, c := range v {
		m |= class[c]
	}
	return m&cUpper == 0 || m&cLower == 0
}

// containsFold reports whether b contains the lower-case ASCII string w,
// ignoring case.
func containsFold(b []byte, w string) bool {
	for k := 0; k+len(w) <= len(b); k++ {
		if hasPrefixFold(b, k, w) {
			return true
		}
	}
	return false
}

// placeholder reports template and parameter placeholders: ${X}, {{x}},
// %s, %(x)s, <x>, $1, ?, :name, {}.
func placeholder(v []byte) bool {
	n := len(v)
	switch {
	case n == 0:
		return true
	case v[0] == '$' && n > 1 && (v[1] == '{' || v[1] == '('):
		return true
	case v[0] == '$' && n > 1 && n <= 3 && digitsAt(v, 1, n-1):
		return true
	case v[0] == '{' && (n == 2 || at(v, 1) == '{'):
		return true
	case v[0] == '%' && n <= 8:
		return true
	case v[0] == '<' && v[n-1] == '>':
		return true
	case n == 1 && (v[0] == '|' || v[0] == '>' || v[0] == '-'):
		return true // YAML block markers
	case n <= 32 && (containsFold(v, "redacted") || containsFold(v, "filtered") || containsFold(v, "masked")):
		return true
	case v[0] == '?' && n == 1:
		return true
	case v[0] == ':' && n > 1 && class[v[1]]&(cUpper|cLower) != 0:
		return true
	}
	return false
}

// masked reports a value made only of '*', 'x', 'X', '#' or '•' bytes,
// or of one repeated byte: already masked.
func masked(v []byte) bool {
	for _, c := range v {
		if c != '*' && c != 'x' && c != 'X' && c != '#' && c != v[0] && c < 0x80 {
			return false
		}
	}
	return len(v) >= 3 || v[0] == '*'
}

// awsSecretShape reports a 40-byte base64 string with upper case, lower
// case and digits, the shape of an AWS secret access key.
func awsSecretShape(v []byte) bool {
	if len(v) != 40 {
		return false
	}
	var m uint16
	for _, c := range v {
		k := class[c]
		if k&cB64 == 0 || c == '=' {
			return false
		}
		m |= k
	}
	return m&cUpper != 0 && m&cLower != 0 && m&cDigit != 0
}

// bareAWSSecret reports an AWS secret access key given under any key name
// (key=VALUE, key: VALUE, "key": "VALUE") when the value has the exact shape
// of one and the key or value hints at it: the key mentions aws, secret or
// key, or the value has '/' or '+'.
func (d *detector) bareAWSSecret(s []byte, i, j int) {
	p := j + 1
	for at(s, p) == ' ' {
		p++
	}
	if c := at(s, p); c == '"' || c == '\'' {
		p++
	}
	if c := at(s, p); class[c]&cB64 == 0 || c == '=' || class[at(s, p+39)]&cB64 == 0 || class[at(s, p+40)]&(cB64|cWord) != 0 {
		return
	}
	q := p
	for q < len(s) && q-p <= 40 && class[s[q]]&cB64 != 0 && s[q] != '=' {
		q++
	}
	if q-p != 40 || class[at(s, q)]&(cB64|cWord) != 0 || !awsSecretShape(s[p:q]) {
		return
	}
	key := s[i:j]
	if bytes.ContainsAny(s[p:q], "/+") || containsFold(key, "aws") || containsFold(key, "secret") || containsFold(key, "key") {
		d.add(kAWSSecretKey, p, q)
	}
}

// cliCredential reports credentials on a command line at the flag that
// starts at s[i]: "-u user:secret" or "--user user:secret" (curl and
// friends) as a Password covering user:secret, and "-pSECRET" after mysql,
// mysqldump or mysqladmin earlier on the line.
func (d *detector) cliCredential(s []byte, i int) {
	p := i + 1
	switch {
	case at(s, p) == 'u' && at(s, p+1) == ' ':
		p += 2
	case hasPrefixFold(s, p, "-user ") || hasPrefixFold(s, p, "-user="):
		p += 6
	case at(s, p) == 'p' && class[at(s, p+1)]&cSpace == 0 && at(s, p+1) != 0 && at(s, p+1) != '-':
		if !containsFold(s[max(0, i-256):i], "mysql") {
			return
		}
		vs, ve, _ := parseValue(s, p+1, false)
		if ve > vs && passwordValue(s[vs:ve], false, false) {
			d.add(kPassword, vs, ve)
		}
		return
	default:
		return
	}
	for at(s, p) == ' ' {
		p++
	}
	vs, ve, _ := parseValue(s, p, false)
	v := s[vs:ve]
	c := bytes.IndexByte(v, ':')
	if c <= 0 || c == len(v)-1 || bytes.Contains(v, []byte("//")) || !passwordValue(v[c+1:], false, false) {
		return
	}
	d.add(kPassword, vs, ve)
}
