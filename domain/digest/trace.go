package digest

import (
	"bytes"
	"strings"
)

// traceKind is the language of a stack trace.
type traceKind int

const (
	traceNone traceKind = iota
	traceJava
	tracePython
	traceGo
)

// trace is a stack trace being read: its header (the exception or panic line), its first
// frame and the lines it spans.
type trace struct {
	kind       traceKind
	header     []byte
	headerLine int
	frame      []byte
	start, end int
}

var pythonTraceback = []byte("Traceback (most recent call last):")

// traceStart tells whether a line starts a stack trace: a Python "Traceback", a Go
// "goroutine N [...]:" or a Java frame ("\tat pkg.Class.method(File.java:12)").
func traceStart(line []byte) traceKind {
	switch {
	case bytes.HasPrefix(line, pythonTraceback):
		return tracePython
	case isGoroutine(line):
		return traceGo
	case isJavaFrame(line):
		return traceJava
	}
	return traceNone
}

// isGoroutine reports whether a line is "goroutine N [state]:".
func isGoroutine(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("goroutine "))
	if !ok || len(rest) == 0 || rest[0] < '0' || rest[0] > '9' {
		return false
	}
	return bytes.Contains(rest, []byte(" [")) && bytes.HasSuffix(rest, []byte("]:"))
}

// isJavaFrame reports whether a line is an indented "at ..." frame.
func isJavaFrame(line []byte) bool {
	t := bytes.TrimLeft(line, " \t")
	return len(t) < len(line) && bytes.HasPrefix(t, []byte("at ")) && bytes.IndexByte(t, '(') > 0
}

// isJavaContinuation reports whether a line continues a Java stack trace.
func isJavaContinuation(line []byte) bool {
	t := bytes.TrimLeft(line, " \t")
	indented := len(t) < len(line)
	return isJavaFrame(line) || bytes.HasPrefix(t, []byte("Caused by:")) ||
		indented && (bytes.HasPrefix(t, []byte("... ")) || bytes.HasPrefix(t, []byte("Suppressed:")))
}

// isGoContinuation reports whether a line continues a Go trace: a function line, a tab
// indented file line, "created by" or another goroutine.
func isGoContinuation(line []byte) bool {
	if line[0] == '\t' || bytes.HasPrefix(line, []byte("created by ")) || isGoroutine(line) {
		return true
	}
	open, space := bytes.IndexByte(line, '('), bytes.IndexByte(line, ' ')
	return line[len(line)-1] == ')' && open > 0 && (space < 0 || space > open)
}

// take adds a line to the trace when it belongs to it; done means the trace ends with it.
func (t *trace) take(line []byte, lineNo int, blank bool) (consumed, done bool) {
	switch t.kind {
	case traceJava:
		if blank || !isJavaContinuation(line) {
			return false, false
		}
	case tracePython:
		if blank {
			return true, false
		}
		if line[0] != ' ' && line[0] != '\t' {
			t.header, t.headerLine, t.end = append(t.header[:0], line...), lineNo, lineNo
			return true, true
		}
		if t.frame == nil && bytes.HasPrefix(bytes.TrimLeft(line, " \t"), []byte("File ")) {
			t.frame = append([]byte(nil), line...)
		}
	case traceGo:
		if blank || !isGoContinuation(line) {
			return blank, false
		}
		if t.frame == nil && !isGoroutine(line) {
			t.frame = append([]byte(nil), line...)
		}
	}
	t.end = lineNo
	return true, false
}

// startTrace begins a stack trace at line; the line held back becomes its header when it
// is the exception or panic message.
func (m *Miner) startTrace(k traceKind, line []byte, lineNo int) {
	t := &trace{kind: k, start: lineNo, end: lineNo}
	switch k {
	case traceJava:
		t.frame = append([]byte(nil), line...)
		if m.hasPending {
			t.header, t.headerLine, t.start = append([]byte(nil), m.pending...), m.pendingLine, m.pendingLine
			m.hasPending = false
		}
	case traceGo:
		if m.hasPending && isPanic(m.pending) {
			t.header, t.headerLine, t.start = append([]byte(nil), m.pending...), m.pendingLine, m.pendingLine
			m.hasPending = false
		} else {
			t.header, t.headerLine = append([]byte(nil), line...), lineNo
		}
	}
	m.flushPending()
	m.trace = t
}

// isPanic reports whether a line is a Go "panic:" or "fatal error:" message.
func isPanic(line []byte) bool {
	_, skip, _ := leadingTime(line)
	t := line[skip:]
	return bytes.HasPrefix(t, []byte("panic:")) || bytes.HasPrefix(t, []byte("fatal error:"))
}

// endTrace adds the trace read to its template.
func (m *Miner) endTrace() {
	t := m.trace
	m.trace = nil
	if t == nil {
		return
	}
	s := sighting{line: t.start, level: LevelError}
	var parts []string
	var example []byte
	if t.header != nil {
		at, skip, hasAt := leadingTime(t.header)
		s.at, s.hasAt = at, hasAt
		parts = append(parts, m.maskedText(t.header[skip:]))
		example = append(example, t.header...)
	} else if t.kind == tracePython {
		parts = append(parts, string(pythonTraceback))
		example = append(example, pythonTraceback...)
	}
	if t.frame != nil {
		parts = append(parts, m.maskedText(bytes.TrimLeft(t.frame, " \t")))
		if len(example) > 0 {
			example = append(example, '\n')
		}
		example = append(example, t.frame...)
	}
	key := strings.Join(parts, " ⏎ ")
	if c := m.traces[key]; c != nil {
		c.note(s)
		return
	}
	if len(m.clusters) >= m.maxClusters() {
		m.other++
		return
	}
	c := &cluster{tokens: []string{key}, kind: KindStackTrace, example: clip(example), exampleLine: t.start}
	c.note(s)
	m.traces[key] = c
	m.clusters = append(m.clusters, c)
}

// maskedText is a line with its variable tokens masked, tokens joined by single spaces.
func (m *Miner) maskedText(line []byte) string {
	m.toks, _ = tokenize(line, m.toks, maxTokens)
	var b strings.Builder
	for i, tok := range m.toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(tok.text())
	}
	return b.String()
}
