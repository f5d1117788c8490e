package pii

import "bytes"

// dbSchemes are URL schemes of databases and brokers; such a URL with
// credentials is reported whole as a ConnectionString.
var dbSchemes = setOf(`
postgres postgresql pgsql mysql mariadb mongodb mongodb+srv redis rediss
amqp amqps sqlserver mssql oracle cockroachdb clickhouse cassandra couchdb
neo4j neo4j+s bolt memcached influxdb nats elasticsearch opensearch
`)

// url examines a URL whose scheme is (or ends with) the word s[i:j], with
// "://" at s[j]. A database URL with a password, in the user info or as a
// password= parameter, is a ConnectionString (the whole URL, including a
// "jdbc:" prefix). A Slack webhook is a SlackToken. Any other URL with
// "user:secret@" is URLCredentials, also reported whole: scheme, user
// info, host and path may each be what a reader calls the secret.
//
// It returns the end of what it reported, or 0.
func (d *detector) url(s []byte, i, j int) int {
	ss := i
	for ss > 0 && i-ss < 32 && (class[s[ss-1]]&cWord != 0 || s[ss-1] == '+' || s[ss-1] == '.' || s[ss-1] == '-') {
		ss--
	}
	start := ss
	if hasSuffixFold(s, ss, "jdbc:") {
		start = ss - 5
	}
	a := j + 3
	t := d.urlEnd(s, a)
	if t <= a {
		return 0
	}
	// The user info ends at the last '@' before the first '/'.
	atSign := -1
	for q := a; q < t && s[q] != '/'; q++ {
		if s[q] == '@' {
			atSign = q
		}
	}
	creds := false
	if atSign > a {
		if c := bytes.IndexByte(s[a:atSign], ':'); c >= 0 && a+c+1 < atSign {
			// A masked or templated password (user:****@, user:${PW}@)
			// is no credential.
			pw := s[a+c+1 : atSign]
			creds = !masked(pw) && !placeholder(pw) && !lookupFold(pwStop, pw)
		}
	}
	if lookupFold(dbSchemes, s[ss:j]) {
		if creds || queryPassword(s[a:t]) {
			d.add(kConnectionString, start, t)
			return t
		}
		return 0
	}
	if atSign < 0 && hasPrefixFold(s, a, "hooks.slack.com/services/") && t-a > 30 {
		d.add(kSlackToken, start, t)
		return t
	}
	if creds {
		d.add(kURLCredentials, start, t)
		return t
	}
	return 0
}

// maxURL is the longest URL the detector looks at.
const maxURL = 4096

// urlEnd returns the end of the URL whose authority starts at s[a],
// trailing punctuation dropped. URLs that start inside the previous one
// ("a://b:c@a://b:c@...") reuse its scan, which keeps the work linear.
func (d *detector) urlEnd(s []byte, a int) int {
	t := a
	if d.urlFrom <= a && a < d.urlTo && d.urlLine == d.off {
		t = d.urlTo
	}
	for t < len(s) && t-a < maxURL && urlByte(s[t]) {
		t++
	}
	d.urlFrom, d.urlTo, d.urlLine = a, t, d.off
	if t-a >= maxURL {
		return 0
	}
	return trimURL(s, a, t)
}

// urlByte reports whether c may appear inside a URL as written in a log:
// anything printable but white space, quotes, angle brackets, backslash and
// backtick. Unencoded bytes such as '^' or '{' in a password are kept.
func urlByte(c byte) bool {
	if c <= ' ' || c == 0x7f {
		return false
	}
	switch c {
	case '"', '\'', '<', '>', '\\', '`':
		return false
	}
	return true
}

// trimURL drops sentence punctuation and unbalanced closing brackets from
// the end of the URL s[a:t].
func trimURL(s []byte, a, t int) int {
	for t > a {
		c := s[t-1]
		switch c {
		case '.', ',', ';', ':', '!', '?':
			t--
			continue
		case ')', ']', '}':
			open := byte('(')
			if c == ']' {
				open = '['
			} else if c == '}' {
				open = '{'
			}
			if bytes.IndexByte(s[max(a, t-256):t], open) < 0 {
				t--
				continue
			}
		}
		break
	}
	return t
}

