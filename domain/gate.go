package domain

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"unsafe"

	"tftsr/domain/pii"
)

// RedactedText is text that has passed the redaction gate: every value the PII detector finds
// (or, for a reviewed log, every value the reviewer approved) is replaced by its token. Its
// fields are unexported so that only the gate makes one: whatever sends text out of the portal
// (AI providers, MCP tools, integrations) takes a RedactedText, never a string.
type RedactedText struct {
	text      string
	piiTypes  []string
	truncated bool
}

// String returns the redacted text.
func (t RedactedText) String() string { return t.text }

// PIITypes lists the types of the values replaced in the text, in the detector's priority order.
func (t RedactedText) PIITypes() []string { return t.piiTypes }

// Redacted reports whether any value was replaced.
func (t RedactedText) Redacted() bool { return len(t.piiTypes) > 0 }

// Truncated reports whether the text was cut to the size asked for.
func (t RedactedText) Truncated() bool { return t.truncated }

// RedactionGate is the one way text leaves the portal. Typed text is redacted automatically;
// a log's text is the redacted object once a reviewer applied redactions, and before that the
// original with every detected value replaced. Detection always runs over the whole text before
// it is cut to size, so a value straddling the cut is never half sent.
type RedactionGate struct {
	logs  LogStore
	blobs BlobStore
}

// Text redacts typed text, such as a chat message: every detected value is replaced, bare
// random-looking secrets included (pii.DetectText). Invalid UTF-8 is replaced first.
func (g *RedactionGate) Text(s string) RedactedText {
	b := []byte(strings.ToValidUTF8(s, replacementChar))
	spans := pii.DetectText(b)
	out := pii.Redact(b, spans)
	seen := map[pii.Type]bool{}
	for _, sp := range spans {
		seen[sp.Type] = true
	}
	var types []string
	for _, t := range pii.Types() {
		if seen[t] {
			types = append(types, string(t))
		}
	}
	return RedactedText{text: string(out), piiTypes: types}
}

// Log returns a log's text for use outside the portal, cut to at most maxBytes on a character
// boundary (maxBytes <= 0: the whole text). The caller needs to be allowed to read the log.
func (g *RedactionGate) Log(ctx context.Context, logID string, maxBytes int) (RedactedText, error) {
	l, err := g.logs.FindLogByID(ctx, logID)
	if err != nil {
		return RedactedText{}, err
	}
	limit := -1
	if maxBytes > 0 {
		limit = maxBytes + 4 // enough to know whether there is more
	}
	buf := &cappedBuffer{max: limit}
	// The text is about the log's size (tokens differ in length from the values they replace):
	// one allocation instead of a doubling buffer.
	if size := l.SizeBytes + l.SizeBytes/16; size > 0 && (limit < 0 || size < int64(limit)) {
		buf.b.Grow(int(size))
	} else if limit > 0 {
		buf.b.Grow(limit)
	}
	if l.Redacted {
		r, err := openGzipObject(ctx, g.blobs, l.RedactedObjectKey)
		if err != nil {
			return RedactedText{}, err
		}
		defer r.Close()
		if _, err := io.Copy(buf, r); err != nil && err != errEnough {
			return RedactedText{}, textReadError(err)
		}
	} else {
		r, err := openGzipObject(ctx, g.blobs, l.ObjectKey)
		if err != nil {
			return RedactedText{}, err
		}
		defer r.Close()
		rw := pii.NewRedactWriter(buf)
		_, err = io.Copy(rw, r)
		if err == nil {
			err = rw.Close()
		}
		if err != nil && err != errEnough {
			return RedactedText{}, textReadError(err)
		}
	}
	out, truncated := buf.b.Bytes(), false
	if maxBytes > 0 && len(out) > maxBytes {
		out, truncated = cutUTF8(out, maxBytes), true
	}
	// The buffer is this call's alone and is not written again: the text shares its bytes
	// instead of copying what may be tens of megabytes.
	text := unsafe.String(unsafe.SliceData(out), len(out))
	return RedactedText{text: text, piiTypes: tokenTypes(out), truncated: truncated}, nil
}

// derived returns text built only from what the gate produced (a log's text from Log, typed text
// from Text) and the portal's own words and numbers, as it leaves the portal: the detector does
// not run over it again. That is what makes a reviewer's Keep mean kept: a reviewed log's text is
// exactly what its reviewer approved, the values they kept included, and detecting again would
// replace those. Its types are those of the tokens it holds.
func derived(s string) RedactedText { return RedactedText{text: s, piiTypes: tokenTypes([]byte(s))} }

// tokenTypes lists the types whose tokens appear in redacted text.
func tokenTypes(text []byte) []string {
	var types []string
	for _, t := range pii.Types() {
		if bytes.Contains(text, []byte(t.Token())) {
			types = append(types, string(t))
		}
	}
	return types
}

// errEnough stops a copy into a cappedBuffer that is full.
var errEnough = errors.New("enough text")

// cappedBuffer keeps at most max bytes (max < 0: all) and then fails with errEnough.
type cappedBuffer struct {
	b   bytes.Buffer
	max int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if c.max < 0 {
		return c.b.Write(p)
	}
	room := c.max - c.b.Len()
	if len(p) <= room {
		return c.b.Write(p)
	}
	c.b.Write(p[:max(room, 0)])
	return max(room, 0), errEnough
}

// PIIMatch is a value found by ScanPII, in the shape `tftsr pii scan --json` prints: byte
// offsets into the scanned text, End exclusive.
type PIIMatch struct {
	Type        string `json:"type"`
	Start       int    `json:"start"`
	End         int    `json:"end"`
	Text        string `json:"text"`
	Replacement string `json:"replacement"`
}

// PIIScan is what ScanPII found in a text, and the text with every value replaced.
type PIIScan struct {
	Spans        []PIIMatch `json:"spans"`
	TotalFound   int        `json:"total_found"`
	RedactedText string     `json:"redacted_text"`
}

// ScanPII finds the sensitive values in text, for someone checking a text before sharing it:
// what the gate finds in typed text (pii.DetectText). It stores nothing; the values go back only
// to the caller who sent them.
func ScanPII(text string) PIIScan {
	b := []byte(text)
	spans := pii.DetectText(b)
	out := PIIScan{Spans: make([]PIIMatch, len(spans)), TotalFound: len(spans), RedactedText: string(pii.Redact(b, spans))}
	for i, sp := range spans {
		out.Spans[i] = PIIMatch{Type: string(sp.Type), Start: sp.Start, End: sp.End, Text: text[sp.Start:sp.End], Replacement: sp.Type.Token()}
	}
	return out
}

// MergePIITypes returns the PII types of a and b, each once: known types in the detector's
// priority order, then any others in the order given.
func MergePIITypes(a, b []string) []string {
	all := slices.Concat(a, b)
	seen := map[string]bool{}
	for _, t := range all {
		seen[t] = true
	}
	var out []string
	for _, t := range pii.Types() {
		if seen[string(t)] {
			out = append(out, string(t))
			delete(seen, string(t))
		}
	}
	for _, t := range all {
		if seen[t] {
			out = append(out, t)
			delete(seen, t)
		}
	}
	return out
}
