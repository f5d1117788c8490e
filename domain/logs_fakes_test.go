package domain_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"tftsr/domain"
	"tftsr/domain/pii"
)

// recBlobs is an in-memory BlobStore that records every call. failAfter, when set, makes Put
// fail after reading that many bytes, as a store that goes away mid-upload.
type recBlobs struct {
	mu        sync.Mutex
	objects   map[string][]byte
	gets      []string
	puts      []string
	failAfter int64
	failErr   error
}

func newRecBlobs() *recBlobs { return &recBlobs{objects: map[string][]byte{}} }

func (b *recBlobs) Put(ctx context.Context, key string, r io.Reader, _ int64, _ string) error {
	b.mu.Lock()
	b.puts = append(b.puts, key)
	failAfter, failErr := b.failAfter, b.failErr
	b.mu.Unlock()
	var buf bytes.Buffer
	if failAfter > 0 {
		if _, err := io.CopyN(&buf, r, failAfter); err != nil {
			return err
		}
		return failErr
	}
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.objects[key] = buf.Bytes()
	return nil
}

func (b *recBlobs) Get(_ context.Context, key string) (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gets = append(b.gets, key)
	data, ok := b.objects[key]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "The stored file is missing.")
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (b *recBlobs) Delete(_ context.Context, keys ...string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range keys {
		delete(b.objects, k)
	}
	return nil
}

func (b *recBlobs) DeletePrefix(_ context.Context, prefix string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) {
			delete(b.objects, k)
		}
	}
	return nil
}

func (b *recBlobs) List(_ context.Context, prefix string, _ time.Time, fn func(string) error) error {
	b.mu.Lock()
	var keys []string
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	b.mu.Unlock()
	for _, k := range keys {
		if err := fn(k); err != nil {
			return err
		}
	}
	return nil
}

// keys returns the stored keys, sorted.
func (b *recBlobs) keys() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var keys []string
	for k := range b.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// text returns the decompressed text of a stored object.
func (b *recBlobs) text(tb testing.TB, key string) string {
	tb.Helper()
	b.mu.Lock()
	data, ok := b.objects[key]
	b.mu.Unlock()
	if !ok {
		tb.Fatalf("no object %s", key)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("object %s is not gzip: %v", key, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("object %s: %v", key, err)
	}
	return string(out)
}

// memLogs is an in-memory LogStore with the same rules as the database: reads need a viewer,
// changes a responder, a redacted log's review is closed.
type memLogs struct {
	mu          sync.Mutex
	seq         int
	issues      map[string]bool
	logs        map[string]*domain.LogFile
	spans       map[string][]*domain.PIISpan
	search      map[string]string
	failCreate  error
	originals   int
	createCalls int
}

func newMemLogs(issueIDs ...string) *memLogs {
	m := &memLogs{issues: map[string]bool{}, logs: map[string]*domain.LogFile{},
		spans: map[string][]*domain.PIISpan{}, search: map[string]string{}}
	for _, id := range issueIDs {
		m.issues[id] = true
	}
	return m
}

func (m *memLogs) NewLogID() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	return fmt.Sprintf("log-%03d", m.seq)
}

func (m *memLogs) CheckIssue(ctx context.Context, id string) (string, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return "", err
	}
	if !m.issues[id] {
		return "", domain.Errorf(domain.ENOTFOUND, "Incident not found.")
	}
	return id, nil
}

func (m *memLogs) CreateLogs(ctx context.Context, logs []*domain.NewLog) ([]*domain.LogFile, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.createCalls++
	if m.failCreate != nil {
		return nil, m.failCreate
	}
	var out []*domain.LogFile
	for _, nl := range logs {
		l := *nl.Log
		l.UploadedAt = time.Now().UTC()
		m.logs[l.ID] = &l
		m.search[l.ID] = nl.SearchText
		var spans []*domain.PIISpan
		for i, sp := range nl.Spans {
			spans = append(spans, &domain.PIISpan{ID: fmt.Sprintf("%s-s%d", l.ID, i), LogFileID: l.ID,
				PIIType: string(sp.Type), Start: int64(sp.Start), End: int64(sp.End), Replacement: sp.Type.Token(), Approved: true})
		}
		m.spans[l.ID] = spans
		cp := l
		out = append(out, &cp)
	}
	return out, nil
}

func (m *memLogs) FindLogByID(ctx context.Context, id string) (*domain.LogFile, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.logs[id]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Log not found.")
	}
	cp := *l
	return &cp, nil
}

func (m *memLogs) FindLogs(ctx context.Context, f domain.LogFilter) ([]*domain.LogFile, int, error) {
	return nil, 0, errors.New("not implemented")
}

func (m *memLogs) FindLogSpans(ctx context.Context, logID string, from, to int64) ([]*domain.PIISpan, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*domain.PIISpan
	for _, sp := range m.spans[logID] {
		if sp.End > from && (to < 0 || sp.Start < to) {
			cp := *sp
			out = append(out, &cp)
		}
	}
	return out, nil
}

func (m *memLogs) FindLogSpanCounts(ctx context.Context, logID string) ([]domain.PIITypeCount, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	counts := map[string]*domain.PIITypeCount{}
	var out []domain.PIITypeCount
	for _, sp := range m.spans[logID] {
		c := counts[sp.PIIType]
		if c == nil {
			c = &domain.PIITypeCount{PIIType: sp.PIIType}
			counts[sp.PIIType] = c
		}
		c.Count++
		if sp.Approved {
			c.Approved++
		}
	}
	for _, c := range counts {
		out = append(out, *c)
	}
	return out, nil
}

