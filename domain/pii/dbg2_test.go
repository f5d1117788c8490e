package pii

import "testing"

func TestDbg2(t *testing.T) {
	s := []byte("Bearer Ju.eUAo_pv5Ly4Mr5vP9sOg-05XQKLHrJY47wF~pyCI")
	t.Log(keyAt(s, 0, 6))
	var d detector
	d.buf = s
	d.bearer(s, 6)
	t.Log(d.cands, tokenValue(s[7:], false), masked(s[7:]), placeholder(s[7:]))
}
