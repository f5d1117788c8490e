package pii

import "io"

// Scanner finds sensitive values in a stream written to it in chunks of any
// size. It reports the same spans, with offsets from the start of the
// stream, as Detect on the whole input. It buffers up to the last complete
// line (lines longer than 256 KiB are cut, as in Detect), plus up to 64 KiB
// after the start of a private key block.
//
// A Scanner is not safe for concurrent use.
type Scanner struct {
	d      detector
	buf    []byte
	base   int // absolute offset of buf[0]
	retry  int // buffer length worth another attempt
	spans  []Span
	closed bool

	// sink, if set, receives every finished part of the stream with the
	// spans inside it.
	sink func(chunk []byte, base int, spans []Span) error
	err  error
}

// NewScanner returns an empty Scanner.
func NewScanner() *Scanner {
	return &Scanner{}
}

// Write adds p to the stream. It fails only after Close or when the
// destination of a RedactWriter fails.
func (s *Scanner) Write(p []byte) (int, error) {
	if s.closed {
		return 0, io.ErrClosedPipe
	}
	if s.err != nil {
		return 0, s.err
	}
	s.buf = append(s.buf, p...)
	if len(s.buf) >= s.retry {
		s.process(false)
	}
	return len(p), s.err
}

// Close ends the stream and finishes scanning the buffered input.
func (s *Scanner) Close() error {
	if s.closed {
		return s.err
	}
	s.process(true)
	s.closed = true
	return s.err
}

// Spans returns the spans found since the previous call, sorted and
// non-overlapping, with offsets from the start of the stream. Spans near the
// end of the data written so far may only appear after more writes or
// Close.
func (s *Scanner) Spans() []Span {
	out := s.spans
	s.spans = nil
	return out
}

// process runs the detector over the buffer and drops the finished part.
func (s *Scanner) process(eof bool) {
	s.d.out = s.d.out[:0]
	n := s.d.run(s.buf, s.base, eof)
	found := s.d.out
	if s.sink != nil && n > 0 && s.err == nil {
		s.err = s.sink(s.buf[:n], s.base, found)
	} else {
		s.spans = append(s.spans, found...)
	}
	if n > 0 {
		s.buf = s.buf[:copy(s.buf, s.buf[n:])]
		s.base += n
	}
	// Waiting for a good amount of new data keeps tiny writes from
	// rescanning a long pending line over and over.
	s.retry = len(s.buf) + max(4096, len(s.buf)/2)
	if n > 0 {
		s.retry = 0
	}
}

// RedactWriter redacts a stream: everything written to it reaches the
// underlying writer with each detected span replaced by its token, exactly
// as Redact(text, Detect(text)) would produce. Output lags input by the
// unfinished last line, a private key block, or a few KiB when writes are
// tiny; Close flushes it.
type RedactWriter struct {
	s   Scanner
	w   io.Writer
	out []byte
}

// NewRedactWriter returns a RedactWriter that writes to w.
func NewRedactWriter(w io.Writer) *RedactWriter {
	r := &RedactWriter{w: w}
	r.s.sink = r.emit
	return r
}

// Write redacts p as part of the stream.
func (r *RedactWriter) Write(p []byte) (int, error) {
	return r.s.Write(p)
}

// Close flushes the rest of the stream. It does not close the underlying
// writer.
func (r *RedactWriter) Close() error {
	return r.s.Close()
}

// emit writes one finished part of the stream.
func (r *RedactWriter) emit(chunk []byte, base int, spans []Span) error {
	r.out = appendRedacted(r.out[:0], chunk, base, spans)
	_, err := r.w.Write(r.out)
	return err
}

// SpanWriter scans a stream and hands each finished part of it, with the spans inside, to a
// function as soon as it is complete: what a scan of a file larger than memory needs. The
// chunk is only valid during the call.
type SpanWriter struct {
	s Scanner
}

// NewSpanWriter returns a SpanWriter that calls fn with each finished chunk, the offset of its
// first byte in the stream, and its spans (offsets from the start of the stream).
func NewSpanWriter(fn func(chunk []byte, base int, spans []Span) error) *SpanWriter {
	w := &SpanWriter{}
	w.s.sink = fn
	return w
}

// Write scans p as part of the stream.
func (w *SpanWriter) Write(p []byte) (int, error) { return w.s.Write(p) }

// Close scans the rest of the stream.
func (w *SpanWriter) Close() error { return w.s.Close() }
