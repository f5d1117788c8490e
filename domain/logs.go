package domain

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"tftsr/domain/pii"
)

// LogLimits bounds what log uploads may hold. A zero field takes its default.
type LogLimits struct {
	// MaxBytes bounds the text of one log once decompressed. Default 100 MiB.
	MaxBytes int64
	// MaxMembers bounds the files of one zip archive. Default 100.
	MaxMembers int
	// MaxTotalBytes bounds the text that one upload extracts in all. Default 1 GiB.
	MaxTotalBytes int64
	// MaxUploadBytes bounds the request body of one upload, and so the zip archives spooled to
	// disk. Default 256 MiB.
	MaxUploadBytes int64
	// MaxSpans bounds the detected values kept per log for review one by one. Values past it
	// are counted, and redacted without review when redactions are applied. Default 100,000.
	MaxSpans int
}

// Default log limits.
const (
	DefaultLogMaxBytes       = 100 << 20
	DefaultLogMaxMembers     = 100
	DefaultLogMaxTotalBytes  = 1 << 30
	DefaultLogMaxUploadBytes = 256 << 20
	DefaultLogMaxSpans       = 100_000
)

// WithDefaults returns l with every zero field set to its default.
func (l LogLimits) WithDefaults() LogLimits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLogMaxBytes
	}
	if l.MaxMembers <= 0 {
		l.MaxMembers = DefaultLogMaxMembers
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = DefaultLogMaxTotalBytes
	}
	if l.MaxUploadBytes <= 0 {
		l.MaxUploadBytes = DefaultLogMaxUploadBytes
	}
	if l.MaxSpans <= 0 {
		l.MaxSpans = DefaultLogMaxSpans
	}
	return l
}

// MaxSearchTextBytes bounds the prefix of a log's text that is indexed for search. The indexed
// text has every detected value replaced by its token, so raw values are never indexed.
const MaxSearchTextBytes = 256 << 10

// LogPageBytes is the nominal size of a page of a log's text on the review page.
const LogPageBytes = 64 << 10

// NewLog is a log whose text is stored, ready for its row: the store inserts it with its
// spans, a log_uploaded timeline event and an audit entry.
type NewLog struct {
	Log *LogFile
	// Spans are the detected values kept for review, sorted by start.
	Spans []pii.Span
	// SearchText is the indexed prefix of the text, redacted.
	SearchText string
}

// LogFilter selects logs for a list.
type LogFilter struct {
	// Search matches file names and the indexed, redacted text.
	Search  string
	IssueID string
	Page    int
	PerPage int
}

// SpanSelection picks the spans of a log that a review decision applies to: one span by id,
// every occurrence of a value (by its ValueKey, in hex), every span of a type, or, with all
// empty, every span.
type SpanSelection struct {
	SpanID   string
	ValueKey string
	PIIType  string
}

// PIITypeCount is how many values of a type a log holds and how many of them are approved for
// redaction.
type PIITypeCount struct {
	PIIType  string `json:"pii_type"`
	Count    int    `json:"count"`
	Approved int    `json:"approved"`
	// Decided counts the values a reviewer decided; the others are approved.
	Decided int `json:"decided"`
}

// Redaction is what applying redactions wrote: the redacted text's object, size and SHA-256,
// and what was replaced.
type Redaction struct {
	ObjectKey string
	Size      int64
	Hash      string
	// AppliedSpanIDs are the reviewed spans that were replaced.
	AppliedSpanIDs []string
	// AppliedByType counts every replaced value by type, reviewed or not.
	AppliedByType map[string]int
	// Unreviewed counts the values replaced past the reviewed spans of a truncated log.
	Unreviewed int
}

