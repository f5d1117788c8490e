package pii

import (
	"regexp"
	"sync"
	"testing"
)

// benchLog returns a deterministic realistic mixed log of at least 64 MiB,
// built once per test binary: syslog, nginx, Java and Python traces, k8s
// events, JSON, Windows events, database errors and application lines, with
// 60% everyday lines with nothing to find.
var benchLog = sync.OnceValue(func() []byte {
	return genLog(0.6)
})

// denseLog is like benchLog without the everyday lines: nearly every line
// holds a secret or a look-alike.
var denseLog = sync.OnceValue(func() []byte {
	return genLog(0)
})

// genLog generates 64 MiB of log with the given share of benign lines.
func genLog(benign float64) []byte {
	c := newCorpus(42)
	c.noLabels = true
	c.benign = benign
	c.buf = make([]byte, 0, 65<<20)
	c.generate(64 << 20)
	return c.buf
}

func BenchmarkDetect(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		Detect(data)
	}
}

func BenchmarkDetectDense(b *testing.B) {
	data := denseLog()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		Detect(data)
	}
}

// typedText returns 1 MiB of the typed-text corpus.
var typedText = sync.OnceValue(func() []byte {
	c := newCorpus(43)
	c.noLabels = true
	c.generateText(1 << 20)
	return c.buf
})

// BenchmarkDetectTypedText and BenchmarkDetectTextTyped compare Detect and
// DetectText (Detect and the bare secret pass) on typed text.
func BenchmarkDetectTypedText(b *testing.B) {
	data := typedText()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Detect(data)
	}
}

func BenchmarkDetectTextTyped(b *testing.B) {
	data := typedText()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		DetectText(data)
	}
}

// BenchmarkDetectTextLog is DetectText on the benchmark log, for
// comparison with BenchmarkDetect: what the pass would cost on logs.
func BenchmarkDetectTextLog(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		DetectText(data)
	}
}

func BenchmarkScanner(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		s := NewScanner()
		for off := 0; off < len(data); off += 64 << 10 {
			s.Write(data[off:min(len(data), off+64<<10)])
			s.Spans()
		}
		s.Close()
	}
}

// desktopPatterns are the desktop app's twelve patterns (inventory §3.1),
// in its order.
var desktopPatterns = sync.OnceValue(func() []*regexp.Regexp {
	src := []string{
		`[a-z][a-z0-9+\-.]*://[^:@/\s]+:[^@/\s]+@`,
		`(?i)bearer\s+[A-Za-z0-9\-._~+/]+=*`,
		`(?i)(?:api[_-]?key|apikey|access[_-]?token)\s*[=:]\s*[A-Za-z0-9\-._~+/]{16,}`,
		`(?i)(?:password|passwd|pwd)\s*[=:]\s*\S+`,
		`\b\d{3}-\d{2}-\d{4}\b`,
		`\b(?:4\d{12}(?:\d{3})?|5[1-5]\d{14}|3[47]\d{13}|6(?:011|5\d{2})\d{12}|3(?:0[0-5]|[68]\d)\d{11}|35(?:2[89]|[3-8]\d)\d{12})\b`,
		`\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b`,
		`\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b`,
		`(?i)\b(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,7}:|(?:[0-9a-f]{1,4}:){1,6}:[0-9a-f]{1,4}|::(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4}|[0-9a-f]{1,4}::(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})\b`,
		`\b(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\b`,
		`\b(?:\+?1[-.\s]?)?\(?[0-9]{3}\)?[-.\s]?[0-9]{3}[-.\s]?[0-9]{4}\b`,
		`\b(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\b`,
	}
	out := make([]*regexp.Regexp, len(src))
	for i, s := range src {
		out[i] = regexp.MustCompile(s)
	}
	return out
})

// BenchmarkDetectRegexpBaseline runs the desktop patterns one after another
// over the first MiB of the benchmark log.
func BenchmarkDetectRegexpBaseline(b *testing.B) {
	data := benchLog()[:1<<20]
	res := desktopPatterns()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		for _, re := range res {
			re.FindAllIndex(data, -1)
		}
	}
}
