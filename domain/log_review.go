package domain

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"

	"tftsr/domain/pii"
)

// ApplyRedactions writes a log's redacted text as a new object and marks the log redacted.
// With approvedIDs nil the reviewer's decisions as stored apply; otherwise exactly the spans in
// approvedIDs are redacted and the others kept. Values past the reviewed spans of a truncated
// log are all redacted. From then on every reader but an admin's explicit "view original" gets
// the redacted text; the review is closed (a second apply is ECONFLICT).
func (s *LogService) ApplyRedactions(ctx context.Context, logID string, approvedIDs []string) (*LogFile, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, err
	}
	var written string
	l, err := s.store.ApplyRedactions(ctx, logID, approvedIDs, func(l *LogFile, spans []*PIISpan) (*Redaction, error) {
		key := RedactedLogObjectKey(l.IssueID, l.ID)
		red, err := s.writeRedacted(ctx, l, spans, key)
		if err != nil {
			return nil, err
		}
		written = key
		return red, nil
	})
	if err != nil && written != "" {
		s.removeObjects(ctx, written)
	}
	return l, err
}

// writeRedacted streams the original text of l through the approved spans (and, for a
// truncated log, the detector past the reviewed spans) into a new gzip object at key.
func (s *LogService) writeRedacted(ctx context.Context, l *LogFile, spans []*PIISpan, key string) (*Redaction, error) {
	red := &Redaction{ObjectKey: key, AppliedByType: map[string]int{}}
	var approved []*PIISpan
	for _, sp := range spans {
		if sp.Approved {
			approved = append(approved, sp)
			red.AppliedSpanIDs = append(red.AppliedSpanIDs, sp.ID)
			red.AppliedByType[sp.PIIType]++
		}
	}
	tail := int64(-1)
	if l.PIITruncated {
		// The detector runs again from the start of the line of the last reviewed value.
		tail = 0
		if len(spans) > 0 {
			var err error
			if tail, err = s.lineStart(ctx, l.ObjectKey, spans[len(spans)-1].Start); err != nil {
				return nil, err
			}
		}
	}

	src, err := openGzipObject(ctx, s.blobs, l.ObjectKey)
	if err != nil {
		return nil, err
	}
	defer src.Close()

	pr, pw := io.Pipe()
	putDone := make(chan error, 1)
	go func() {
		err := s.blobs.Put(ctx, key, pr, -1, "application/gzip")
		if err == nil {
			err = errStoreStopped
		}
		pr.CloseWithError(err)
		putDone <- err
	}()
	h := sha256.New()
	zw, _ := gzip.NewWriterLevel(pw, gzipLevel)
	counter := &countingWriter{}
	out := io.MultiWriter(zw, h, counter)
	rep := newSpanReplacer(out, approved, tail)

	_, err = io.Copy(rep, src)
	if err == nil {
		err = rep.Close()
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		pw.CloseWithError(err)
		<-putDone
		s.removeObjects(ctx, key)
		return nil, textReadError(err)
	}
	pw.Close()
	if putErr := <-putDone; putErr != errStoreStopped {
		s.removeObjects(ctx, key)
		return nil, uploadError(l.FileName, putErr, putErr, 0)
	}
	for t, n := range rep.tailCounts {
		red.AppliedByType[t] += n
		red.Unreviewed += n
	}
	red.Size = counter.n
	red.Hash = hex.EncodeToString(h.Sum(nil))
	return red, nil
}

// lineStart returns the offset of the start of the line that holds offset off.
func (s *LogService) lineStart(ctx context.Context, key string, off int64) (int64, error) {
	r, err := openGzipObject(ctx, s.blobs, key)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	buf := make([]byte, 64<<10)
	var pos, start int64
	for pos < off {
		n, err := r.Read(buf[:min(int64(len(buf)), off-pos)])
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			start = pos + int64(i) + 1
		}
		pos += int64(n)
		if err == io.EOF {
			break
		} else if err != nil {
			return 0, textReadError(err)
		}
	}
	return start, nil
}

// countingWriter counts what is written to it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// spanReplacer writes a stream to w with each span replaced by its token. From offset tail on
// (tail >= 0) it leaves the spans aside and redacts every value the detector finds instead.
type spanReplacer struct {
	w     io.Writer
	spans []*PIISpan
	i     int
	off   int64
	tail  int64

	redact     *pii.RedactWriter
	scan       *pii.Scanner
	tailCounts map[string]int
}

func newSpanReplacer(w io.Writer, spans []*PIISpan, tail int64) *spanReplacer {
	return &spanReplacer{w: w, spans: spans, tail: tail, tailCounts: map[string]int{}}
}

