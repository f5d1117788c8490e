package domain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"tftsr/domain/pii"
)

// Review by value: the detected values of a log under review, each distinct value once with
// how often it occurs, so that a reviewer decides a value (or a type) once for the whole log
// instead of page by page.

// LogValuesPerPage is the number of distinct values a page of the value list shows.
const LogValuesPerPage = 50

// MaxValueSearchLen bounds the text a value list is filtered by.
const MaxValueSearchLen = 200

// valueShownBytes bounds the part of a value the list shows; snippetContext is how much text
// on each side of a value its snippet shows at most (cut at line breaks).
const (
	valueShownBytes = 160
	snippetContext  = 60
)

// PIIValue is one distinct detected value of a log with its review: Count occurrences, of
// which Approved are to be redacted and Decided were decided by a reviewer (an undecided
// occurrence is redacted when the review is applied). Key identifies the value within its log
// without holding it: a SHA-256 of the log's id and the value, in hex.
type PIIValue struct {
	Key      string
	PIIType  string
	Count    int
	Approved int
	Decided  int
	// Samples are the first occurrences (at most two), by offset.
	Samples []TextRange
	// Value is the value as the list shows it (clipped when long); Snippets are the text
	// around its samples. Both are filled by LogService.Values.
	Value    string
	Snippets []ValueSnippet
}

// Kept is the number of occurrences kept as not sensitive.
func (v *PIIValue) Kept() int { return v.Count - v.Approved }

// AllRedacted says every occurrence is decided for redaction; AllKept that every one is kept.
func (v *PIIValue) AllRedacted() bool { return v.Decided == v.Count && v.Approved == v.Count }

// AllKept says every occurrence of the value is kept.
func (v *PIIValue) AllKept() bool { return v.Approved == 0 }

// TextRange is a stretch of a log's text by byte offsets, End exclusive.
type TextRange struct{ Start, End int64 }

// ValueSnippet is the text around one occurrence of a value: a line or less.
type ValueSnippet struct {
	Before, Value, After string
}

// LogValueFilter selects the values of a log's value list.
type LogValueFilter struct {
	// PIIType keeps the values of one type; "" every type.
	PIIType string
	// Search keeps the values that contain it (case-insensitive).
	Search  string
	Page    int
	PerPage int
}

// LogValues is a page of a log's value list.
type LogValues struct {
	Values []*PIIValue
	Total  int
	Filter LogValueFilter
}

// LogValueStore keeps the value keys of a log's spans and lists them by value. Changes need a
// responder and a log under review.
type LogValueStore interface {
	// FindUnkeyedSpans returns the spans of a log under review whose value key is not known
	// yet, sorted by start.
	FindUnkeyedSpans(ctx context.Context, logID string) ([]*PIISpan, error)
	// SetSpanValueKeys stores the value keys of spans (by span id), in one statement.
	SetSpanValueKeys(ctx context.Context, logID string, keys map[string][]byte) error
	// FindLogValues returns the distinct values of a log (type filter only; all of them when
	// f.PerPage is 0) and how many there are.
	FindLogValues(ctx context.Context, logID string, f LogValueFilter) ([]*PIIValue, int, error)
	// FindNextUnreviewedLog returns the log to review after l: the oldest log of l's incident
	// not reviewed yet, else the oldest of any incident; ENOTFOUND when there is none.
	FindNextUnreviewedLog(ctx context.Context, l *LogFile) (*LogFile, error)
}

// ValueKey returns the key of a value in a log: a SHA-256 of the log's id and the value.
func ValueKey(logID string, value []byte) []byte {
	h := sha256.New()
	h.Write([]byte(logID))
	h.Write([]byte{0})
	h.Write(value)
	return h.Sum(nil)
}

// ValidValueKey reports whether k is a value key in hex.
func ValidValueKey(k string) bool {
	b, err := hex.DecodeString(k)
	return err == nil && len(b) == sha256.Size
}

// PIITypeName is the name of a detected type as people read it, such as "Email address" for
// Email.
func PIITypeName(t string) string {
	if n, ok := piiTypeNames[pii.Type(t)]; ok {
		return n
	}
	return t
}

