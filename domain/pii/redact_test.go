package pii

import (
	"bytes"
	"testing"
)

func TestRedact(t *testing.T) {
	text := []byte("Server 192.168.1.1 is down, mail ops@example.com")
	got := string(Redact(text, Detect(text)))
	if want := "Server [IPv4] is down, mail [Email]"; got != want {
		t.Errorf("Redact = %q, want %q", got, want)
	}
}

func TestRedactSkipsBadSpans(t *testing.T) {
	text := []byte("0123456789")
	spans := []Span{
		{Type: Email, Start: 1, End: 3},
		{Type: Email, Start: 2, End: 4},   // overlaps the previous one
		{Type: IPv4, Start: 5, End: 5},    // empty
		{Type: IPv4, Start: 6, End: 20},   // out of bounds
		{Type: "Bogus", Start: 6, End: 7}, // unknown type
		{Type: IPv4, Start: -1, End: 2},   // negative
		{Type: Phone, Start: 8, End: 9},
		{Type: Phone, Start: 4, End: 5}, // out of order
	}
	got := string(Redact(text, spans))
	if want := "0[Email]34567[Phone]9"; got != want {
		t.Errorf("Redact = %q, want %q", got, want)
	}
	if got := Redact(nil, nil); len(got) != 0 {
		t.Errorf("Redact(nil) = %q", got)
	}
}

// TestRedactRemovesValues checks, on the labelled corpus, that no detected
// value survives redaction: a value may only appear in the redacted text
// where the original has it outside every span too (an IP address written
// twice, once where it is not detected) or inside a token. Planted secrets
// of 12 bytes or more must be gone altogether.
func TestRedactRemovesValues(t *testing.T) {
	c := newCorpus(11)
	c.generate(256 << 10)
	spans := Detect(c.buf)
	out := Redact(c.buf, spans)
	var gaps []byte
	prev := 0
	for _, sp := range spans {
		gaps = append(append(gaps, c.buf[prev:sp.Start]...), 0)
		prev = sp.End
	}
	gaps = append(gaps, c.buf[prev:]...)
	for _, sp := range spans {
		v := c.buf[sp.Start:sp.End]
		if !bytes.Contains(out, v) || bytes.Contains(gaps, v) {
			continue
		}
		inToken := false
		for _, typ := range Types() {
			inToken = inToken || bytes.Contains([]byte(typ.Token()), v)
		}
		if !inToken {
			t.Errorf("%s value %q survives redaction", sp.Type, v)
		}
	}
	if len(spans) < 500 {
		t.Fatalf("only %d spans", len(spans))
	}
	for _, l := range c.labels {
		v := c.buf[l.Start:l.End]
		if len(v) >= 12 && bytes.Contains(out, v) {
			t.Errorf("secret %s %q survives redaction", l.Type, v)
		}
	}
}
