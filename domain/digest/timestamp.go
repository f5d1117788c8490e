package digest

import "time"

// leadingTime parses a timestamp at the start of a line: RFC 3339 ("2026-11-28T07:01:02Z"),
// the same with a space and a comma ("2026-11-28 07:01:02,123") or syslog ("Nov 28
// 07:01:02", year 0), optionally in brackets. It returns the time and the bytes it takes,
// spaces after it included.
func leadingTime(s []byte) (time.Time, int, bool) {
	i := 0
	if len(s) > 0 && s[0] == '[' {
		i = 1
	}
	t, n, ok := isoTime(s[i:])
	if !ok {
		t, n, ok = syslogTime(s[i:])
	}
	if !ok {
		return time.Time{}, 0, false
	}
	j := i + n
	if i == 1 && j < len(s) && s[j] == ']' {
		j++
	}
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	return t, j, true
}

// num reads the n-digit number at s[i:].
func num(s []byte, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range s[i : i+n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// clock reads "hh:mm:ss" at s[i:].
func clock(s []byte, i int) (h, m, sec int, ok bool) {
	if i+8 > len(s) || s[i+2] != ':' || s[i+5] != ':' {
		return 0, 0, 0, false
	}
	h, ok1 := num(s, i, 2)
	m, ok2 := num(s, i+3, 2)
	sec, ok3 := num(s, i+6, 2)
	return h, m, sec, ok1 && ok2 && ok3 && h < 24 && m < 60 && sec < 61
}

// isoTime parses "YYYY-MM-DD[T ]hh:mm:ss[.,frac][Z|±hh[:]mm]".
func isoTime(s []byte) (time.Time, int, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') {
		return time.Time{}, 0, false
	}
	y, ok1 := num(s, 0, 4)
	mo, ok2 := num(s, 5, 2)
	d, ok3 := num(s, 8, 2)
	h, m, sec, ok4 := clock(s, 11)
	if !ok1 || !ok2 || !ok3 || !ok4 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, 0, false
	}
	i, nsec := 19, 0
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		i++
		scale := 100000000
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			nsec += int(s[i]-'0') * scale
			scale /= 10
			i++
		}
	}
	t := time.Date(y, time.Month(mo), d, h, m, sec, nsec, time.UTC)
	if i < len(s) && s[i] == 'Z' {
		i++
	} else if i < len(s) && (s[i] == '+' || s[i] == '-') {
		oh, okh := num(s, i+1, 2)
		k := i + 3
		if k < len(s) && s[k] == ':' {
			k++
		}
		om, okm := num(s, k, 2)
		if okh && okm {
			off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
			if s[i] == '+' {
				off = -off
			}
			t = t.Add(off)
			i = k + 2
		}
	}
	return t, i, true
}

var months = map[string]time.Month{
	"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
	"Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}

// syslogTime parses "Mmm dd hh:mm:ss", the day space-padded or not; the year is 0.
func syslogTime(s []byte) (time.Time, int, bool) {
	if len(s) < 15 || s[3] != ' ' {
		return time.Time{}, 0, false
	}
	mo, ok := months[string(s[:3])]
	if !ok {
		return time.Time{}, 0, false
	}
	i := 4
	if s[i] == ' ' {
		i++
	}
	d := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' && d < 100 {
		d = d*10 + int(s[i]-'0')
		i++
	}
	if d < 1 || d > 31 || i >= len(s) || s[i] != ' ' {
		return time.Time{}, 0, false
	}
	h, m, sec, ok := clock(s, i+1)
	if !ok {
		return time.Time{}, 0, false
	}
	return time.Date(0, mo, d, h, m, sec, 0, time.UTC), i + 9, true
}
