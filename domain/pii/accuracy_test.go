package pii

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// score measures the detector on a labelled text. A secret counts as found
// when every one of its bytes is inside some detected span; a detected span
// counts as correct when it overlaps a secret.
type score struct {
	secrets, found int
	spans, correct int
	missed         []string
	false_         []string
	perType        map[Type][2]int // found, total
}

func measure(text []byte, labels []label, spans []Span) score {
	sc := score{perType: map[Type][2]int{}}
	covered := make([]bool, len(text)+1)
	for _, sp := range spans {
		for k := sp.Start; k < sp.End; k++ {
			covered[k] = true
		}
	}
	secret := make([]bool, len(text)+1)
	for _, l := range labels {
		ok := true
		for k := l.Start; k < l.End; k++ {
			secret[k] = true
			ok = ok && covered[k]
		}
		sc.secrets++
		pt := sc.perType[l.Type]
		pt[1]++
		if ok {
			sc.found++
			pt[0]++
		} else {
			sc.missed = append(sc.missed, fmt.Sprintf("%s %q in %q", l.Type, text[l.Start:l.End], context(text, l.Start, l.End)))
		}
		sc.perType[l.Type] = pt
	}
	for _, sp := range spans {
		sc.spans++
		hit := false
		for k := sp.Start; k < sp.End && !hit; k++ {
			hit = secret[k]
		}
		if hit {
			sc.correct++
		} else {
			sc.false_ = append(sc.false_, fmt.Sprintf("%s %q in %q", sp.Type, text[sp.Start:sp.End], context(text, sp.Start, sp.End)))
		}
	}
	return sc
}

// context returns the line around text[s:e], shortened.
func context(text []byte, s, e int) string {
	a := max(0, s-60)
	b := min(len(text), e+40)
	return strings.ReplaceAll(string(text[a:b]), "\n", "⏎")
}

func (sc score) recall() float64    { return float64(sc.found) / float64(max(1, sc.secrets)) }
func (sc score) precision() float64 { return float64(sc.correct) / float64(max(1, sc.spans)) }

// TestCorpusAccuracy measures recall and precision on generated logs (three
// seeds, from dense to mostly benign, 6 MiB in all) and fails below the
// goals: recall 0.99, precision 0.95.
func TestCorpusAccuracy(t *testing.T) {
	var text []byte
	var labels []label
	for k, benign := range []float64{0, 0.3, 0.6} {
		c := newCorpus(uint64(1 + k))
		c.benign = benign
		c.generate(2 << 20)
		for _, l := range c.labels {
			labels = append(labels, label{l.Type, l.Start + len(text), l.End + len(text)})
		}
		text = append(text, c.buf...)
	}
	sc := measure(text, labels, Detect(text))
	t.Logf("corpus %d bytes: %d secrets, recall %.4f; %d spans, precision %.4f",
		len(text), sc.secrets, sc.recall(), sc.spans, sc.precision())
	types := make([]string, 0, len(sc.perType))
	for typ := range sc.perType {
		types = append(types, string(typ))
	}
	sort.Strings(types)
	for _, typ := range types {
		pt := sc.perType[Type(typ)]
		t.Logf("  %-16s %5d/%5d", typ, pt[0], pt[1])
	}
	for i, m := range sc.missed {
		if i == 20 {
			break
		}
		t.Logf("missed: %s", m)
	}
	for i, f := range sc.false_ {
		if i == 20 {
			break
		}
		t.Logf("false: %s", f)
	}
	if sc.recall() < 0.99 {
		t.Errorf("recall %.4f < 0.99", sc.recall())
	}
	if sc.precision() < 0.95 {
		t.Errorf("precision %.4f < 0.95", sc.precision())
	}
}
