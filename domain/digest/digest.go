package digest

import (
	"sort"
	"strings"
	"time"

	"tftsr/domain/pii"
)

// Template is one template of a digest: lines that differ only where it reads <*> or a
// mask, or one kind of stack trace.
type Template struct {
	Template string `json:"template"`
	Kind     Kind   `json:"kind"`
	Level    Level  `json:"level"`
	Count    int    `json:"count"`
	// FirstLine and LastLine are the numbers of the first and last lines seen.
	FirstLine int `json:"first_line"`
	LastLine  int `json:"last_line"`
	// FirstSeen and LastSeen are the leading timestamps of those lines, when they had one
	// (a syslog timestamp has year 0).
	FirstSeen *time.Time `json:"first_seen,omitempty"`
	LastSeen  *time.Time `json:"last_seen,omitempty"`
	// Example is the first line of the template with PII redacted; a stack trace's is its
	// header and first frame.
	Example     string `json:"example"`
	ExampleLine int    `json:"example_line"`
}

// Digest is the digest of a log: its templates, the most relevant first.
type Digest struct {
	Templates []Template `json:"templates"`
	// Lines and Bytes measure the text mined.
	Lines int   `json:"lines"`
	Bytes int64 `json:"bytes"`
	// Other counts the lines that fit no template once the number of templates was capped.
	Other int `json:"other"`
}

// Digest flushes the miner and returns the digest of the text mined so far: errors and
// stack traces first, then warnings, then the rest, each by count, most frequent first.
// Templates and examples are redacted with the pii package. Adding lines after Digest
// may split a stack trace that was open.
func (m *Miner) Digest() Digest {
	m.Flush()
	d := Digest{Templates: make([]Template, 0, len(m.clusters)), Lines: m.lines, Bytes: m.bytes, Other: m.other}
	for _, c := range m.clusters {
		t := Template{
			Template: redact(strings.Join(c.tokens, " ")), Kind: c.kind, Level: c.level, Count: c.count,
			FirstLine: c.firstLine, LastLine: c.lastLine, Example: redact(string(c.example)), ExampleLine: c.exampleLine,
		}
		if c.kind == KindStackTrace {
			t.Level = LevelError
		}
		if c.seen {
			first, last := c.firstSeen, c.lastSeen
			t.FirstSeen, t.LastSeen = &first, &last
		}
		d.Templates = append(d.Templates, t)
	}
	sort.SliceStable(d.Templates, func(i, j int) bool {
		a, b := d.Templates[i], d.Templates[j]
		if a.Level.rank() != b.Level.rank() {
			return a.Level.rank() < b.Level.rank()
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.FirstLine < b.FirstLine
	})
	return d
}

// redact replaces the PII the pii package detects in s.
func redact(s string) string {
	b := []byte(s)
	return string(pii.Redact(b, pii.Detect(b)))
}

// FormatSeen formats a first or last seen time: date and time, or only the time of a
// syslog timestamp without a year; "" when t is nil.
func FormatSeen(t *time.Time) string {
	switch {
	case t == nil:
		return ""
	case t.Year() == 0:
		return t.Format("Jan _2 15:04:05")
	case t.Nanosecond() != 0:
		return t.Format("2006-01-02 15:04:05.000Z07:00")
	}
	return t.Format("2006-01-02 15:04:05Z07:00")
}