// LogStore keeps the rows of logs and their detected values. Reads need a viewer, changes a
// responder; each change is audited in its transaction.
type LogStore interface {
	// NewLogID returns a new id for a log, so that its object can be stored before its row.
	NewLogID() string
	// CheckIssue returns the canonical id of an incident that logs may be added to, or
	// ENOTFOUND.
	CheckIssue(ctx context.Context, issueID string) (string, error)
	// CreateLogs inserts the rows of logs whose objects are stored, with their spans, a
	// log_uploaded event each and their audit entries, in one transaction.
	CreateLogs(ctx context.Context, logs []*NewLog) ([]*LogFile, error)
	FindLogByID(ctx context.Context, id string) (*LogFile, error)
	// FindLogs returns a page of logs, newest first, with their incidents' titles.
	FindLogs(ctx context.Context, f LogFilter) ([]*LogFile, int, error)
	// FindLogSpans returns a log's spans that overlap [from, to), sorted by start; a negative
	// to means to the end.
	FindLogSpans(ctx context.Context, logID string, from, to int64) ([]*PIISpan, error)
	// FindLogSpanCounts counts a log's spans by type.
	FindLogSpanCounts(ctx context.Context, logID string) ([]PIITypeCount, error)
	// ReplaceLogSpans records a new detection run: spans found again keep their review, new
	// ones are approved, spans no longer found are removed. A redacted log is ECONFLICT.
	ReplaceLogSpans(ctx context.Context, logID string, spans []pii.Span, summary map[string]int, truncated bool) error
	// SetSpanApproval approves (redact) or rejects (keep) the selected spans of a log that is
	// not redacted yet, and returns how many it changed.
	SetSpanApproval(ctx context.Context, logID string, sel SpanSelection, approved bool) (int, error)
	// ApplyRedactions locks a log that is not redacted yet, sets its spans' approval to
	// exactly approvedIDs when that is not nil, and calls write with the log and its approved
	// spans (sorted by start). write stores the redacted text; the store then marks the log
	// redacted, records a pii_redacted event and an audit entry, and commits.
	ApplyRedactions(ctx context.Context, logID string, approvedIDs []string,
		write func(log *LogFile, approved []*PIISpan) (*Redaction, error)) (*LogFile, error)
	// DeleteLog deletes a log's row and returns it, so that its objects can be removed.
	DeleteLog(ctx context.Context, id string) (*LogFile, error)
	// RecordOriginalView audits an admin's look at the original text of a redacted log.
	RecordOriginalView(ctx context.Context, logID, via string) error
}

// LogService is the log use cases: upload (decompress, check, hash, compress, store, scan,
// insert), reading pages of text, PII review and redaction, and deletion. Objects are written
// before rows and removed after them, so a row always has its object; the Sweeper removes
// objects left without a row.
type LogService struct {
	store  LogStore
	blobs  BlobStore
	Limits LogLimits
	// TempDir is where zip archives are spooled; "" is the system's temporary folder.
	TempDir string
	// Logger hears about objects that could not be removed; nil discards.
	Logger *slog.Logger

	memoOnce sync.Once
	memo     *digestMemo
}

// limits returns the service's limits with defaults filled in.
func (s *LogService) limits() LogLimits { return s.Limits.WithDefaults() }

// Gate returns the redaction gate over the service's stores.
func (s *LogService) Gate() *RedactionGate {
	return &RedactionGate{logs: s.store, blobs: s.blobs}
}

// FindLog returns a log.
func (s *LogService) FindLog(ctx context.Context, id string) (*LogFile, error) {
	return s.store.FindLogByID(ctx, id)
}

// FindLogs returns a page of logs matching f and the number of all matches.
func (s *LogService) FindLogs(ctx context.Context, f LogFilter) ([]*LogFile, int, error) {
	f.Page, f.PerPage = NormalisePage(f.Page, f.PerPage)
	if len(f.Search) > MaxSearchQueryLen {
		f.Search = string(cutUTF8([]byte(f.Search), MaxSearchQueryLen))
	}
	return s.store.FindLogs(ctx, f)
}

// SpanCounts counts a log's detected values by type.
func (s *LogService) SpanCounts(ctx context.Context, id string) ([]PIITypeCount, error) {
	return s.store.FindLogSpanCounts(ctx, id)
}

// SetSpanApproval approves or rejects the selected spans of a log under review.
func (s *LogService) SetSpanApproval(ctx context.Context, logID string, sel SpanSelection, approved bool) (int, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return 0, err
	}
	if sel.ValueKey != "" && !ValidValueKey(sel.ValueKey) {
		return 0, Errorf(ENOTFOUND, "Detected value not found.")
	}
	if sel.PIIType != "" && !pii.Type(sel.PIIType).Valid() {
		return 0, Invalid("Unknown type.", map[string]string{"pii_type": "Pick a type from the list."})
	}
	return s.store.SetSpanApproval(ctx, logID, sel, approved)
}

