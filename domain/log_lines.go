package domain

import (
	"bytes"
	"context"
	"io"

	"tftsr/domain/pii"
)

// Limits on reading lines of a log.
const (
	// MaxLogLinesPerRequest bounds the lines one request for cited lines returns.
	MaxLogLinesPerRequest = 200
	// MaxLogLineBytes bounds the text shown of one line; longer lines are cut and end in "…".
	MaxLogLineBytes = 4096
)

// LogLine is one numbered line of a log's text (No counts from 1). Absent says the log ends
// before it.
type LogLine struct {
	No     int    `json:"no"`
	Text   string `json:"text"`
	Absent bool   `json:"absent,omitempty"`
}

// LogLines is a range of lines of a log's redacted text.
type LogLines struct {
	Log   *LogFile
	From  int
	To    int
	Lines []LogLine
}

// CheckLineRange checks a requested range of lines: from at least 1, to not before from, at
// most MaxLogLinesPerRequest lines.
func CheckLineRange(from, to int) error {
	switch {
	case from < 1:
		return Errorf(EINVALID, "The first line must be a number from 1.")
	case to < from:
		return Errorf(EINVALID, "The last line must not come before the first.")
	case to-from >= MaxLogLinesPerRequest:
		return Errorf(EINVALID, "Ask for at most %d lines at a time.", MaxLogLinesPerRequest)
	}
	return nil
}

// Lines returns lines from to to (inclusive, from 1) of a log's text as it may be shown or
// sent: the redacted text once redactions are applied, and before that the original with every
// detected value replaced, as Log gives it. Lines past the end are returned marked absent. The
// caller needs to be allowed to read the log.
func (g *RedactionGate) Lines(ctx context.Context, logID string, from, to int) (*LogLines, error) {
	if err := CheckLineRange(from, to); err != nil {
		return nil, err
	}
	l, err := g.logs.FindLogByID(ctx, logID)
	if err != nil {
		return nil, err
	}
	col := &lineCollector{from: from, to: to, next: 1}
	key := l.ObjectKey
	if l.Redacted {
		key = l.RedactedObjectKey
	}
	r, err := openGzipObject(ctx, g.blobs, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if l.Redacted {
		_, err = io.Copy(col, r)
	} else {
		rw := pii.NewRedactWriter(col)
		_, err = io.Copy(rw, r)
		if err == nil {
			err = rw.Close()
		}
	}
	if err != nil && err != errEnough {
		return nil, textReadError(err)
	}
	col.finish()
	out := &LogLines{Log: l, From: from, To: to, Lines: col.lines}
	for n := from + len(col.lines); n <= to; n++ {
		out.Lines = append(out.Lines, LogLine{No: n, Absent: true})
	}
	return out, nil
}

// lineCollector keeps the lines from..to of the text written to it, each cut to
// MaxLogLineBytes, and fails with errEnough once it has them all.
type lineCollector struct {
	from, to int
	next     int // the number of the line being written
	cur      []byte
	curLen   int // bytes of the current line seen, kept or not
	lines    []LogLine
}

func (c *lineCollector) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if c.next > c.to {
			return n, errEnough
		}
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if c.next >= c.from {
			if room := MaxLogLineBytes + 4 - len(c.cur); room > 0 {
				c.cur = append(c.cur, chunk[:min(room, len(chunk))]...)
			}
		}
		c.curLen += len(chunk)
		if i < 0 {
			return n + len(p), nil
		}
		c.endLine()
		n += i + 1
		p = p[i+1:]
	}
	if c.next > c.to {
		return n, errEnough
	}
	return n, nil
}

// endLine finishes the current line.
func (c *lineCollector) endLine() {
	if c.next >= c.from && c.next <= c.to {
		text := bytes.TrimSuffix(c.cur, []byte("\r"))
		s := string(text)
		if len(text) > MaxLogLineBytes {
			s = string(cutUTF8(text, MaxLogLineBytes)) + "…"
		}
		c.lines = append(c.lines, LogLine{No: c.next, Text: s})
	}
	c.next++
	c.cur, c.curLen = c.cur[:0], 0
}

// finish ends a last line that has no line break.
func (c *lineCollector) finish() {
	if c.curLen > 0 && c.next <= c.to {
		c.endLine()
	}
}
