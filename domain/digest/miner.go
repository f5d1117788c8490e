package digest

import (
	"bytes"
	"unicode/utf8"
)

// The defaults of a Miner's limits.
const (
	DefaultThreshold    = 0.5
	DefaultMaxClusters  = 5000
	DefaultMaxLineBytes = 4 << 10
	maxTokens           = 256
	maxChildren         = 100
	maxLeafClusters     = 200
	maxExampleBytes     = 1 << 10
)

// Miner mines the templates of a log, line by line (Add) or from chunks of text (Write).
// Its memory is bounded by MaxClusters and MaxLineBytes, whatever the size of the log. A
// Miner is not safe for concurrent use.
type Miner struct {
	// Threshold is the share of equal tokens a line needs to join a template.
	Threshold float64
	// MaxClusters caps the number of templates; later lines that fit none count as Other.
	MaxClusters int
	// MaxLineBytes caps the bytes of a line that are considered.
	MaxLineBytes int

	roots    map[int]*node
	traces   map[string]*cluster
	clusters []*cluster
	toks     []token

	pending     []byte
	pendingLine int
	hasPending  bool
	trace       *trace

	partial  []byte
	cut      bool
	cutBytes int
	nextLine int

	lines, other int
	bytes        int64
}

// NewMiner returns a miner with the default limits.
func NewMiner() *Miner {
	return &Miner{Threshold: DefaultThreshold, MaxClusters: DefaultMaxClusters, MaxLineBytes: DefaultMaxLineBytes}
}

// Add mines one line (without its newline); lineNo is its 1-based number.
func (m *Miner) Add(line []byte, lineNo int) {
	if m.roots == nil {
		m.roots, m.traces = map[int]*node{}, map[string]*cluster{}
	}
	m.lines++
	m.bytes += int64(len(line)) + 1
	if limit := m.maxLine(); len(line) > limit {
		line = cutRunes(line, limit)
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	blank := isBlank(line)
	if m.trace != nil {
		consumed, done := m.trace.take(line, lineNo, blank)
		if consumed {
			if done {
				m.endTrace()
			}
			return
		}
		m.endTrace()
	}
	if blank {
		return
	}
	if m.hasPending && bytes.HasPrefix(line, []byte("[signal ")) && isPanic(m.pending) {
		return // the signal line of a Go panic; the panic heads the trace that follows
	}
	if k := traceStart(line); k != traceNone {
		m.startTrace(k, line, lineNo)
		return
	}
	m.flushPending()
	m.pending = append(m.pending[:0], line...)
	m.pendingLine, m.hasPending = lineNo, true
}

// Write mines chunks of text split on newlines; the lines are numbered from 1 on. Call
// Flush after the last chunk. It never fails.
func (m *Miner) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := indexByteFrom(p, '\n', 0)
		if k < 0 {
			m.appendPartial(p)
			break
		}
		if len(m.partial) == 0 && !m.cut {
			m.nextLine++
			m.Add(p[:k], m.nextLine)
		} else {
			m.appendPartial(p[:k])
			m.nextLine++
			m.Add(m.partial, m.nextLine)
			m.bytes += int64(m.cutBytes)
			m.partial, m.cut, m.cutBytes = m.partial[:0], false, 0
		}
		p = p[k+1:]
	}
	return n, nil
}

// appendPartial keeps the start of a line split across chunks, up to MaxLineBytes.
func (m *Miner) appendPartial(p []byte) {
	room := m.maxLine() - len(m.partial)
	if len(p) > room {
		m.cut = true
		m.cutBytes += len(p) - max(room, 0)
		p = p[:max(room, 0)]
	}
	m.partial = append(m.partial, p...)
}

// Flush mines a last line without a newline and ends an open stack trace.
func (m *Miner) Flush() {
	if len(m.partial) > 0 || m.cut {
		m.nextLine++
		m.Add(m.partial, m.nextLine)
		m.bytes += int64(m.cutBytes) - 1
		m.partial, m.cut, m.cutBytes = m.partial[:0], false, 0
	}
	if m.trace != nil {
		m.endTrace()
	}
	m.flushPending()
}

func (m *Miner) maxLine() int {
	if m.MaxLineBytes <= 0 {
		return DefaultMaxLineBytes
	}
	return m.MaxLineBytes
}

// flushPending mines the line held back in case a stack trace followed it.
func (m *Miner) flushPending() {
	if m.hasPending {
		m.hasPending = false
		m.mine(m.pending, m.pendingLine)
	}
}

// mine clusters one line into the prefix tree.
func (m *Miner) mine(line []byte, lineNo int) {
	at, skip, hasAt := leadingTime(line)
	var level Level
	m.toks, level = tokenize(line[skip:], m.toks, maxTokens)
	toks := m.toks
	if len(toks) == 0 {
		return
	}
	s := sighting{line: lineNo, at: at, hasAt: hasAt, level: level}
	// Once the templates are capped, no node is added either, so memory stays bounded.
	create := len(m.clusters) < m.maxClusters()
	leaf := m.roots[len(toks)]
	if leaf == nil && create {
		leaf = &node{}
		m.roots[len(toks)] = leaf
	}
	depth := 1
	if len(toks) > 1 && isLevelWord(toks[0]) {
		depth = 2
	}
	for d := 0; d < depth && leaf != nil; d++ {
		leaf = leaf.child(toks[d], create, maxChildren)
	}
	if leaf == nil {
		m.other++
		return
	}
	if c := m.best(leaf.clusters, toks); c != nil {
		c.merge(toks)
		c.note(s)
		return
	}
	if !create || len(leaf.clusters) >= maxLeafClusters {
		m.other++
		return
	}
	c := &cluster{tokens: make([]string, len(toks)), kind: KindLine, example: clip(line), exampleLine: lineNo}
	for i, t := range toks {
		c.tokens[i] = t.text()
	}
	c.note(s)
	leaf.clusters = append(leaf.clusters, c)
	m.clusters = append(m.clusters, c)
}

// isLevelWord reports whether a token is a severity word such as INFO or [ERROR], which
// says too little to be the only key of the prefix tree.
func isLevelWord(t token) bool {
	if t.variable() {
		return false
	}
	switch string(trimPunct(t.raw)) {
	case "INFO", "DEBUG", "TRACE", "NOTICE", "I", "D", "info", "debug":
		return true
	}
	return wordLevel(t.raw) != LevelInfo
}

// best returns the cluster that toks fit best, nil when none reaches the threshold.
func (m *Miner) best(cs []*cluster, toks []token) *cluster {
	th := m.Threshold
	if th <= 0 {
		th = DefaultThreshold
	}
	misses := len(toks) - int(th*float64(len(toks))+0.999999)
	var best *cluster
	bestSim, bestWild := -1.0, -1
	for _, c := range cs {
		sim, wild := similarity(c.tokens, toks, misses)
		if sim >= th && (sim > bestSim || sim == bestSim && wild > bestWild) {
			best, bestSim, bestWild = c, sim, wild
		}
	}
	return best
}

func (m *Miner) maxClusters() int {
	if m.MaxClusters <= 0 {
		return DefaultMaxClusters
	}
	return m.MaxClusters
}

// clip copies the start of a line for an example.
func clip(line []byte) []byte {
	return append([]byte(nil), cutRunes(line, maxExampleBytes)...)
}

// cutRunes cuts s to at most n bytes without splitting a character.
func cutRunes(s []byte, n int) []byte {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// isBlank reports whether a line holds only whitespace.
func isBlank(s []byte) bool {
	for _, c := range s {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}