func (m *memLogs) ReplaceLogSpans(ctx context.Context, logID string, spans []pii.Span, summary map[string]int, truncated bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := map[int64]*domain.PIISpan{}
	for _, sp := range m.spans[logID] {
		old[sp.Start] = sp
	}
	var out []*domain.PIISpan
	for i, sp := range spans {
		if o := old[int64(sp.Start)]; o != nil && o.End == int64(sp.End) && o.PIIType == string(sp.Type) {
			out = append(out, o)
			continue
		}
		out = append(out, &domain.PIISpan{ID: fmt.Sprintf("%s-r%d", logID, i), LogFileID: logID, PIIType: string(sp.Type),
			Start: int64(sp.Start), End: int64(sp.End), Replacement: sp.Type.Token(), Approved: true})
	}
	m.spans[logID] = out
	m.logs[logID].PIISummary, m.logs[logID].PIITruncated = summary, truncated
	return nil
}

func (m *memLogs) SetSpanApproval(ctx context.Context, logID string, sel domain.SpanSelection, approved bool) (int, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.logs[logID].Redacted {
		return 0, domain.Errorf(domain.ECONFLICT, "closed")
	}
	n := 0
	for _, sp := range m.spans[logID] {
		if (sel.SpanID == "" || sp.ID == sel.SpanID) && (sel.PIIType == "" || sp.PIIType == sel.PIIType) && sp.Approved != approved {
			sp.Approved = approved
			n++
		}
	}
	return n, nil
}

func (m *memLogs) ApplyRedactions(ctx context.Context, logID string, approvedIDs []string,
	write func(*domain.LogFile, []*domain.PIISpan) (*domain.Redaction, error)) (*domain.LogFile, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.logs[logID]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Log not found.")
	}
	if l.Redacted {
		return nil, domain.Errorf(domain.ECONFLICT, "Redactions were already applied.")
	}
	if approvedIDs != nil {
		for _, sp := range m.spans[logID] {
			sp.Approved = slices.Contains(approvedIDs, sp.ID)
		}
	}
	var spans []*domain.PIISpan
	for _, sp := range m.spans[logID] {
		cp := *sp
		spans = append(spans, &cp)
	}
	cp := *l
	red, err := write(&cp, spans)
	if err != nil {
		return nil, err
	}
	l.Redacted, l.RedactedObjectKey, l.RedactedHash, l.RedactedSize = true, red.ObjectKey, red.Hash, red.Size
	out := *l
	return &out, nil
}

func (m *memLogs) DeleteLog(ctx context.Context, id string) (*domain.LogFile, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.logs[id]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Log not found.")
	}
	delete(m.logs, id)
	delete(m.spans, id)
	return l, nil
}

func (m *memLogs) RecordOriginalView(ctx context.Context, logID, via string) error {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.originals++
	return nil
}

// count returns the number of log rows.
func (m *memLogs) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.logs)
}

// logFixture is a LogService over in-memory fakes, with an incident "inc-1" and contexts of
// each role.
type logFixture struct {
	svc       *domain.LogService
	blobs     *recBlobs
	store     *memLogs
	responder context.Context
	viewer    context.Context
	admin     context.Context
}

func newLogFixture(t testing.TB, limits domain.LogLimits) *logFixture {
	t.Helper()
	f := &logFixture{blobs: newRecBlobs(), store: newMemLogs("inc-1")}
	f.svc = domain.NewLogService(f.store, f.blobs, limits)
	f.svc.TempDir = t.TempDir()
	f.responder = domain.NewContextWithUser(context.Background(), &domain.User{ID: "u-r", Username: "rita", Role: domain.RoleResponder})
	f.viewer = domain.NewContextWithUser(context.Background(), &domain.User{ID: "u-v", Username: "vic", Role: domain.RoleViewer})
	f.admin = domain.NewContextWithUser(context.Background(), &domain.User{ID: "u-a", Username: "ada", Role: domain.RoleAdmin})
	return f
}

// wantNothingStored fails unless no object and no row exist.
func (f *logFixture) wantNothingStored(t *testing.T) {
	t.Helper()
	if keys := f.blobs.keys(); len(keys) != 0 {
		t.Errorf("objects left behind: %v", keys)
	}
	if n := f.store.count(); n != 0 {
		t.Errorf("%d rows left behind", n)
	}
}

// upload uploads one file as the responder.
func (f *logFixture) upload(t *testing.T, name string, data []byte) ([]*domain.LogFile, error) {
	t.Helper()
	return f.svc.UploadLog(f.responder, "inc-1", name, bytes.NewReader(data))
}

// mustUpload uploads one file and fails on error.
func (f *logFixture) mustUpload(t *testing.T, name string, data []byte) []*domain.LogFile {
	t.Helper()
	logs, err := f.upload(t, name, data)
	if err != nil {
		t.Fatalf("upload %s: %v", name, err)
	}
	return logs
}

// wantCode fails unless err carries code and (when given) its message contains each of subs.
func wantCode(t *testing.T, err error, code string, subs ...string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	for _, s := range subs {
		if !strings.Contains(domain.ErrorMessage(err), s) {
			t.Errorf("message %q lacks %q", domain.ErrorMessage(err), s)
		}
	}
}
