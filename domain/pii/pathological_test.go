package pii

import (
	"bytes"
	"strings"
	"testing"
)

// pathological are inputs built to provoke slow paths: every matcher sees
// a trigger at every byte. Detect must stay linear on all of them (see
// BenchmarkPathological).
var pathological = map[string]func(n int) []byte{
	"at":         func(n int) []byte { return bytes.Repeat([]byte("@"), n) },
	"a-dot":      func(n int) []byte { return bytes.Repeat([]byte("a."), n/2) },
	"digits":     func(n int) []byte { return bytes.Repeat([]byte("1"), n) },
	"digit-dot":  func(n int) []byte { return bytes.Repeat([]byte("1."), n/2) },
	"digit-dash": func(n int) []byte { return bytes.Repeat([]byte("123-"), n/4) },
	"colons":     func(n int) []byte { return bytes.Repeat([]byte(":"), n) },
	"hex-colon":  func(n int) []byte { return bytes.Repeat([]byte("ab:"), n/3) },
	"plus":       func(n int) []byte { return bytes.Repeat([]byte("+1 "), n/3) },
	"dashes":     func(n int) []byte { return bytes.Repeat([]byte("-"), n) },
	"pem-begin":  func(n int) []byte { return bytes.Repeat([]byte("-----BEGIN RSA PRIVATE KEY-----"), n/31) },
	"pem-lines":  func(n int) []byte { return bytes.Repeat([]byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"), n/37) },
	"password":   func(n int) []byte { return bytes.Repeat([]byte("password="), n/9) },
	"pw-words":   func(n int) []byte { return bytes.Repeat([]byte("password for "), n/13) },
	"semicolons": func(n int) []byte { return bytes.Repeat([]byte("Password=x;"), n/11) },
	"url":        func(n int) []byte { return bytes.Repeat([]byte("a://b:c@"), n/8) },
	"email-ish":  func(n int) []byte { return bytes.Repeat([]byte("a.b@c."), n/6) },
	"quote":      func(n int) []byte { return []byte("token=\"" + strings.Repeat("a", n)) },
	"escaped":    func(n int) []byte { return []byte(`password=\"` + strings.Repeat(`\\`, n/2)) },
	"nul":        func(n int) []byte { return make([]byte, n) },
	"high":       func(n int) []byte { return bytes.Repeat([]byte{0xff, 0xfe, '@', '.'}, n/4) },
	"bearer":     func(n int) []byte { return bytes.Repeat([]byte("Bearer "), n/7) },
	"jwt":        func(n int) []byte { return bytes.Repeat([]byte("eyJabcdefghij."), n/14) },
	"newlines":   func(n int) []byte { return bytes.Repeat([]byte("\n"), n) },
	"secrets":    func(n int) []byte { return bytes.Repeat([]byte("Tr0ub4dor&3xK "), n/14) },
	"brackets":   func(n int) []byte { return bytes.Repeat([]byte("(["), n/2) },
	"name-value": func(n int) []byte { return bytes.Repeat([]byte("aB3=x9Q:"), n/8) },
}

func TestPathological(t *testing.T) {
	for name, gen := range pathological {
		t.Run(name, func(t *testing.T) {
			text := gen(1 << 20)
			spans := Detect(text)
			checkSpans(t, text, spans)
			checkSpans(t, text, DetectText(text))
		})
	}
}

// BenchmarkPathological shows that the pathological inputs cost about as
// much per byte at 64 KiB as at 1 MiB: no quadratic blowup.
func BenchmarkPathological(b *testing.B) {
	for name, gen := range pathological {
		for _, n := range []int{64 << 10, 1 << 20} {
			text := gen(n)
			b.Run(name+"/"+map[int]string{64 << 10: "64K", 1 << 20: "1M"}[n], func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					Detect(text)
				}
			})
		}
	}
}