// Write replaces the spans in p, the next part of the stream.
func (r *spanReplacer) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if r.tail >= 0 && r.off >= r.tail {
			return n, r.writeTail(p)
		}
		limit := int64(len(p))
		if r.tail >= 0 {
			limit = min(limit, r.tail-r.off)
		}
		for r.i < len(r.spans) && r.spans[r.i].Start < r.off && r.spans[r.i].End <= r.off {
			r.i++ // a span behind us: overlapping or out of order, already covered
		}
		if r.i < len(r.spans) {
			sp := r.spans[r.i]
			if r.off < sp.Start {
				limit = min(limit, sp.Start-r.off)
			} else {
				// Inside a span: its token went out when it began; skip its bytes.
				skip := min(int64(len(p)), sp.End-r.off)
				p, r.off = p[skip:], r.off+skip
				if r.off >= sp.End {
					r.i++
				}
				continue
			}
		}
		if _, err := r.w.Write(p[:limit]); err != nil {
			return 0, err
		}
		p, r.off = p[limit:], r.off+limit
		if r.i < len(r.spans) && r.off == r.spans[r.i].Start && (r.tail < 0 || r.off < r.tail) {
			if _, err := io.WriteString(r.w, pii.Type(r.spans[r.i].PIIType).Token()); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

// writeTail passes p through the detector's redaction, counting what it finds.
func (r *spanReplacer) writeTail(p []byte) error {
	if r.redact == nil {
		r.redact = pii.NewRedactWriter(r.w)
		r.scan = pii.NewScanner()
	}
	r.off += int64(len(p))
	if _, err := r.redact.Write(p); err != nil {
		return err
	}
	r.scan.Write(p)
	r.countTail()
	return nil
}

func (r *spanReplacer) countTail() {
	for _, sp := range r.scan.Spans() {
		r.tailCounts[string(sp.Type)]++
	}
}

// Close flushes the detector's redaction of the tail.
func (r *spanReplacer) Close() error {
	if r.redact == nil {
		return nil
	}
	r.scan.Close()
	r.countTail()
	return r.redact.Close()
}

// DetectPII runs the detector again over a log that is not redacted yet and records the
// result: values found again keep their review, new ones are approved, values no longer found
// are dropped. It returns the stored spans with their values read from the text, for a
// reviewer; the values are never stored.
func (s *LogService) DetectPII(ctx context.Context, logID string) (*LogFile, []*PIISpan, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, nil, err
	}
	l, err := s.store.FindLogByID(ctx, logID)
	if err != nil {
		return nil, nil, err
	}
	if l.Redacted {
		return nil, nil, Errorf(ECONFLICT, "Redactions were already applied to this log; its review is closed.")
	}
	r, err := openGzipObject(ctx, s.blobs, l.ObjectKey)
	if err != nil {
		return nil, nil, err
	}
	sink := &textSink{limit: 1 << 62, scanner: pii.NewScanner(), maxSpans: s.limits().MaxSpans, summary: map[string]int{}}
	_, err = io.Copy(writerFunc(func(p []byte) (int, error) {
		sink.scanner.Write(p)
		sink.collect(sink.scanner.Spans())
		return len(p), nil
	}), r)
	r.Close()
	if err != nil {
		return nil, nil, textReadError(err)
	}
	sink.scanner.Close()
	sink.collect(sink.scanner.Spans())
	if err := s.store.ReplaceLogSpans(ctx, l.ID, sink.spans, sink.summary, sink.truncated); err != nil {
		return nil, nil, err
	}
	spans, err := s.store.FindLogSpans(ctx, l.ID, 0, -1)
	if err != nil {
		return nil, nil, err
	}
	if err := s.fillOriginals(ctx, l.ObjectKey, spans); err != nil {
		return nil, nil, err
	}
	return l, spans, nil
}

// fillOriginals reads the values of sorted, non-overlapping spans from a log's text.
func (s *LogService) fillOriginals(ctx context.Context, key string, spans []*PIISpan) error {
	if len(spans) == 0 {
		return nil
	}
	r, err := openGzipObject(ctx, s.blobs, key)
	if err != nil {
		return err
	}
	defer r.Close()
	var off int64
	i := 0
	var cur []byte
	_, err = io.Copy(writerFunc(func(p []byte) (int, error) {
		n := len(p)
		for len(p) > 0 && i < len(spans) {
			sp := spans[i]
			if off < sp.Start {
				skip := min(int64(len(p)), sp.Start-off)
				p, off = p[skip:], off+skip
				continue
			}
			take := min(int64(len(p)), sp.End-off)
			cur = append(cur, p[:take]...)
			p, off = p[take:], off+take
			if off >= sp.End {
				sp.Original = string(cur)
				cur = cur[:0]
				i++
			}
		}
		off += int64(len(p))
		return n, nil
	}), r)
	if err != nil {
		return textReadError(err)
	}
	return nil
}

// writerFunc is a function that is an io.Writer.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
