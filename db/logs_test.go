package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"tftsr/db"
	"tftsr/domain"
	"tftsr/domain/pii"
)

// newLog is a stored log ready for its row, with spans at the given offsets.
func newLog(store *db.LogStore, issueID, name string, spans ...pii.Span) *domain.NewLog {
	id := store.NewLogID()
	summary := map[string]int{}
	for _, sp := range spans {
		summary[string(sp.Type)]++
	}
	return &domain.NewLog{
		Log: &domain.LogFile{ID: id, IssueID: issueID, FileName: name, SizeBytes: 1000, MimeType: "text/plain",
			ContentHash: strings.Repeat("ab", 32), ObjectKey: domain.LogObjectKey(issueID, id), PIISummary: summary},
		Spans:      spans,
		SearchText: "connection refused by [IPv4] for [Email] zanzibar",
	}
}

// twoSpans are an e-mail address and an IPv4 address.
var twoSpans = []pii.Span{{Type: pii.Email, Start: 10, End: 30}, {Type: pii.IPv4, Start: 40, End: 50}}

func mustCreateLog(tb testing.TB, store *db.LogStore, ctx context.Context, nl *domain.NewLog) *domain.LogFile {
	tb.Helper()
	logs, err := store.CreateLogs(ctx, []*domain.NewLog{nl})
	if err != nil {
		tb.Fatalf("create log: %v", err)
	}
	return logs[0]
}

