package pii

// Byte classes used by the scanners. A single table lookup answers "may this
// byte be part of X" for every X the detector cares about.
const (
	cWord    uint16 = 1 << iota // [A-Za-z0-9_]
	cDigit                      // [0-9]
	cUpper                      // [A-Z]
	cLower                      // [a-z]
	cHex                        // [0-9A-Fa-f]
	cSpecial                    // bytes with their own trigger in the main loop
	cHost                       // [A-Za-z0-9_.-], a hostname run
	cLocal                      // the local part of an e-mail address
	cB64                        // [A-Za-z0-9+/=], base64 with padding
	cTok                        // [A-Za-z0-9._~+/-], an RFC 6750 bearer token
	cURL                        // bytes that may appear inside a URL
	cSpace                      // ASCII white space
	cUnder                      // '_'
	cTrigger                    // bytes after a word that call for a closer look: . : - =
)

// class holds the byte classes of every byte value.
var class = func() (t [256]uint16) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		var k uint16
		switch {
		case b >= '0' && b <= '9':
			k |= cWord | cDigit | cHex | cHost | cLocal | cB64 | cTok | cURL
		case b >= 'A' && b <= 'Z':
			k |= cWord | cUpper | cHost | cLocal | cB64 | cTok | cURL
			if b <= 'F' {
				k |= cHex
			}
		case b >= 'a' && b <= 'z':
			k |= cWord | cLower | cHost | cLocal | cB64 | cTok | cURL
			if b <= 'f' {
				k |= cHex
			}
		}
		switch b {
		case '_':
			k |= cWord | cHost | cLocal | cURL | cUnder | cTok
		case '-':
			k |= cHost | cLocal | cTok | cSpecial | cURL | cTrigger
		case '.':
			k |= cHost | cLocal | cTok | cURL | cTrigger
		case '+':
			k |= cLocal | cB64 | cTok | cSpecial | cURL
		case '%':
			k |= cLocal | cURL
		case '/':
			k |= cB64 | cTok | cURL
		case '=':
			k |= cB64 | cURL | cTrigger
		case '~':
			k |= cTok | cURL
		case '(':
			k |= cSpecial | cURL
		case ':':
			k |= cSpecial | cURL | cTrigger
		case '!', '#', '$', '&', '*', ',', ';', '?', '@', '[', ']', ')':
			k |= cURL
		case ' ', '\t', '\n', '\r', '\v', '\f':
			k |= cSpace
		}
		t[c] = k
	}
	return t
}()

// lower returns the ASCII lower-case form of c.
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return c-'0' < 10 }

// isWordAt reports whether s[i] exists and is a word byte.
func isWordAt(s []byte, i int) bool {
	return i >= 0 && i < len(s) && class[s[i]]&cWord != 0
}

// at returns s[i], or 0 when i is out of range.
func at(s []byte, i int) byte {
	if i < 0 || i >= len(s) {
		return 0
	}
	return s[i]
}

// hasPrefixFold reports whether s[i:] begins with the lower-case ASCII
// string p, ignoring case.
func hasPrefixFold(s []byte, i int, p string) bool {
	if i < 0 || len(s)-i < len(p) {
		return false
	}
	for k := 0; k < len(p); k++ {
		if lower(s[i+k]) != p[k] {
			return false
		}
	}
	return true
}

// hasSuffixFold reports whether s[:j] ends with the lower-case ASCII string
// p, ignoring case.
func hasSuffixFold(s []byte, j int, p string) bool {
	return j-len(p) >= 0 && hasPrefixFold(s, j-len(p), p)
}

// equalFold reports whether b equals the lower-case ASCII string p,
// ignoring case.
func equalFold(b []byte, p string) bool {
	return len(b) == len(p) && hasPrefixFold(b, 0, p)
}

// lookupFold reports whether the lower-case form of b is in set.
func lookupFold(set *wordSet, b []byte) bool {
	return set.hasFold(b)
}

// keyEnds maps the last byte of a key name (lower case) to the set of
// possible bytes before it (bit c-'a'): password, passwd, pwd, pass,
// passphrase, secret, token, authorization, key, bearer. It lets the main
// loop skip most words with two lookups.
var keyEnds = func() (t [256]uint32) {
	for _, w := range []string{"rd", "wd", "ss", "se", "et", "en", "on", "ey", "er"} {
		t[w[1]] |= 1 << (w[0] - 'a')
		t[w[1]-'a'+'A'] |= 1 << (w[0] - 'a')
	}
	return t
}()

// letterBit maps a letter to its bit in keyEnds (1 << (c-'a'), either
// case) and every other byte to 0.
var letterBit = func() (t [256]uint32) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = 1 << (c - 'a')
		t[c-'a'+'A'] = 1 << (c - 'a')
	}
	return t
}()

// mayBeKey reports whether the word ending at s[j] (two bytes or more) can
// end like a key name.
func mayBeKey(s []byte, j int) bool {
	return keyEnds[s[j-1]]&letterBit[s[j-2]] != 0
}

// wordSet is a set of short lower-case ASCII words with a case-insensitive
// lookup that does not allocate. Words of up to eight bytes live packed in
// an open-addressing table; longer ones in a map.
type wordSet struct {
	slots []uint64 // packed words; 0 marks an empty slot
	shift uint
	long  map[string]bool
}