var piiTypeNames = map[pii.Type]string{
	pii.PrivateKey: "Private key", pii.ConnectionString: "Connection string",
	pii.URLCredentials: "Credentials in a URL", pii.SlackToken: "Slack token", pii.JWT: "JSON Web Token",
	pii.AWSAccessKey: "AWS access key", pii.AWSSecretKey: "AWS secret key", pii.GitHubToken: "GitHub token",
	pii.GitLabToken: "GitLab token", pii.BearerToken: "Bearer token", pii.APIKey: "API key",
	pii.Password: "Password", pii.Secret: "Secret", pii.Email: "Email address", pii.CreditCard: "Card number",
	pii.SSN: "Social Security number", pii.Phone: "Phone number", pii.MAC: "MAC address",
	pii.IPv6: "IPv6 address", pii.IPv4: "IPv4 address", pii.Hostname: "Host name",
}

// valueStore returns the store's value port.
func (s *LogService) valueStore() (LogValueStore, error) {
	vs, ok := s.store.(LogValueStore)
	if !ok {
		return nil, Errorf(EUNAVAILABLE, "Review by value is not available.")
	}
	return vs, nil
}

// Values returns a page of the distinct detected values of a log under review, each with its
// first occurrences in context. Only responders see it (the values are originals), and only
// while the log is under review.
func (s *LogService) Values(ctx context.Context, logID string, f LogValueFilter) (*LogValues, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, err
	}
	vs, err := s.valueStore()
	if err != nil {
		return nil, err
	}
	l, err := s.store.FindLogByID(ctx, logID)
	if err != nil {
		return nil, err
	}
	if l.Redacted {
		return nil, Errorf(ECONFLICT, "Redactions were already applied to this log; its review is closed.")
	}
	if f.PIIType != "" && !pii.Type(f.PIIType).Valid() {
		return nil, Invalid("Unknown type.", map[string]string{"type": "Pick a type from the list."})
	}
	f.Search = strings.TrimSpace(f.Search)
	if len(f.Search) > MaxValueSearchLen {
		f.Search = string(cutUTF8([]byte(f.Search), MaxValueSearchLen))
	}
	f.Page = max(f.Page, 1)
	if f.PerPage <= 0 {
		f.PerPage = LogValuesPerPage
	}
	if err := s.ensureValueKeys(ctx, vs, l); err != nil {
		return nil, err
	}
	out := &LogValues{Filter: f}
	if f.Search == "" {
		if out.Values, out.Total, err = vs.FindLogValues(ctx, l.ID, f); err != nil {
			return nil, err
		}
	} else {
		all := f
		all.PerPage = 0
		vals, _, err := vs.FindLogValues(ctx, l.ID, all)
		if err != nil {
			return nil, err
		}
		if err := s.fillValues(ctx, l, vals, false); err != nil {
			return nil, err
		}
		needle := strings.ToLower(f.Search)
		vals = slices.DeleteFunc(vals, func(v *PIIValue) bool { return !strings.Contains(strings.ToLower(v.Value), needle) })
		out.Total = len(vals)
		from := min((f.Page-1)*f.PerPage, len(vals))
		out.Values = vals[from:min(from+f.PerPage, len(vals))]
	}
	if err := s.fillValues(ctx, l, out.Values, true); err != nil {
		return nil, err
	}
	return out, nil
}

// ensureValueKeys computes and stores the value keys of the spans of l that have none yet,
// reading the text once.
func (s *LogService) ensureValueKeys(ctx context.Context, vs LogValueStore, l *LogFile) error {
	spans, err := vs.FindUnkeyedSpans(ctx, l.ID)
	if err != nil || len(spans) == 0 {
		return err
	}
	ranges := make([]TextRange, len(spans))
	for i, sp := range spans {
		ranges[i] = TextRange{sp.Start, sp.End}
	}
	texts, err := s.readRanges(ctx, l.ObjectKey, ranges)
	if err != nil {
		return err
	}
	keys := make(map[string][]byte, len(spans))
	for _, sp := range spans {
		keys[sp.ID] = ValueKey(l.ID, []byte(texts[TextRange{sp.Start, sp.End}]))
	}
	return vs.SetSpanValueKeys(ctx, l.ID, keys)
}

// fillValues reads the values of vals from l's text and, with snippets, the text around their
// samples.
func (s *LogService) fillValues(ctx context.Context, l *LogFile, vals []*PIIValue, snippets bool) error {
	var ranges []TextRange
	for _, v := range vals {
		for i, r := range v.Samples {
			if snippets {
				ranges = append(ranges, snippetRange(r))
			} else if i == 0 {
				ranges = append(ranges, valueRange(r))
			}
		}
	}
	texts, err := s.readRanges(ctx, l.ObjectKey, ranges)
	if err != nil {
		return err
	}
	for _, v := range vals {
		v.Snippets = nil
		for i, r := range v.Samples {
			if !snippets {
				if i == 0 {
					v.Value = clipValue(texts[valueRange(r)], r)
				}
				continue
			}
			sr := snippetRange(r)
			sn := makeSnippet(texts[sr], sr, r)
			if i == 0 {
				v.Value = sn.Value
			}
			v.Snippets = append(v.Snippets, sn)
		}
	}
	return nil
}

