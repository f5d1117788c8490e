package pii

// maxToken is the longest vendor token or JWT part the detector scans;
// longer runs are not tokens.
const maxToken = 16 << 10

// runOf returns the end of the run of bytes starting at s[p] that are
// letters, digits, or one of the extra bytes, scanning at most maxToken
// bytes.
func runOf(s []byte, p int, extra string) int {
	lim := min(len(s), p+maxToken)
	for p < lim {
		c := s[p]
		if class[c]&(cUpper|cLower|cDigit) == 0 && !hasByte(extra, c) {
			break
		}
		p++
	}
	return p
}

// runOfMax is runOf scanning at most max bytes.
func runOfMax(s []byte, p int, extra string, max int) int {
	return runOf(s[:min(len(s), p+max)], p, extra)
}

// hasByte reports whether c occurs in set.
func hasByte(set string, c byte) bool {
	for k := 0; k < len(set); k++ {
		if set[k] == c {
			return true
		}
	}
	return false
}

// prefixed reports credentials recognised by a fixed prefix on the word
// s[i:j] (nb is the byte after it):
//   - AWS access key ids: AKIA, ASIA, AIDA, AROA, AGPA, ANPA, ANVA, AIPA and
//     16 upper-case letters or digits;
//   - GitHub tokens: ghp_, gho_, ghu_, ghs_, ghr_ and 30+ letters or
//     digits; github_pat_ and 22+ more;
//   - GitLab tokens: glpat-, gldt-, glrt-, glptt-, glsoat- and 20+ bytes;
//   - Slack tokens: xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, xapp- and 10+
//     bytes;
//   - JWTs: eyJ and three base64url parts;
//   - API keys with a vendor prefix: sk_live_, sk_test_, rk_live_, rk_test_,
//     whsec_ (Stripe), sk- (OpenAI, Anthropic), AIza (Google), npm_,
//     pypi-, hf_ (Hugging Face), dop_v1_ (DigitalOcean), shpat_, shpss_
//     (Shopify), SG. (SendGrid), hvs. (Vault).
//
// The value must end at a non-word byte.
func (d *detector) prefixed(s []byte, i, j int, nb byte) {
	n := j - i
	switch s[i] {
	case 'A':
		if n == 20 && s[i+1] < 'a' && s[i+1] != '_' {
			p := s[i : i+4]
			if string(p) == "AKIA" || string(p) == "ASIA" || string(p) == "AIDA" || string(p) == "AROA" ||
				string(p) == "AGPA" || string(p) == "ANPA" || string(p) == "ANVA" || string(p) == "AIPA" {
				for _, c := range s[i+4 : j] {
					if class[c]&(cUpper|cDigit) == 0 {
						return
					}
				}
				d.add(kAWSAccessKey, i, j)
			}
			return
		}
		if n >= 4 && s[i+1] == 'I' && s[i+2] == 'z' && s[i+3] == 'a' {
			e := runOfMax(s, i, "_-", 40)
			if e-i == 39 {
				d.add(kAPIKey, i, e)
			}
		}
	case 'e':
		if n >= 10 && s[i+1] == 'y' && s[i+2] == 'J' {
			d.jwt(s, i)
		}
	case 'g':
		if n >= 34 && s[i+1] == 'h' && s[i+3] == '_' && hasByte("pousr", s[i+2]) {
			if runOf(s, i+4, "") == j {
				d.add(kGitHubToken, i, j)
			}
			return
		}
		if n >= 33 && hasPrefixFold(s, i, "github_pat_") {
			d.add(kGitHubToken, i, j)
			return
		}
		if nb == '-' && n >= 4 && s[i+1] == 'l' {
			w := string(s[i:j])
			if w == "glpat" || w == "gldt" || w == "glrt" || w == "glptt" || w == "glsoat" || w == "glcbt" {
				if e := runOfMax(s, j+1, "_-", 256); e-(j+1) >= 20 && e-(j+1) < 256 {
					d.add(kGitLabToken, i, e)
				}
			}
		}
	case 'x':
		if nb == '-' && n == 4 && (s[i+1] == 'o' && s[i+2] == 'x' && hasByte("bpares", s[i+3]) ||
			s[i+1] == 'a' && s[i+2] == 'p' && s[i+3] == 'p') {
			if e := runOfMax(s, j+1, "-", 256); e-(j+1) >= 10 && e-(j+1) < 256 {
				d.add(kSlackToken, i, e)
			}
		}
	case 's', 'r':
		if n >= 24 && s[i+1] == 'k' && s[i+2] == '_' && (hasPrefixFold(s, i+3, "live_") || hasPrefixFold(s, i+3, "test_")) {
			d.add(kAPIKey, i, j)
			return
		}
		if s[i] == 's' && n == 2 && s[i+1] == 'k' && nb == '-' {
			e := runOfMax(s, j+1, "_-", 256)
			if e-(j+1) >= 20 && e-(j+1) < 256 {
				var m uint16
				for _, c := range s[j+1 : e] {
					m |= class[c]
				}
				if m&cDigit != 0 && m&(cUpper|cLower) != 0 {
					d.add(kAPIKey, i, e)
				}
			}
		}
	case 'n':
		if n == 40 && s[i+1] == 'p' && s[i+2] == 'm' && s[i+3] == '_' {
			d.add(kAPIKey, i, j)
		}
	case 'w':
		if n >= 20 && hasPrefixFold(s, i, "whsec_") {
			d.add(kAPIKey, i, j)
		}
	case 'h':
		if n >= 30 && s[i+1] == 'f' && s[i+2] == '_' {
			d.add(kAPIKey, i, j)
		}
		if n == 3 && nb == '.' && s[i+1] == 'v' && (s[i+2] == 's' || s[i+2] == 'b' || s[i+2] == 'r') {
			// HashiCorp Vault: hvs.<token>
			if e := runOfMax(s, j+1, "_-", 512); e-(j+1) >= 20 && e-(j+1) < 512 {
				d.add(kAPIKey, i, e)
			}
		}
	case 'd':
		if n >= 40 && hasPrefixFold(s, i, "dop_v1_") {
			d.add(kAPIKey, i, j)
		}
	case 'p':
		if nb == '-' && n == 4 && string(s[i:j]) == "pypi" {
			if e := runOfMax(s, j+1, "_-", 512); e-(j+1) >= 50 && e-(j+1) < 512 {
				d.add(kAPIKey, i, e)
			}
		}
	case 'S':
		if n == 2 && s[i+1] == 'G' && nb == '.' {
			// SendGrid: SG.<22>.<43>
			e1 := runOfMax(s, j+1, "_-", 64)
			if e1-(j+1) >= 16 && at(s, e1) == '.' {
				if e2 := runOfMax(s, e1+1, "_-", 128); e2-(e1+1) >= 30 && !isWordAt(s, e2) {
					d.add(kAPIKey, i, e2)
				}
			}
		}
	}
	if n >= 20 && (hasPrefixFold(s, i, "shpat_") || hasPrefixFold(s, i, "shpss_") || hasPrefixFold(s, i, "rk_live_")) {
		d.add(kAPIKey, i, j)
	}
}

// jwt reports a JSON Web Token starting at s[i] ("eyJ"): three base64url
// parts separated by dots, the first two at least ten bytes long; the
// signature may be empty for unsigned tokens. It returns the end, or 0.
func (d *detector) jwt(s []byte, i int) int {
	if i < d.jwtDone {
		// A later start in a run that already failed fails the same way.
		return 0
	}
	p1 := runOf(s, i, "_-")
	d.jwtDone = p1
	if p1-i < 10 || at(s, p1) != '.' {
		return 0
	}
	p2 := runOf(s, p1+1, "_-")
	if p2-(p1+1) < 10 || at(s, p2) != '.' {
		return 0
	}
	p3 := runOf(s, p2+1, "_-")
	for at(s, p3) == '=' {
		p3++
	}
	if c := at(s, p3); class[c]&cWord != 0 || (c == '.' && isWordAt(s, p3+1)) {
		return 0
	}
	d.add(kJWT, i, p3)
	return p3
}
