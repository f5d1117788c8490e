package ai

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// maxLine caps one line of a stream, so that a broken server cannot exhaust memory.
const maxLine = 4 << 20

// errLineTooLong reports a stream line longer than maxLine.
var errLineTooLong = errors.New("ai: stream line too long")

// lineReader reads the lines of a stream, without their "\n", "\r\n" or "\r" endings.
type lineReader struct {
	r   *bufio.Reader
	buf []byte
	cr  bool // the previous line ended with "\r", so a leading "\n" belongs to it
}

// newLineReader returns a lineReader on r.
func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 32<<10)}
}

// next returns the next line. At the end of the stream it returns io.EOF, after a last line
// that has no line ending.
func (l *lineReader) next() ([]byte, error) {
	l.buf = l.buf[:0]
	for {
		b, err := l.r.ReadByte()
		if err != nil {
			if err == io.EOF && len(l.buf) > 0 {
				return l.buf, nil
			}
			return nil, err
		}
		if l.cr {
			l.cr = false
			if b == '\n' {
				continue
			}
		}
		switch b {
		case '\n':
			return l.buf, nil
		case '\r':
			l.cr = true
			return l.buf, nil
		}
		if len(l.buf) >= maxLine {
			return nil, errLineTooLong
		}
		l.buf = append(l.buf, b)
	}
}

// sseEvent is one Server-Sent Event: its type (the "event:" field, empty for the default
// "message") and its data lines joined with "\n".
type sseEvent struct {
	event string
	data  []byte
}

// sseReader reads Server-Sent Events as the HTML standard frames them: "field: value" lines, a
// blank line ending each event, lines starting with ":" being comments.
type sseReader struct {
	lines *lineReader
}

// newSSEReader returns an sseReader on r.
func newSSEReader(r io.Reader) *sseReader {
	return &sseReader{lines: newLineReader(r)}
}

// next returns the next event that carries data. It returns io.EOF at the end of the stream.
func (s *sseReader) next() (sseEvent, error) {
	var ev sseEvent
	hasData := false
	for {
		line, err := s.lines.next()
		if err != nil {
			if err == io.EOF && hasData {
				return ev, nil
			}
			return sseEvent{}, err
		}
		if len(line) == 0 {
			if hasData {
				return ev, nil
			}
			ev = sseEvent{}
			continue
		}
		if line[0] == ':' {
			continue
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(name) {
		case "event":
			ev.event = string(value)
		case "data":
			if hasData {
				ev.data = append(ev.data, '\n')
			}
			ev.data = append(ev.data, value...)
			hasData = true
		}
	}
}
