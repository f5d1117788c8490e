package digest

import (
	"bytes"
	"slices"
	"strconv"
)

// Limits of the lines Relevant picks.
const (
	// MaxRelevantLineBytes caps the text of one picked line; a longer line is cut on a
	// character boundary.
	MaxRelevantLineBytes = 500
	// relevantContext is the number of lines shown before the first sighting of an error.
	relevantContext = 2
	// relevantTraceLines caps the lines of a stack trace shown for its first sighting: its
	// first lines and its last one (where Python names the exception).
	relevantTraceLines = 5
	// maxTraceScan bounds how far a stack trace is followed.
	maxTraceScan = 400
)

// Line is one line of a log: its 1-based number and its text, without the newline.
type Line struct {
	No   int    `json:"no"`
	Text string `json:"text"`
}

// LineCost is what a picked line counts against the budget of Relevant: its text and the
// number, separator and newline it is usually written with ("1042: text\n").
func LineCost(l Line) int {
	return len(l.Text) + len(strconv.Itoa(l.No)) + 3
}

// Relevant picks the most relevant raw lines of text (already redacted), whose digest is d,
// within budgetBytes as counted by LineCost (budgetBytes <= 0: no limit). In order of
// priority: the first sighting of each error template and stack trace (a stack trace with its
// first lines and its last), then the lines just before each of them and their last
// sighting, then the first and last sighting of each warning, then the lines of rare
// templates (seen once or twice), then the first line of each frequent template. A group of
// lines that does not fit is skipped whole, so no template gets more than a few lines. The
// lines come back in line order, each cut to MaxRelevantLineBytes.
func Relevant(text []byte, d Digest, budgetBytes int) []Line {
	idx := indexLines(text)
	if len(idx.starts) == 0 {
		return nil
	}
	p := &picker{idx: idx, budget: budgetBytes, picked: map[int]string{}}

	var errs, warns, rare, frequent []Template
	for _, t := range d.Templates {
		switch {
		case t.Level == LevelError || t.Kind == KindStackTrace:
			errs = append(errs, t)
		case t.Level == LevelWarn:
			warns = append(warns, t)
		case t.Count <= 2:
			rare = append(rare, t)
		default:
			frequent = append(frequent, t)
		}
	}
	// Rare lines in the order they appear, so that a budget cut keeps the earliest.
	slices.SortStableFunc(rare, func(a, b Template) int { return a.FirstLine - b.FirstLine })

	for _, t := range errs {
		p.take(p.occurrence(t, t.FirstLine, relevantTraceLines))
	}
	for _, t := range errs {
		var g []int
		for n := max(t.FirstLine-relevantContext, 1); n < t.FirstLine; n++ {
			g = append(g, n)
		}
		p.take(g)
		if t.LastLine != t.FirstLine {
			p.take(p.occurrence(t, t.LastLine, 2))
		}
	}
	for _, t := range warns {
		p.take([]int{t.FirstLine})
	}
	for _, t := range warns {
		if t.LastLine != t.FirstLine {
			p.take([]int{t.LastLine})
		}
	}
	for _, t := range rare {
		p.take([]int{t.FirstLine})
		if t.LastLine != t.FirstLine {
			p.take([]int{t.LastLine})
		}
	}
	for _, t := range frequent {
		p.take([]int{t.FirstLine})
	}

	out := make([]Line, 0, len(p.picked))
	for n, s := range p.picked {
		out = append(out, Line{No: n, Text: s})
	}
	slices.SortFunc(out, func(a, b Line) int { return a.No - b.No })
	return out
}

// lineIndex is where each line of a text starts.
type lineIndex struct {
	text   []byte
	starts []int
}

// indexLines numbers the lines of text as the Miner does: split on newlines, a last line
// without a newline counted too.
func indexLines(text []byte) lineIndex {
	idx := lineIndex{text: text, starts: make([]int, 0, len(text)/80+1)}
	for at := 0; at < len(text); {
		idx.starts = append(idx.starts, at)
		k := bytes.IndexByte(text[at:], '\n')
		if k < 0 {
			break
		}
		at += k + 1
	}
	return idx
}

// line returns line n (1-based) without its newline and carriage return; nil past the end.
func (x lineIndex) line(n int) []byte {
	if n < 1 || n > len(x.starts) {
		return nil
	}
	s, e := x.starts[n-1], len(x.text)
	if n < len(x.starts) {
		e = x.starts[n] - 1
	} else if e > s && x.text[e-1] == '\n' {
		e--
	}
	l := x.text[s:e]
	if k := len(l); k > 0 && l[k-1] == '\r' {
		l = l[:k-1]
	}
	return l
}

// picker collects lines within a budget.
type picker struct {
	idx    lineIndex
	budget int
	used   int
	picked map[int]string
}

// take adds a group of lines when all of those not picked yet fit the budget.
func (p *picker) take(group []int) {
	cost := 0
	var add []Line
	for _, n := range group {
		if _, ok := p.picked[n]; ok || n < 1 || n > len(p.idx.starts) || slices.ContainsFunc(add, func(l Line) bool { return l.No == n }) {
			continue
		}
		l := Line{No: n, Text: string(cutRunes(p.idx.line(n), MaxRelevantLineBytes))}
		cost += LineCost(l)
		add = append(add, l)
	}
	if len(add) == 0 || p.budget > 0 && p.used+cost > p.budget {
		return
	}
	p.used += cost
	for _, l := range add {
		p.picked[l.No] = l.Text
	}
}

// occurrence returns the lines of one sighting of t at line n: the line itself, or, for a
// stack trace, at most limit of its lines, the first ones and the last.
func (p *picker) occurrence(t Template, n, limit int) []int {
	if t.Kind != KindStackTrace {
		return []int{n}
	}
	end := p.traceEnd(n)
	if end-n+1 <= limit {
		out := make([]int, 0, end-n+1)
		for k := n; k <= end; k++ {
			out = append(out, k)
		}
		return out
	}
	out := make([]int, 0, limit)
	for k := n; k < n+limit-1; k++ {
		out = append(out, k)
	}
	return append(out, end)
}

// traceEnd follows the stack trace that starts at line n (its header or first frame) and
// returns its last line, as the Miner reads it.
func (p *picker) traceEnd(n int) int {
	first, kind := 0, traceNone
	for k := n; k <= n+3 && k <= len(p.idx.starts); k++ {
		if kind = traceStart(p.idx.line(k)); kind != traceNone {
			first = k
			break
		}
	}
	if kind == traceNone {
		return n
	}
	t := &trace{kind: kind, start: first, end: first}
	for k := first + 1; k <= len(p.idx.starts) && k <= first+maxTraceScan; k++ {
		line := p.idx.line(k)
		if len(line) > DefaultMaxLineBytes {
			line = cutRunes(line, DefaultMaxLineBytes)
		}
		consumed, done := t.take(line, k, isBlank(line))
		if !consumed || done {
			break
		}
	}
	return t.end
}