// valueRange is the part of a value the list shows.
func valueRange(r TextRange) TextRange {
	return TextRange{r.Start, min(r.End, r.Start+valueShownBytes+utf8.UTFMax)}
}

// snippetRange is the stretch of text read for the snippet of an occurrence.
func snippetRange(r TextRange) TextRange {
	v := valueRange(r)
	return TextRange{max(0, r.Start-snippetContext-utf8.UTFMax), v.End + snippetContext + utf8.UTFMax}
}

// clipValue cuts the text read for a value to what the list shows, marking a cut with "…".
func clipValue(s string, r TextRange) string {
	if r.End-r.Start > valueShownBytes && len(s) > valueShownBytes {
		return string(cutUTF8([]byte(s), valueShownBytes)) + "…"
	}
	return s
}

// makeSnippet cuts the text read over sr around the occurrence r: at most snippetContext bytes
// on each side, not past a line break, on whole characters.
func makeSnippet(text string, sr, r TextRange) ValueSnippet {
	vs := int(min(r.Start-sr.Start, int64(len(text))))
	ve := int(min(valueRange(r).End-sr.Start, int64(len(text))))
	before, value, after := text[:vs], text[vs:ve], text[ve:]
	if i := strings.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	if len(before) > snippetContext {
		before = before[len(before)-snippetContext:]
		for len(before) > 0 && !utf8.RuneStart(before[0]) {
			before = before[1:]
		}
		before = "…" + before
	}
	if r.End > valueRange(r).End {
		after = "" // the value goes on past what is shown
	} else if i := strings.IndexAny(after, "\r\n"); i >= 0 {
		after = after[:i]
	} else if len(after) > snippetContext {
		after = string(cutUTF8([]byte(after), snippetContext)) + "…"
	}
	return ValueSnippet{Before: before, Value: clipValue(value, r), After: after}
}

// readRanges reads stretches of a stored log's text in one pass and returns each by its range;
// ranges past the end are cut to it.
func (s *LogService) readRanges(ctx context.Context, key string, ranges []TextRange) (map[TextRange]string, error) {
	out := make(map[TextRange]string, len(ranges))
	if len(ranges) == 0 {
		return out, nil
	}
	sorted := slices.Clone(ranges)
	slices.SortFunc(sorted, func(a, b TextRange) int {
		if a.Start != b.Start {
			return int(a.Start - b.Start)
		}
		return int(a.End - b.End)
	})
	sorted = slices.Compact(sorted)
	// Overlapping ranges are read as one stretch.
	type union struct {
		TextRange
		members []TextRange
	}
	var unions []union
	for _, r := range sorted {
		if n := len(unions); n > 0 && r.Start <= unions[n-1].End {
			u := &unions[n-1]
			u.End = max(u.End, r.End)
			u.members = append(u.members, r)
			continue
		}
		unions = append(unions, union{TextRange: r, members: []TextRange{r}})
	}
	rd, err := openGzipObject(ctx, s.blobs, key)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var pos int64
	buf := []byte{}
	for _, u := range unions {
		if _, err := io.CopyN(io.Discard, rd, u.Start-pos); err != nil {
			if err == io.EOF {
				break
			}
			return nil, textReadError(err)
		}
		pos = u.Start
		buf = slices.Grow(buf[:0], int(u.End-u.Start))[:u.End-u.Start]
		n, err := io.ReadFull(rd, buf)
		pos += int64(n)
		for _, m := range u.members {
			a, b := min(int(m.Start-u.Start), n), min(int(m.End-u.Start), n)
			out[m] = string(buf[a:b])
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		} else if err != nil {
			return nil, textReadError(err)
		}
	}
	return out, nil
}

// NextUnreviewedLog returns the log to review after l (see LogValueStore), or ENOTFOUND.
func (s *LogService) NextUnreviewedLog(ctx context.Context, l *LogFile) (*LogFile, error) {
	vs, err := s.valueStore()
	if err != nil {
		return nil, err
	}
	return vs.FindNextUnreviewedLog(ctx, l)
}
