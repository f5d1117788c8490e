package pii

// Redact returns a copy of text with every span replaced by its type's
// token. Spans must be sorted by Start and must not overlap; a span that is
// out of bounds, empty, of an unknown type, or that starts before the end of
// the previous accepted span is skipped.
func Redact(text []byte, spans []Span) []byte {
	out := make([]byte, 0, len(text))
	return appendRedacted(out, text, 0, spans)
}

// appendRedacted appends text, whose first byte is at absolute offset base,
// to out with the spans replaced, and returns the extended slice.
func appendRedacted(out, text []byte, base int, spans []Span) []byte {
	prev := 0
	for _, sp := range spans {
		s, e := sp.Start-base, sp.End-base
		if s < prev || e <= s || e > len(text) {
			continue
		}
		k, ok := kindOf(sp.Type)
		if !ok {
			continue
		}
		out = append(out, text[prev:s]...)
		out = append(out, kindTokens[k]...)
		prev = e
	}
	return append(out, text[prev:]...)
}
