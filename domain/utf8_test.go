package domain

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// sanitiseWhole is the reference: the whole input decoded at once, each invalid byte U+FFFD.
func sanitiseWhole(p []byte) []byte {
	var out []byte
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		if r == utf8.RuneError && size == 1 {
			out = append(out, replacementChar...)
		} else {
			out = append(out, p[:size]...)
		}
		p = p[size:]
	}
	return out
}

// TestUTF8WriterChunkBoundaries writes inputs in chunks of every size and random splits, and
// wants the result of decoding the whole at once: encodings split across writes are joined,
// invalid bytes replaced one for one, an encoding cut by the end replaced.
func TestUTF8WriterChunkBoundaries(t *testing.T) {
	inputs := [][]byte{
		[]byte("plain ascii"),
		[]byte("héllo wörld — 日本語 😀 end"),
		[]byte("latin-1 caf\xe9 \xff\xfe"),
		[]byte("cut at the end \xe2\x82"),
		[]byte("\xe2\x82A lone lead then ascii"),
		[]byte("\xf0\x9f\x98"),
		[]byte("\xc0\xaf overlong and \xed\xa0\x80 surrogate"),
		[]byte("\x80\x80continuations"),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		b := make([]byte, rng.IntN(64))
		for i := range b {
			switch rng.IntN(4) {
			case 0:
				b[i] = byte(rng.IntN(256))
			default:
				b[i] = "aé😀\xe2\x82\xac"[rng.IntN(9)]
			}
		}
		inputs = append(inputs, b)
	}
	for _, in := range inputs {
		want := sanitiseWhole(in)
		for size := 1; size <= len(in)+1; size++ {
			got, invalid := writeChunked(t, in, func(int) int { return size })
			if !bytes.Equal(got, want) {
				t.Fatalf("input %q in chunks of %d: %q, want %q", in, size, got, want)
			}
			if invalid != !utf8.Valid(in) {
				t.Fatalf("input %q: invalid = %v", in, invalid)
			}
		}
		got, _ := writeChunked(t, in, func(rest int) int { return 1 + rng.IntN(rest) })
		if !bytes.Equal(got, want) {
			t.Fatalf("input %q in random chunks: %q, want %q", in, got, want)
		}
	}
}

func writeChunked(t *testing.T, in []byte, next func(rest int) int) ([]byte, bool) {
	t.Helper()
	var out bytes.Buffer
	w := newUTF8Writer(&out)
	for p := in; len(p) > 0; {
		n := min(next(len(p)), len(p))
		if m, err := w.Write(p[:n]); err != nil || m != n {
			t.Fatalf("write: %d, %v", m, err)
		}
		p = p[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(out.Bytes()) {
		t.Fatalf("output %q is not valid UTF-8", out.Bytes())
	}
	return out.Bytes(), w.invalid
}

func TestCutUTF8(t *testing.T) {
	s := []byte("aé😀b")
	for n, want := range map[int]string{0: "", 1: "a", 2: "a", 3: "aé", 4: "aé", 6: "aé", 7: "aé😀", 8: "aé😀b", 20: "aé😀b"} {
		if got := string(cutUTF8(s, n)); got != want {
			t.Errorf("cutUTF8(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLooksBinary(t *testing.T) {
	for in, want := range map[string]bool{
		"":                                      false,
		"plain log line\n\ttabbed\r\n":          false,
		"\x1b[31mred\x1b[0m colour codes\n":     false,
		"a\x00b":                                true,
		"\x01\x02\x03\x04\x05 mostly controls":  true,
		"one bell \x07 in a longer line of log": false,
	} {
		if got := looksBinary([]byte(in)); got != want {
			t.Errorf("looksBinary(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestUnsafeArchivePath(t *testing.T) {
	for in, want := range map[string]bool{
		"app.log": false, "var/log/app.log": false, "a..b/c..d.log": false, "./x.log": false,
		"../x": true, "a/../../x": true, "/etc/passwd": true, `\\server\share\x`: true, `..\x`: true,
		`C:\x.log`: true, "c:x": true, "nul\x00byte": true,
	} {
		if got := unsafeArchivePath(in); got != want {
			t.Errorf("unsafeArchivePath(%q) = %v, want %v", in, got, want)
		}
	}
}
