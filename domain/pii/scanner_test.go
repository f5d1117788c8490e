package pii

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// scanChunks feeds text to a Scanner in chunks of random sizes (up to max)
// and returns every span it reports.
func scanChunks(text []byte, r *rand.Rand, max int) []Span {
	s := NewScanner()
	var out []Span
	for off := 0; off < len(text); {
		n := 1 + r.IntN(max)
		end := min(len(text), off+n)
		if _, err := s.Write(text[off:end]); err != nil {
			panic(err)
		}
		out = append(out, s.Spans()...)
		off = end
	}
	if err := s.Close(); err != nil {
		panic(err)
	}
	return append(out, s.Spans()...)
}

func TestScannerMatchesDetect(t *testing.T) {
	c := newCorpus(3)
	c.generate(1 << 20)
	want := Detect(c.buf)
	r := rand.New(rand.NewPCG(1, 2))
	for _, max := range []int{1, 7, 100, 4096, 1 << 16, 4 << 20} {
		if max == 1 && testing.Short() {
			continue
		}
		text := c.buf
		if max == 1 {
			text = text[:64<<10] // byte-at-a-time is slow; a slice will do
		}
		got := scanChunks(text, r, max)
		exp := want
		if max == 1 {
			exp = Detect(text)
		}
		if !slices.Equal(got, exp) {
			t.Errorf("chunks up to %d: %d spans, Detect %d", max, len(got), len(exp))
			for k := range min(len(got), len(exp)) {
				if got[k] != exp[k] {
					t.Errorf("first difference at %d: got %+v want %+v", k, got[k], exp[k])
					break
				}
			}
		}
	}
}

func TestScannerLongLinesAndKeys(t *testing.T) {
	// Lines longer than maxLine, a private key split across writes, and a
	// key with no END marker at the end of the stream.
	var b bytes.Buffer
	b.WriteString("start 10.1.2.3 ")
	b.WriteString(strings.Repeat("abc.def ", maxLine/4))
	b.WriteString(" jane@example.com\n")
	b.WriteString("-----BEGIN RSA PRIVATE KEY-----\n")
	for k := 0; k < 40; k++ {
		b.WriteString(strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", 2) + "\n")
	}
	b.WriteString("-----END RSA PRIVATE KEY-----\nafter 10.9.8.7\n")
	b.WriteString(strings.Repeat("x", maxLine*2+17))
	b.WriteString("\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oYOu2dZT5Bi2\n")
	text := b.Bytes()
	want := Detect(text)
	if len(want) < 4 {
		t.Fatalf("Detect found %v", want)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, max := range []int{3, 1000, 70000, 1 << 20} {
		if got := scanChunks(text, r, max); !slices.Equal(got, want) {
			t.Errorf("chunks up to %d:\n got %v\nwant %v", max, got, want)
		}
	}
}

func TestRedactWriter(t *testing.T) {
	c := newCorpus(9)
	c.generate(256 << 10)
	want := Redact(c.buf, Detect(c.buf))
	var out bytes.Buffer
	w := NewRedactWriter(&out)
	r := rand.New(rand.NewPCG(7, 8))
	for off := 0; off < len(c.buf); {
		end := min(len(c.buf), off+1+r.IntN(3000))
		if _, err := w.Write(c.buf[off:end]); err != nil {
			t.Fatal(err)
		}
		off = end
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("streamed redaction differs (%d vs %d bytes)", out.Len(), len(want))
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("Write after Close succeeded")
	}
}
