package domain

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// LogPage is one page of a log's text, with the detected values that overlap it. Pages are
// about LogPageBytes long and end at a line break where the text has one near the nominal
// boundary; offsets are bytes.
type LogPage struct {
	// Number counts from 1 to Count.
	Number int
	Count  int
	// Start and End are the page's byte offsets into the text.
	Start, End int64
	Text       string
	// Spans overlap the page, with offsets into the whole text. They are empty for the
	// redacted text, whose offsets differ from the original's.
	Spans []*PIISpan
	// Redacted says the text is the redacted text; Original that it is an admin's view of the
	// original of a redacted log.
	Redacted bool
	Original bool
	// Masked says the text is the detector's masked text (every detected value replaced): what
	// a viewer sees of a log nobody has reviewed yet, since the originals are for the
	// responders who review it.
	Masked bool
}

// Page returns page n (from 1, clamped to the pages there are) of a log's text: the redacted
// text once redactions are applied, the original before. With original set, an admin reads the
// original of a redacted log, and each such view is audited.
func (s *LogService) Page(ctx context.Context, id string, n int, original bool) (*LogFile, *LogPage, error) {
	l, err := s.store.FindLogByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	key, err := s.textKey(ctx, l, original, "page")
	if err != nil {
		return nil, nil, err
	}
	size := l.SizeBytes
	p := &LogPage{Redacted: l.Redacted && !original, Original: l.Redacted && original}
	if p.Redacted {
		size = l.RedactedSize
	}
	p.Count = int(max(1, (size+LogPageBytes-1)/LogPageBytes))
	p.Number = min(max(n, 1), p.Count)
	k := int64(p.Number - 1)

	r, err := openGzipObject(ctx, s.blobs, key)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	base := max(0, k*LogPageBytes-1)
	if _, err := io.CopyN(io.Discard, r, base); err != nil && err != io.EOF {
		return nil, nil, textReadError(err)
	}
	buf := make([]byte, (k+2)*LogPageBytes-base)
	m, err := io.ReadFull(r, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, nil, textReadError(err)
	}
	buf = buf[:m]
	text := base + int64(len(buf)) // the end of what was read
	p.Start = pageStart(buf, base, k, text)
	p.End = min(text, size)
	if int64(p.Number) < int64(p.Count) {
		p.End = pageStart(buf, base, k+1, text)
	}
	if p.End < p.Start {
		p.End = p.Start
	}
	p.Text = string(buf[p.Start-base : p.End-base])
	if !p.Redacted {
		if p.Spans, err = s.store.FindLogSpans(ctx, l.ID, p.Start, p.End); err != nil {
			return nil, nil, err
		}
		if !canSeeOriginals(ctx, l) {
			p.Text, p.Spans, p.Masked = maskPage(p.Text, p.Start, p.Spans), nil, true
		}
	}
	return l, p, nil
}

// pageStart returns the offset where page k begins: just after the first line break in
// [k·LogPageBytes-1, (k+1)·LogPageBytes-1), or the nominal boundary moved to the next
// character when that stretch has no line break. buf holds the text from offset base up to
// end.
func pageStart(buf []byte, base, k, end int64) int64 {
	if k == 0 {
		return 0
	}
	lo, hi := k*LogPageBytes, min((k+1)*LogPageBytes, end)
	if lo >= end {
		return end
	}
	if i := bytes.IndexByte(buf[lo-1-base:hi-1-base], '\n'); i >= 0 {
		return lo + int64(i)
	}
	q := lo
	for q < hi && !utf8.RuneStart(buf[q-base]) {
		q++
	}
	return q
}

// gzipObject is a stored object's decompressed content.
type gzipObject struct {
	*gzip.Reader
	obj io.ReadCloser
}

func (g *gzipObject) Close() error {
	g.Reader.Close()
	return g.obj.Close()
}

// openGzipObject opens a stored gzip object and decompresses it as it is read.
func openGzipObject(ctx context.Context, blobs BlobStore, key string) (io.ReadCloser, error) {
	obj, err := blobs.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(obj)
	if err != nil {
		obj.Close()
		return nil, textReadError(err)
	}
	return &gzipObject{Reader: zr, obj: obj}, nil
}

// textReadError reports a failure to read a stored log: the store's own errors as they are,
// anything else as damage to the stored object.
func textReadError(err error) error {
	var derr *Error
	if errors.As(err, &derr) || errors.Is(err, context.Canceled) {
		return err
	}
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
		return fmt.Errorf("stored log is damaged: %w", err)
	}
	return fmt.Errorf("%w: %v", Errorf(EUNAVAILABLE, "File storage is unavailable. Try again shortly."), err)
}