// DeleteLog deletes a log, then its objects. An object that cannot be removed is left to the
// Sweeper.
func (s *LogService) DeleteLog(ctx context.Context, id string) error {
	if err := Require(ctx, RoleResponder); err != nil {
		return err
	}
	l, err := s.store.DeleteLog(ctx, id)
	if err != nil {
		return err
	}
	keys := []string{l.ObjectKey}
	if l.RedactedObjectKey != "" {
		keys = append(keys, l.RedactedObjectKey)
	}
	s.removeObjects(ctx, keys...)
	return nil
}

// removeObjects deletes objects on a best-effort basis, even when ctx is already cancelled;
// what it cannot remove the Sweeper will.
func (s *LogService) removeObjects(ctx context.Context, keys ...string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.blobs.Delete(ctx, keys...); err != nil && s.Logger != nil {
		s.Logger.Warn("removing log objects", slog.Any("keys", keys), slog.Any("err", err))
	}
}

// Open returns a reader of a log's text: the redacted text once redactions are applied, the
// original before. With original set, an admin reads the original of a redacted log, and the
// read is audited. via says where ("api", "page") for the audit.
func (s *LogService) Open(ctx context.Context, id string, original bool, via string) (*LogFile, io.ReadCloser, error) {
	l, err := s.store.FindLogByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	key, err := s.textKey(ctx, l, original, via)
	if err != nil {
		return nil, nil, err
	}
	r, err := openGzipObject(ctx, s.blobs, key)
	if err != nil {
		return nil, nil, err
	}
	if !canSeeOriginals(ctx, l) {
		return l, maskedReader(r), nil
	}
	return l, r, nil
}

// canSeeOriginals reports whether the context's user may read l's text as uploaded: anyone
// once it is redacted (the text is then the redacted one), and before review only the
// responders and admins who review it. Everyone else gets the detector's masked text.
func canSeeOriginals(ctx context.Context, l *LogFile) bool {
	return l.Redacted || Require(ctx, RoleResponder) == nil
}

// maskedReader reads r with every detected value replaced, as the redaction gate does.
func maskedReader(r io.ReadCloser) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		rw := pii.NewRedactWriter(pw)
		_, err := io.Copy(rw, r)
		if err == nil {
			err = rw.Close()
		}
		r.Close()
		pw.CloseWithError(err)
	}()
	return pr
}

// maskPage replaces every detected value on a page of text that starts at offset start with
// its type's token; spans are the page's, by start, with offsets into the whole text.
func maskPage(text string, start int64, spans []*PIISpan) string {
	var b strings.Builder
	at := int64(0)
	end := int64(len(text))
	for _, sp := range spans {
		from, to := max(sp.Start-start, at), min(sp.End-start, end)
		if to <= from {
			continue
		}
		b.WriteString(text[at:from])
		b.WriteString(pii.Type(sp.PIIType).Token())
		at = to
	}
	b.WriteString(text[at:])
	return b.String()
}

// textKey returns the object a reader of l gets, checking and auditing a look at the original
// of a redacted log.
func (s *LogService) textKey(ctx context.Context, l *LogFile, original bool, via string) (string, error) {
	if !l.Redacted {
		return l.ObjectKey, nil
	}
	if !original {
		return l.RedactedObjectKey, nil
	}
	if err := Require(ctx, RoleAdmin); err != nil {
		return "", Errorf(EFORBIDDEN, "Only an admin may view the original of a redacted log.")
	}
	if l.OriginalDeletedAt != nil {
		return "", Errorf(ENOTFOUND, "The original text of this log was deleted by retention on %s; only the redacted copy is kept.",
			l.OriginalDeletedAt.Format("2 January 2006"))
	}
	if err := s.store.RecordOriginalView(ctx, l.ID, via); err != nil {
		return "", err
	}
	return l.ObjectKey, nil
}

// PIITokens lists the replacement token of every type the detector reports, such as "[Email]",
// for views that highlight them in redacted text.
func PIITokens() []string {
	types := pii.Types()
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = t.Token()
	}
	return out
}