func TestLogStore_CreateAndFind(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	store := db.NewLogStore(s.DB)
	responder, ctx := MustCreateUser(t, s, domain.RoleResponder)
	_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
	issue := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Disk full"})

	if _, err := store.CheckIssue(viewerCtx, issue.ID); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("viewer check: %v", err)
	}
	if _, err := store.CheckIssue(ctx, "0190c0de-0000-7000-8000-000000000000"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("missing incident: %v", err)
	}
	_, err := store.CreateLogs(viewerCtx, []*domain.NewLog{newLog(store, issue.ID, "x.log")})
	wantCode(t, err, domain.EFORBIDDEN)

	a, b := newLog(store, issue.ID, "app.log", twoSpans...), newLog(store, issue.ID, "db.log")
	logs, err := store.CreateLogs(ctx, []*domain.NewLog{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 2 || *logs[0].UploadedBy != responder.ID || logs[0].UploadedByName != responder.DisplayName ||
		!logs[0].UploadedAt.Equal(s.Clock.Now()) {
		t.Fatalf("logs %+v", logs[0])
	}
	got, err := store.FindLogByID(viewerCtx, logs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FileName != "app.log" || got.IssueTitle != "Disk full" || got.PIISummary["Email"] != 1 || got.Redacted ||
		got.ObjectKey != a.Log.ObjectKey || got.UploadedByName != responder.DisplayName {
		t.Errorf("found %+v", got)
	}
	if _, err := store.FindLogByID(viewerCtx, "not-a-uuid"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("bad id: %v", err)
	}

	spans, err := store.FindLogSpans(viewerCtx, got.ID, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 2 || spans[0].PIIType != "Email" || spans[0].Start != 10 || spans[0].End != 30 ||
		spans[0].Replacement != "[Email]" || !spans[0].Approved || spans[1].PIIType != "IPv4" {
		t.Fatalf("spans %+v", spans)
	}
	if page, _ := store.FindLogSpans(viewerCtx, got.ID, 35, 45); len(page) != 1 || page[0].PIIType != "IPv4" {
		t.Errorf("spans in [35,45): %+v", page)
	}
	if page, _ := store.FindLogSpans(viewerCtx, got.ID, 25, 41); len(page) != 2 {
		t.Errorf("spans in [25,41): %+v", page)
	}

	// Detail, list counts, timeline, audit.
	d, err := s.Issues.FindIssueDetail(viewerCtx, issue.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.LogFiles) != 2 {
		t.Errorf("detail has %d logs", len(d.LogFiles))
	}
	items, _, err := s.Issues.FindIssues(viewerCtx, domain.IssueFilter{})
	if err != nil || len(items) != 1 || items[0].LogCount != 2 {
		t.Errorf("summaries %+v (%v)", items, err)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM timeline_events WHERE issue_id = $1 AND event_type = 'log_uploaded'`, issue.ID); n != 2 {
		t.Errorf("%d log_uploaded events", n)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE action = 'log.upload' AND actor_id = $1`, responder.ID); n != 2 {
		t.Errorf("%d log.upload audit entries", n)
	}
	if v, err := s.Audit.VerifyAuditChain(systemCtx()); err != nil || !v.OK {
		t.Errorf("audit chain: %+v %v", v, err)
	}
}

func TestLogStore_FindLogs(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	store := db.NewLogStore(s.DB)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	i1 := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Checkout down"})
	i2 := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "VPN flaps"})
	mustCreateLog(t, store, ctx, newLog(store, i1.ID, "nginx_error.log"))
	s.Clock.Add(1)
	l2 := newLog(store, i2.ID, "ipsec-50%.log")
	l2.SearchText = "tunnel renegotiation failed for [Hostname]"
	mustCreateLog(t, store, ctx, l2)

	for q, want := range map[string][]string{
		"":              {"ipsec-50%.log", "nginx_error.log"},
		"NGINX":         {"nginx_error.log"},
		"50%":           {"ipsec-50%.log"},
		"_":             {"nginx_error.log"},
		"zanzibar":      {"nginx_error.log"},
		"renegotiation": {"ipsec-50%.log"},
		"tunnel -vpn":   {"ipsec-50%.log"},
		"hostname":      {"ipsec-50%.log"},
		"nothing":       nil,
	} {
		items, total, err := store.FindLogs(ctx, domain.LogFilter{Search: q})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, l := range items {
			names = append(names, l.FileName)
		}
		if !slices.Equal(names, want) || total != len(want) {
			t.Errorf("search %q: %v (total %d), want %v", q, names, total, want)
		}
	}
	items, total, _ := store.FindLogs(ctx, domain.LogFilter{IssueID: i1.ID})
	if total != 1 || items[0].IssueTitle != "Checkout down" {
		t.Errorf("by incident: %+v", items)
	}
	if items, _, _ := store.FindLogs(ctx, domain.LogFilter{IssueID: "junk"}); len(items) != 0 {
		t.Errorf("junk incident id: %+v", items)
	}
	items, total, _ = store.FindLogs(ctx, domain.LogFilter{Page: 2, PerPage: 1})
	if total != 2 || len(items) != 1 || items[0].FileName != "nginx_error.log" {
		t.Errorf("page 2: %+v, total %d", items, total)
	}
	if _, total, _ := store.FindLogs(ctx, domain.LogFilter{Page: 5, PerPage: 1}); total != 2 {
		t.Errorf("past the end: total %d", total)
	}
}

func TestLogStore_Review(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	store := db.NewLogStore(s.DB)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
	issue := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Review"})
	l := mustCreateLog(t, store, ctx, newLog(store, issue.ID, "app.log", twoSpans...))
	spans, _ := store.FindLogSpans(ctx, l.ID, 0, -1)

	_, err := store.SetSpanApproval(viewerCtx, l.ID, domain.SpanSelection{}, false)
	wantCode(t, err, domain.EFORBIDDEN)
	if n, err := store.SetSpanApproval(ctx, l.ID, domain.SpanSelection{SpanID: spans[0].ID}, false); err != nil || n != 1 {
		t.Fatalf("reject one: %d, %v", n, err)
	}
	if n, _ := store.SetSpanApproval(ctx, l.ID, domain.SpanSelection{SpanID: spans[0].ID}, false); n != 0 {
		t.Errorf("rejecting again changed %d", n)
	}
	_, err = store.SetSpanApproval(ctx, l.ID, domain.SpanSelection{SpanID: "0190c0de-0000-7000-8000-000000000000"}, false)
	wantCode(t, err, domain.ENOTFOUND)
	if n, _ := store.SetSpanApproval(ctx, l.ID, domain.SpanSelection{PIIType: "IPv4"}, false); n != 1 {
		t.Errorf("reject IPv4 changed %d", n)
	}
	counts, _ := store.FindLogSpanCounts(viewerCtx, l.ID)
	if len(counts) != 2 || counts[0].Approved != 0 || counts[1].Approved != 0 {
		t.Errorf("counts %+v", counts)
	}
	if n, _ := store.SetSpanApproval(ctx, l.ID, domain.SpanSelection{}, true); n != 2 {
		t.Errorf("approve all changed %d", n)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE action = 'log.review' AND entity_id = $1`, l.ID); n != 3 {
		t.Errorf("%d log.review entries, want 3 (no entry for no change)", n)
	}

	// Detect again: a span found again keeps its review, a new one is approved, a gone one is
	// dropped; nothing is duplicated.
	store.SetSpanApproval(ctx, l.ID, domain.SpanSelection{SpanID: spans[0].ID}, false)
	again := []pii.Span{twoSpans[0], {Type: pii.Phone, Start: 60, End: 72}}
	for range 2 {
		if err := store.ReplaceLogSpans(ctx, l.ID, again, map[string]int{"Email": 1, "Phone": 1}, false); err != nil {
			t.Fatal(err)
		}
	}
	after, _ := store.FindLogSpans(ctx, l.ID, 0, -1)
	if len(after) != 2 || after[0].ID != spans[0].ID || after[0].Approved || after[1].PIIType != "Phone" || !after[1].Approved {
		t.Fatalf("after detecting again: %+v %+v", after[0], after[1])
	}
	got, _ := store.FindLogByID(ctx, l.ID)
	if got.PIISummary["Phone"] != 1 || got.PIISummary["IPv4"] != 0 {
		t.Errorf("summary %v", got.PIISummary)
	}
}

func TestLogStore_ApplyRedactions(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	store := db.NewLogStore(s.DB)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	issue := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Apply"})
	l := mustCreateLog(t, store, ctx, newLog(store, issue.ID, "app.log", twoSpans...))
	spans, _ := store.FindLogSpans(ctx, l.ID, 0, -1)

	write := func(got *[]*domain.PIISpan) func(*domain.LogFile, []*domain.PIISpan) (*domain.Redaction, error) {
		return func(l *domain.LogFile, sp []*domain.PIISpan) (*domain.Redaction, error) {
			*got = sp
			red := &domain.Redaction{ObjectKey: domain.RedactedLogObjectKey(l.IssueID, l.ID), Size: 900, Hash: "cafe",
				AppliedByType: map[string]int{}}
			for _, x := range sp {
				if x.Approved {
					red.AppliedSpanIDs = append(red.AppliedSpanIDs, x.ID)
					red.AppliedByType[x.PIIType]++
				}
			}
			return red, nil
		}
	}

	// Unknown ids are refused, and nothing changes.
	var seen []*domain.PIISpan
	_, err := store.ApplyRedactions(ctx, l.ID, []string{"0190c0de-0000-7000-8000-000000000000"}, write(&seen))
	wantCode(t, err, domain.EINVALID)
	// A failing write leaves the log under review, approvals untouched.
	_, err = store.ApplyRedactions(ctx, l.ID, []string{spans[1].ID}, func(*domain.LogFile, []*domain.PIISpan) (*domain.Redaction, error) {
		return nil, errors.New("object store down")
	})
	if err == nil {
		t.Fatal("no error")
	}
	if after, _ := store.FindLogSpans(ctx, l.ID, 0, -1); !after[0].Approved {
		t.Error("approvals changed by a failed apply")
	}

	red, err := store.ApplyRedactions(ctx, l.ID, []string{spans[1].ID}, write(&seen))
	if err != nil {
		t.Fatal(err)
	}
	if !red.Redacted || red.RedactedHash != "cafe" || red.RedactedSize != 900 || len(seen) != 2 || seen[0].Approved || !seen[1].Approved {
		t.Fatalf("redacted %+v, write saw %+v", red, seen)
	}
	got, _ := store.FindLogByID(ctx, l.ID)
	if !got.Redacted || got.RedactedObjectKey != domain.RedactedLogObjectKey(issue.ID, l.ID) {
		t.Errorf("found %+v", got)
	}
	// How the review ended is on the log, in lists too: one value redacted, one kept.
	if red.RedactedCount != 1 || red.KeptCount != 1 || got.RedactedCount != 1 || got.KeptCount != 1 {
		t.Errorf("counts: applied %d/%d, found %d/%d, want 1 redacted, 1 kept", red.RedactedCount, red.KeptCount, got.RedactedCount, got.KeptCount)
	}
	if listed, _, err := store.FindLogs(ctx, domain.LogFilter{IssueID: issue.ID, Page: 1, PerPage: 10}); err != nil || len(listed) != 1 ||
		listed[0].RedactedCount != 1 || listed[0].KeptCount != 1 {
		t.Errorf("listed %+v (%v)", listed, err)
	}
	var details string
	if err := s.DB.Pool.QueryRow(context.Background(),
		`SELECT details::text FROM audit_log WHERE action = 'log.redact' AND entity_id = $1`, l.ID).Scan(&details); err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	json.Unmarshal([]byte(details), &d)
	if ids, _ := d["applied_span_ids"].([]any); len(ids) != 1 || ids[0] != spans[1].ID || d["rejected_count"] != float64(1) {
		t.Errorf("audit details %s", details)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM timeline_events WHERE issue_id = $1 AND event_type = 'pii_redacted'`, issue.ID); n != 1 {
		t.Errorf("%d pii_redacted events", n)
	}

	owned, err := store.OwnedObjectKeys(context.Background(), []string{got.ObjectKey, got.RedactedObjectKey})
	if err != nil || !owned[got.ObjectKey] || !owned[got.RedactedObjectKey] {
		t.Errorf("owned %v (%v), want both texts", owned, err)
	}

	// The review is closed.
	_, err = store.ApplyRedactions(ctx, l.ID, nil, write(&seen))
	wantCode(t, err, domain.ECONFLICT)
	_, err = store.SetSpanApproval(ctx, l.ID, domain.SpanSelection{}, true)
	wantCode(t, err, domain.ECONFLICT)
	wantCode(t, store.ReplaceLogSpans(ctx, l.ID, nil, nil, false), domain.ECONFLICT)

	// Looking at the original is for admins, and audited.
	_, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	wantCode(t, store.RecordOriginalView(ctx, l.ID, "page"), domain.EFORBIDDEN)
	if err := store.RecordOriginalView(adminCtx, l.ID, "page"); err != nil {
		t.Fatal(err)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE action = 'log.view_original' AND entity_id = $1`, l.ID); n != 1 {
		t.Errorf("%d original views audited", n)
	}
}

// TestLogStore_NoValuesInTheDatabase: no column of the log tables and no audit entry holds a
// detected value; only offsets and types.
func TestLogStore_NoValuesInTheDatabase(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	store := db.NewLogStore(s.DB)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	issue := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Values"})
	nl := newLog(store, issue.ID, "app.log", twoSpans...)
	mustCreateLog(t, store, ctx, nl)
	n := mustCount(t, s.DB, `
		SELECT count(*) FROM information_schema.columns
		WHERE table_name = 'pii_spans' AND column_name IN ('original', 'original_value', 'value', 'text')`)
	if n != 0 {
		t.Errorf("pii_spans has a column for values")
	}
}

func TestLogStore_DeleteAndCascade(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	store := db.NewLogStore(s.DB)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	issue := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Cascade"})
	a := mustCreateLog(t, store, ctx, newLog(store, issue.ID, "a.log", twoSpans...))
	b := mustCreateLog(t, store, ctx, newLog(store, issue.ID, "b.log", twoSpans...))

	owned, err := store.OwnedObjectKeys(context.Background(), []string{a.ObjectKey, b.ObjectKey, "logs/x/orphan.txt.gz"})
	if err != nil {
		t.Fatal(err)
	}
	if !owned[a.ObjectKey] || !owned[b.ObjectKey] || owned["logs/x/orphan.txt.gz"] {
		t.Errorf("owned %v", owned)
	}

	deleted, err := store.DeleteLog(ctx, a.ID)
	if err != nil || deleted.ObjectKey != a.ObjectKey {
		t.Fatalf("delete: %+v, %v", deleted, err)
	}
	if _, err := store.FindLogByID(ctx, a.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("deleted log found: %v", err)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM pii_spans WHERE log_file_id = $1`, a.ID); n != 0 {
		t.Errorf("%d spans of the deleted log", n)
	}
	if owned, _ := store.OwnedObjectKeys(context.Background(), []string{a.ObjectKey}); owned[a.ObjectKey] {
		t.Error("a deleted log still owns its object")
	}

	if err := s.Issues.DeleteIssue(ctx, issue.ID); err != nil {
		t.Fatal(err)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM log_files`); n != 0 {
		t.Errorf("%d logs left after the incident was deleted", n)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM pii_spans`); n != 0 {
		t.Errorf("%d spans left after the incident was deleted", n)
	}
}