// setOf builds a wordSet from a space-separated list.
func setOf(list string) *wordSet {
	var words []string
	start := -1
	for i := 0; i <= len(list); i++ {
		if i == len(list) || list[i] == ' ' || list[i] == '\n' {
			if start >= 0 {
				words = append(words, list[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	size := 16
	for size < 4*len(words) {
		size *= 2
	}
	w := &wordSet{slots: make([]uint64, size), long: map[string]bool{}}
	for w.shift = 64; 1<<(64-w.shift) < size; w.shift-- {
	}
	for _, word := range words {
		if len(word) > 8 {
			w.long[word] = true
			continue
		}
		k := pack([]byte(word))
		h := w.hash(k)
		for w.slots[h] != 0 && w.slots[h] != k {
			h = (h + 1) & uint64(len(w.slots)-1)
		}
		w.slots[h] = k
	}
	return w
}

// pack returns the lower-case bytes of b (at most eight) as one integer.
func pack(b []byte) uint64 {
	var k uint64
	for i, c := range b {
		k |= uint64(lower(c)) << (8 * i)
	}
	return k
}

// hash returns the home slot of a packed word.
func (w *wordSet) hash(k uint64) uint64 {
	return (k * 0x9E3779B97F4A7C15) >> w.shift
}

// hasFold reports whether the lower-case form of b is in the set.
func (w *wordSet) hasFold(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if len(b) > 8 {
		if len(w.long) == 0 || len(b) > 32 {
			return false
		}
		var buf [32]byte
		for i, c := range b {
			buf[i] = lower(c)
		}
		return w.long[string(buf[:len(b)])]
	}
	k := pack(b)
	mask := uint64(len(w.slots) - 1)
	for h := w.hash(k); ; h = (h + 1) & mask {
		switch w.slots[h] {
		case k:
			return true
		case 0:
			return false
		}
	}
}

// hostTLDs are the last labels accepted for bare hostnames: generic and
// country-code TLDs that are common in infrastructure names, plus internal
// suffixes. Country codes that are also common file extensions or English
// words (sh, py, rs, pl, md, ps, so, cc, in, ml, id, to, is, me, do, no, ...)
// are left out on purpose.
var hostTLDs = setOf(`
com net org edu gov mil int info biz io co ai app dev cloud tech online site
xyz cloud services systems network host hosting digital solutions company
us uk eu de fr es nl be ch at se dk fi pt ie ru cn jp kr tw hk sg au nz
ca br mx ar cl za il tr gr cz hu ro ua vn th ph ae sa eg ng ke lu li ee lv
lt sk si hr bg cy mt gg je im
internal local localdomain localhost lan corp home intranet private priv
svc cluster example arpa consul me tv ly fm
`)

// fileExts are last labels that mark a dotted name as a file name rather than
// a host. They are checked before hostTLDs.
var fileExts = setOf(`
log logs txt text out err tmp temp bak old orig swp lock pid sock
json jsonl ndjson yaml yml toml xml ini cfg conf config env properties props
md markdown rst csv tsv sql db sqlite sqlite3 dat bin
sh bash zsh fish ps1 bat cmd py pyc pyo rb pl pm php js mjs cjs ts tsx jsx
go rs java class jar war ear kt kts scala groovy gradle swift c h cc cpp
hpp cs vb fs lua r dart ex exs erl hs ml clj vue svelte
html htm css scss less map wasm proto tf tfvars hcl tpl tmpl j2
gz tgz bz2 xz zst zip tar rar 7z jar apk deb rpm iso img dmg msi exe dll
so dylib o a lib
pdf doc docx xls xlsx ppt pptx odt rtf
png jpg jpeg gif svg ico webp bmp tif tiff mp3 mp4 mov avi mkv wav
pem crt cer key csr p12 pfx jks keystore pub asc gpg sig
service socket timer mount target slice journal syslog
patch diff sum mod work iml lst list repo trace dump hprof core heap
parquet avro orc
`)

// javaRoots are first labels of reverse-DNS Java, Kotlin and Scala package
// names ("org.apache.kafka", "com.example.Foo"). A dotted name starting with
// one of them is a code identifier, not a host.
var javaRoots = setOf(`
com org net io java javax jakarta sun jdk android androidx kotlin kotlinx
scala akka ch edu gov
`)

// hostDeny are well-known names that appear in logs as schema, API-group or
// product names rather than as servers.
var hostDeny = []string{
	"k8s.io", "kubernetes.io", "x-k8s.io", "w3.org", "xmlsoap.org",
	"openxmlformats.org", "schemas.microsoft.com", "schema.org",
	"asp.net", "vb.net", "ado.net", "socket.io",
}

// pwStop are values after a password or secret key that describe the
// password rather than being one ("password: invalid", "using password: YES").
var pwStop = setOf(`
yes no true false null nil none undefined unset set empty blank missing
required optional invalid incorrect wrong bad expired changed updated reset
ok okay success successful succeeded failed failure fail error denied
accepted rejected enabled disabled on off hidden masked redacted removed
omitted filtered secret password passwd pwd pass token hash hashed
encrypted plain plaintext n/a na tbd unknown default string any
<redacted> [redacted] [filtered] <hidden> <masked> <password> <secret>
<token> *** **** (null) (none) (empty) (hidden) not_set notset
`)
