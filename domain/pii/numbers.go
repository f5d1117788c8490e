package pii

// digitsAt reports whether s[i:i+n] exists and is all digits.
func digitsAt(s []byte, i, n int) bool {
	if i < 0 || i+n > len(s) {
		return false
	}
	for _, c := range s[i : i+n] {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// numAt returns the value of the n digits at s[i:].
func numAt(s []byte, i, n int) int {
	v := 0
	for _, c := range s[i : i+n] {
		v = v*10 + int(c-'0')
	}
	return v
}

// endsNumber reports whether a number may end at s[e]: no word byte
// follows, and no "-digit" or ".digit" continues it.
func endsNumber(s []byte, e int) bool {
	c := at(s, e)
	if class[c]&cWord != 0 {
		return false
	}
	return !((c == '-' || c == '.') && isDigit(at(s, e+1)))
}

// ssn reports a US social security number ###-##-#### at s[i], applying
// the SSA rules: area 000, 666 and 900-999, group 00 and serial 0000 are
// never issued.
func (d *detector) ssn(s []byte, i int) int {
	if !digitsAt(s, i, 3) || at(s, i+3) != '-' || !digitsAt(s, i+4, 2) ||
		at(s, i+6) != '-' || !digitsAt(s, i+7, 4) || !endsNumber(s, i+11) {
		return 0
	}
	if p := at(s, i-1); (p == '-' || p == '.') && isWordAt(s, i-2) {
		return 0
	}
	if !ssnValid([]byte{s[i], s[i+1], s[i+2], s[i+4], s[i+5], s[i+7], s[i+8], s[i+9], s[i+10]}) {
		return 0
	}
	d.add(kSSN, i, i+11)
	return i + 11
}

// parseNANP parses a North American number at s[p:]: (555) 123-4567,
// (555)123-4567, 555-123-4567 or 555.123.4567. Without a prefix the two
// separators must be the same '-' or '.'; with one (spaced true: after
// "+1 " or a parenthesis) spaces are allowed too. It returns the end, or 0.
func parseNANP(s []byte, p int, spaced bool) int {
	var sep1 byte
	if at(s, p) == '(' {
		if !digitsAt(s, p+1, 3) || at(s, p+4) != ')' {
			return 0
		}
		p += 5
		if c := at(s, p); c == ' ' || c == '-' || c == '.' {
			p++
		}
		spaced = true
	} else {
		if !digitsAt(s, p, 3) {
			return 0
		}
		p += 3
		sep1 = at(s, p)
		if !(sep1 == '-' || sep1 == '.' || (spaced && sep1 == ' ')) {
			return 0
		}
		p++
	}
	if !digitsAt(s, p, 3) {
		return 0
	}
	p += 3
	sep2 := at(s, p)
	if !(sep2 == '-' || sep2 == '.' || (spaced && sep2 == ' ')) {
		return 0
	}
	if !spaced && sep2 != sep1 {
		return 0
	}
	p++
	if !digitsAt(s, p, 4) {
		return 0
	}
	p += 4
	if !endsNumber(s, p) {
		return 0
	}
	return p
}

// phoneStartOK reports whether a bare number may start a phone number at
// s[i]: it is not the tail of a dotted or dashed identifier, and no word
// before it makes it a reference (order, ticket, invoice, ..._id).
func phoneStartOK(s []byte, i int) bool {
	p := at(s, i-1)
	if (p == '.' || p == '-' || p == '/') && class[at(s, i-2)]&cWord != 0 {
		return false
	}
	return !contextBefore(s, i, orderWord)
}

// phoneOne reports a North American number written with a trunk prefix
// at s[i]: 1-555-123-4567, 1 (555) 123-4567, 1.555.123.4567.
func (d *detector) phoneOne(s []byte, i int) {
	if s[i] != '1' || !phoneStartOK(s, i) {
		return
	}
	sep := at(s, i+1)
	p := i + 2
	if sep == ' ' && at(s, p) != '(' {
		return
	}
	e := parseNANP(s, p, false)
	if e == 0 {
		return
	}
	if at(s, p) != '(' && at(s, p+3) != sep {
		return
	}
	d.add(kPhone, i, e)
}

// phoneIntl reports a phone number starting with '+' at s[i]: +1 and a
// North American number, or a country code and digit groups separated by
// single spaces, dashes or dots (+44 20 7946 0958, +49-30-123456,
// +4915123456789, +7 (495) 123-45-67, +44 (0)20 7946 0958), 10 to 15
// digits in all. Time zone offsets (+0000, +05:30) are too short.
func (d *detector) phoneIntl(s []byte, i int) {
	if isWordAt(s, i-1) || at(s, i-1) == '+' {
		return
	}
	if at(s, i+1) == '1' {
		p := i + 2
		if c := at(s, p); c == ' ' || c == '-' || c == '.' {
			p++
		}
		if e := parseNANP(s, p, true); e > 0 {
			d.add(kPhone, i, e)
			return
		}
	}
	q := i + 1
	total, groups, end := 0, 0, 0
	for {
		g := q
		paren := groups > 0 && at(s, q) == '(' && isDigit(at(s, q+1))
		if paren {
			q++
			g++
		}
		for q < len(s) && isDigit(s[q]) {
			q++
		}
		n := q - g
		if n == 0 || total+n > 15 || (paren && (at(s, q) != ')' || n > 4)) {
			break
		}
		if paren {
			q++
		}
		if groups == 0 && n > 3 && n < 10 {
			// A country code is one to three digits.
			return
		}
		total += n
		groups++
		end = q
		c := at(s, q)
		if (c == ' ' || c == '-' || c == '.') && (isDigit(at(s, q+1)) || at(s, q+1) == '(') {
			q++
			continue
		}
		if paren && isDigit(c) {
			continue // +44 (0)20 ...
		}
		break
	}
	if total < 10 || class[at(s, end)]&cWord != 0 || (at(s, end) == '.' && isDigit(at(s, end+1))) {
		return
	}
	d.add(kPhone, i, end)
}

// idKeyBefore reports whether the number at s[i] is the value of a key
// that names an identifier (span_id=, "order_id": , traceId: ...): such a
// number is an id even when it passes the card checks.
func idKeyBefore(s []byte, i int) bool {
	k := i
	for n := 0; k > 0 && n < 4; n++ {
		c := s[k-1]
		if c != '"' && c != '\'' && c != ' ' && c != ':' && c != '=' {
			break
		}
		k--
	}
	return k < i && k >= 2 && lower(s[k-1]) == 'd' && lower(s[k-2]) == 'i' && !isWordAt(s, k)
}

// cardRun reports a card number written as 13-19 contiguous digits at
// s[i:j] with a valid issuer prefix and Luhn check digit.
func (d *detector) cardRun(s []byte, i, j int) {
	if p := at(s, i-1); (p == '.' || p == '-') && isDigit(at(s, i-2)) || idKeyBefore(s, i) {
		return
	}
	if at(s, j) == '.' && isDigit(at(s, j+1)) {
		return
	}
	if cardOK(s[i:j]) {
		d.add(kCreditCard, i, j)
	}
}

// cardGrouped reports a card number written in groups separated by sep
// starting at s[i]: 4-4-4-4, 4-4-4-4-3, 4-6-5 (Amex), 4-6-4 (Diners), or
// 4-4-4 followed by 1-4 digits, 13-19 digits in all, with a valid issuer
// prefix and Luhn check digit.
func (d *detector) cardGrouped(s []byte, i int, sep byte) {
	if p := at(s, i-1); (p == '.' || p == '-') && isDigit(at(s, i-2)) || idKeyBefore(s, i) {
		return
	}
	var lens, ends [5]int
	n := 0
	p := i
	for n < 5 {
		q := p
		for q < len(s) && q-p < 7 && isDigit(s[q]) {
			q++
		}
		if q == p || isDigit(at(s, q)) {
			break
		}
		lens[n], ends[n] = q-p, q
		n++
		if at(s, q) == sep && isDigit(at(s, q+1)) {
			p = q + 1
			continue
		}
		break
	}
	var buf [19]byte
	for k := n; k >= 3; k-- {
		total := 0
		ok := lens[0] == 4
		for g := 0; g < k; g++ {
			total += lens[g]
		}
		if k == 3 && lens[1] == 6 {
			ok = ok && (lens[2] == 4 || lens[2] == 5)
		} else {
			for g := 1; g < k-1; g++ {
				ok = ok && lens[g] == 4
			}
			ok = ok && lens[k-1] >= 1 && lens[k-1] <= 4
		}
		if !ok || total < 13 || total > 19 || class[at(s, ends[k-1])]&cWord != 0 ||
			(at(s, ends[k-1]) == '.' && isDigit(at(s, ends[k-1]+1))) {
			continue
		}
		digits := buf[:0]
		for _, c := range s[i:ends[k-1]] {
			if isDigit(c) {
				digits = append(digits, c)
			}
		}
		if cardOK(digits) {
			d.add(kCreditCard, i, ends[k-1])
			return
		}
	}
}

// cardOK reports whether digits has a known issuer prefix and length (Visa,
// Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro) and passes the
// Luhn check. Numbers starting with 1, 7, 8, 9 or 0 (epoch timestamps,
// snowflake ids) are never cards.
func cardOK(digits []byte) bool {
	n := len(digits)
	if n < 13 || n > 19 {
		return false
	}
	d0, d1 := digits[0], digits[1]
	switch d0 {
	case '4':
		if n != 13 && n != 16 && n != 19 {
			return false
		}
	case '5':
		if n < 16 {
			return false
		}
	case '2':
		if n != 16 || d1 < '2' || d1 > '7' {
			return false
		}
	case '3':
		switch d1 {
		case '4', '7':
			if n != 15 {
				return false
			}
		case '0', '6', '8', '9':
			if n < 14 {
				return false
			}
		case '5':
			if n < 16 {
				return false
			}
		default:
			return false
		}
	case '6':
		if n < 16 {
			return false
		}
	default:
		return false
	}
	return luhn(digits)
}

// luhn reports whether the digits pass the Luhn (mod 10) check.
func luhn(digits []byte) bool {
	sum := 0
	double := false
	for k := len(digits) - 1; k >= 0; k-- {
		v := int(digits[k] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// prevWord returns the word before s[i], skipping up to four separator
// bytes (space, quote, ':', '=', '#', '(', '-'), and where it starts.
func prevWord(s []byte, i int) ([]byte, int) {
	k := i
	for n := 0; k > 0 && n < 4; n++ {
		c := s[k-1]
		if c != ' ' && c != '"' && c != '\'' && c != ':' && c != '=' && c != '#' && c != '(' && c != '-' && c != '\t' {
			break
		}
		k--
	}
	e := k
	for k > 0 && e-k < 24 && class[s[k-1]]&cWord != 0 {
		k--
	}
	return s[k:e], k
}

// contextBefore reports whether the word before s[i] passes test, looking
// past up to two fillers such as "number" or "is".
func contextBefore(s []byte, i int, test func([]byte) bool) bool {
	k := i
	for n := 0; n < 3; n++ {
		var w []byte
		w, k = prevWord(s, k)
		if len(w) == 0 {
			return false
		}
		if test(w) {
			return true
		}
		if !lookupFold(contextFillers, w) {
			return false
		}
	}
	return false
}

// contextFillers may stand between a context word and its number
// ("phone number: ...", "SSN is ...").
var contextFillers = setOf("number num no nr is at on of")

// phoneWord reports a word that announces a phone number: phone, tel,
// mobile, cell, fax, call, sms, msisdn, contact, and compounds such as
// phone_number or mobilePhone.
func phoneWord(w []byte) bool {
	for k, c := range w {
		switch lower(c) {
		case 'p':
			if hasPrefixFold(w, k, "phone") {
				return true
			}
		case 'm':
			if hasPrefixFold(w, k, "mobile") || hasPrefixFold(w, k, "msisdn") {
				return true
			}
		case 'w':
			if hasPrefixFold(w, k, "whatsapp") {
				return true
			}
		}
	}
	return lookupFold(phoneWords, w) ||
		hasSuffixFold(w, len(w), "_tel") || hasSuffixFold(w, len(w), "_fax") || hasSuffixFold(w, len(w), "_cell")
}

// phoneWords are short words that announce a phone number.
var phoneWords = setOf("tel telephone cell fax call sms contact dial")

// orderWord reports a word after which a dashed number is a reference,
// not a phone number: order 555-123-4567, ticket #555-123-4567.
func orderWord(w []byte) bool {
	return lookupFold(orderWords, w) || hasSuffixFold(w, len(w), "_id") || hasSuffixFold(w, len(w), "id")
}

// orderWords name references that look like numbers.
var orderWords = setOf(`
order ord invoice inv ticket ref reference case po sku tracking txn
transaction acct part serial sn confirmation booking build job issue
`)

// ssnWord reports a word that announces a social security number.
func ssnWord(w []byte) bool {
	for k, c := range w {
		if lower(c) == 's' && (hasPrefixFold(w, k, "ssn") || hasPrefixFold(w, k, "social_security") ||
			hasPrefixFold(w, k, "socialsecurity")) {
			return true
		}
	}
	return equalFold(w, "security")
}

// phoneByContext reports numbers that are phone numbers only because a
// word before them says so: "phone: 555 123 4567", "mobile=5551234567",
// "tel 447911123456" (10 to 15 digits).
func (d *detector) phoneByContext(s []byte, i, j int) bool {
	n := j - i
	var e int
	switch {
	case n == 3 && at(s, j) == ' ':
		e = parseNANP(s, i, true)
	case n >= 10 && n <= 15:
		e = j
	default:
		return false
	}
	if e == 0 || !contextBefore(s, i, phoneWord) {
		return false
	}
	d.add(kPhone, i, e)
	return true
}

// ssnByContext reports a social security number without dashes after a
// word that announces one: "SSN: 123 45 6789", "ssn=123456789".
func (d *detector) ssnByContext(s []byte, i, j int) bool {
	var e int
	switch {
	case j-i == 9:
		e = j
	case j-i == 3 && at(s, j) == ' ' && digitsAt(s, j+1, 2) && at(s, j+3) == ' ' && digitsAt(s, j+4, 4) && endsNumber(s, j+8):
		e = j + 8
	default:
		return false
	}
	var digits [9]byte
	k := 0
	for _, c := range s[i:e] {
		if isDigit(c) {
			digits[k] = c
			k++
		}
	}
	if !ssnValid(digits[:]) || !contextBefore(s, i, ssnWord) {
		return false
	}
	d.add(kSSN, i, e)
	return true
}

// ssnValid applies the SSA rules to nine digits.
func ssnValid(d []byte) bool {
	area, group, serial := numAt(d, 0, 3), numAt(d, 3, 2), numAt(d, 5, 4)
	return !(area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0)
}