// queryPassword reports whether a URL carries a password parameter
// (password=, pwd=, pass=).
func queryPassword(u []byte) bool {
	for k := 0; k < len(u); k++ {
		if u[k] != '=' {
			continue
		}
		if hasSuffixFold(u, k, "password") || hasSuffixFold(u, k, "pwd") || hasSuffixFold(u, k, "pass") {
			return true
		}
	}
	return false
}

// adoKeys are the key names that make a ';'-separated list of key=value
// pairs an ADO.NET or ODBC connection string.
var adoKeys = setOf(`
server data_source datasource host hostname address addr network_address
database initial_catalog uid user_id userid user username dsn driver
provider port
`)

// connString reports an ADO.NET / ODBC / JDBC-properties connection string
// ("Server=db01;Database=app;User Id=sa;Password=X;") around the password
// pair whose key starts at s[ki] and whose value ends at s[ve]. It needs at
// least three pairs, one of them naming a server, database or user.
//
// It returns the end of the connection string, or 0. The walk looks at most
// 4 KiB either side of the password.
func (d *detector) connString(s []byte, ki, ve int) int {
	if at(s, ki-1) != ';' && at(s, ve) != ';' {
		return 0
	}
	if ki < d.connDone {
		// The previous walk covered this pair and found nothing.
		return 0
	}
	lo, hi := max(0, ki-4096), min(len(s), ve+4096)
	known := false
	pairs := 1
	// Backwards, one "key=value;" pair at a time.
	a := ki
	for pairs < 64 {
		q := a - 1
		for q >= 0 && s[q] == ' ' {
			q--
		}
		if q < 0 || s[q] != ';' {
			break
		}
		r := q - 1
		for r >= lo && s[r] != ';' && s[r] != '"' && s[r] != '\'' && s[r] != '`' && s[r] != '\n' {
			r--
		}
		if r < lo && lo > 0 {
			break
		}
		eq := bytes.IndexByte(s[r+1:q], '=')
		if eq < 0 {
			break
		}
		ks, ok := adoKey(s, r+1, r+1+eq)
		if !ok {
			break
		}
		known = known || adoKnown(s[ks:r+1+eq])
		pairs++
		if r < 0 || s[r] != ';' {
			a = ks
			break
		}
		a = r + 1
		for s[a] == ' ' {
			a++
		}
	}
	// Forwards.
	e := ve
	for pairs < 128 && at(s, e) == ';' {
		p := e + 1
		for at(s, p) == ' ' {
			p++
		}
		k := p
		for k < len(s) && (class[s[k]]&cWord != 0 || s[k] == ' ') && k-p < 40 {
			k++
		}
		if at(s, k) != '=' || k == p {
			break
		}
		known = known || adoKnown(s[p:k])
		v := k + 1
		for v < hi && s[v] != ';' && s[v] != '"' && s[v] != '\'' && s[v] != '\n' && s[v] != '\r' && s[v] != '`' {
			v++
		}
		if v == hi && hi < len(s) {
			break
		}
		pairs++
		e = v
	}
	d.connDone = e
	if pairs < 3 || !known {
		return 0
	}
	if at(s, e) == ';' {
		e++
	}
	d.add(kConnectionString, a, e)
	return e
}

// adoKey finds the start of the key that ends at s[e] (just before '='),
// inside the pair that starts at s[ps]: the last word, or the last two
// words when they form a known two-word key ("User Id", "Data Source").
func adoKey(s []byte, ps, e int) (int, bool) {
	k := e
	for k > ps && s[k-1] == ' ' {
		k--
	}
	end := k
	for k > ps && class[s[k-1]]&cWord != 0 {
		k--
	}
	if k == end {
		return 0, false
	}
	if k-1 > ps && s[k-1] == ' ' {
		w := k - 1
		for w > ps && class[s[w-1]]&cWord != 0 {
			w--
		}
		if w < k-1 && adoKnown(s[w:end]) {
			return w, true
		}
	}
	return k, true
}

// adoKnown reports whether name (spaces count as '_') is in adoKeys.
func adoKnown(name []byte) bool {
	if len(name) > 32 {
		return false
	}
	var buf [32]byte
	for i, c := range name {
		if c == ' ' {
			c = '_'
		}
		buf[i] = lower(c)
	}
	return adoKeys.hasFold(buf[:len(name)])
}
