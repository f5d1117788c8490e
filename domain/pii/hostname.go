package pii

// hostname examines the dotted run ([A-Za-z0-9.-]) starting with the word
// s[i:j] and reports a Hostname when the run is a fully qualified name.
//
// The rules, in order:
//   - at least two labels, each 1-63 bytes of [A-Za-z0-9-] not starting or
//     ending with '-'; an underscore anywhere rejects the run (code
//     identifiers such as self.db_conn);
//   - trailing dots and hyphens are dropped ("see db01.example.com.");
//   - the last label is alphabetic, is not a file extension (app.log,
//     config.yaml, main.go, Foo.java) and is a known TLD or internal suffix
//     (com, net, org, io, internal, local, corp, lan, cloud, dev, country
//     codes, ...; see hostTLDs), or a two-letter code under a generic
//     second level (example.co.in);
//   - the first label is not a reverse-DNS code root (org., com., net.,
//     io., java., ...), so org.apache.kafka.clients.NetworkClient and
//     com.example.Foo are not hosts;
//   - no label mixes upper- and lower-case letters (Java and C# class names,
//     MountVolume.SetUp); all-caps names such as DC01.CORP.EXAMPLE.COM are
//     fine;
//   - a run followed by '@' is the local part of an e-mail address, one
//     after a '.' a dot file (.env.local);
//   - well-known schema and API-group domains (k8s.io, w3.org, ...) and
//     product names (ASP.NET, socket.io) are skipped.
//
// Versions never reach here: a run starting with a digit is a number unless
// a letter follows its first dot, and the last label must be alphabetic.
//
// It returns where the main loop goes on: past the run for a host, at the
// last word of a rejected run (which may still be a key, as in
// spring.datasource.password=...), or at the word after s[i] when a label
// of the rejected run starts with a digit (ip-10.0.0.1 holds an address).
func (d *detector) hostname(s []byte, i, j int) int {
	// A run with hyphens before its first dot ("my-host.example.com")
	// reaches here at the word before the dot; back up to its start.
	for i > d.hostDone && (s[i-1] == '-' || (class[s[i-1]]&cWord != 0 && s[i-1] != '_')) {
		i--
	}
	e := i
	lim := min(len(s), i+254)
	lastDot := -1
	digitLabel := false
	lastWord := i
	for e < lim {
		c := s[e]
		if class[c]&cHost == 0 {
			break
		}
		if c == '.' || c == '-' {
			if c == '.' && e+1 < len(s) && class[s[e+1]]&cWord != 0 {
				lastDot = e
			}
			lastWord = e + 1
			digitLabel = digitLabel || isDigit(at(s, e+1))
		}
		e++
	}
	d.hostDone = e
	if e == lim && e < len(s) && class[s[e]]&cHost != 0 {
		return j
	}
	end := e
	for end > i && (s[end-1] == '.' || s[end-1] == '-') {
		end--
	}
	if lastDot < 0 || at(s, e) == '@' || at(s, i-1) == '.' || !validHost(s[i:end], lastDot-i) {
		if digitLabel || lastWord <= j {
			return j
		}
		return lastWord
	}
	d.add(kHostname, i, end)
	return e
}

// validHost reports whether name, whose last dot is at name[dot], passes
// the hostname rules.
func validHost(name []byte, dot int) bool {
	if dot < 0 || dot >= len(name) {
		return false
	}
	tld := name[dot+1:]
	if len(tld) < 2 || len(tld) > 24 {
		return false
	}
	for _, c := range tld {
		if class[c]&(cUpper|cLower) == 0 {
			return false
		}
	}
	if lookupFold(fileExts, tld) || !(lookupFold(hostTLDs, tld) || secondLevel(name, dot)) {
		return false
	}
	if _, ok := labels(name); !ok {
		return false
	}
	first := name
	for k, c := range name {
		if c == '.' {
			first = name[:k]
			break
		}
	}
	if lookupFold(javaRoots, first) {
		return false
	}
	// Mixed case inside a label marks a class or method name.
	var lbl uint16
	for _, c := range name {
		if c == '.' {
			lbl = 0
			continue
		}
		lbl |= class[c]
		if lbl&cUpper != 0 && lbl&cLower != 0 {
			return false
		}
	}
	for _, suf := range hostDeny {
		if len(name) >= len(suf) && hasSuffixFold(name, len(name), suf) &&
			(len(name) == len(suf) || name[len(name)-len(suf)-1] == '.') {
			return false
		}
	}
	return true
}

// secondLevel reports a name under a generic second-level domain of a
// two-letter country code, such as example.co.in or shop.com.my, whose
// country code alone is not trusted (see hostTLDs).
func secondLevel(name []byte, dot int) bool {
	if len(name)-dot-1 != 2 {
		return false
	}
	prev := dot - 1
	for prev >= 0 && name[prev] != '.' {
		prev--
	}
	return prev > 0 && lookupFold(genericSLDs, name[prev+1:dot])
}

// genericSLDs are second-level labels used under country codes.
var genericSLDs = setOf("co com org net gov edu ac ne or go gob nic mil")
