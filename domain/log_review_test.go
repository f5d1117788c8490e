package domain_test

import (
	"fmt"
	"strings"
	"testing"

	"tftsr/domain"
)

func TestApplyRedactions(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	l := f.mustUpload(t, "app.log", []byte(secretLog))[0]
	spans, _ := f.store.FindLogSpans(f.viewer, l.ID, 0, -1)

	_, err := f.svc.ApplyRedactions(f.viewer, l.ID, nil)
	wantCode(t, err, domain.EFORBIDDEN)

	// Exactly the listed spans are redacted.
	red, err := f.svc.ApplyRedactions(f.responder, l.ID, []string{spans[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	got := f.blobs.text(t, red.RedactedObjectKey)
	first := secretLog[spans[0].Start:spans[0].End]
	if strings.Contains(got, first) || !strings.Contains(got, secretLog[spans[1].Start:spans[1].End]) {
		t.Errorf("redacted text %q", got)
	}
	if got := f.blobs.text(t, l.ObjectKey); got != secretLog {
		t.Error("the original changed")
	}

	// The review is closed.
	_, err = f.svc.ApplyRedactions(f.responder, l.ID, nil)
	wantCode(t, err, domain.ECONFLICT)
	_, _, err = f.svc.DetectPII(f.responder, l.ID)
	wantCode(t, err, domain.ECONFLICT)
}

// TestApplyRedactionsPastTheReviewedSpans: a log with more values than are kept for review
// gets every value past them redacted, the reviewer's decisions on the kept ones honoured.
func TestApplyRedactionsPastTheReviewedSpans(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{MaxSpans: 5})
	var b strings.Builder
	for i := range 12 {
		fmt.Fprintf(&b, "line %d user%d@example.com x user%db@example.org\n", i, i, i)
	}
	text := b.String()
	l := f.mustUpload(t, "many.log", []byte(text))[0]
	if !l.PIITruncated || l.PIISummary["Email"] != 24 {
		t.Fatalf("truncated %v, summary %v", l.PIITruncated, l.PIISummary)
	}
	spans, _ := f.store.FindLogSpans(f.viewer, l.ID, 0, -1)
	if len(spans) != 5 {
		t.Fatalf("%d spans kept, want 5", len(spans))
	}
	// Keep the first value: a false positive.
	if _, err := f.svc.SetSpanApproval(f.responder, l.ID, domain.SpanSelection{SpanID: spans[0].ID}, false); err != nil {
		t.Fatal(err)
	}
	red, err := f.svc.ApplyRedactions(f.responder, l.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := f.blobs.text(t, red.RedactedObjectKey)
	if !strings.Contains(got, "user0@example.com") {
		t.Errorf("the kept value was redacted: %q", got[:80])
	}
	if n := strings.Count(got, "@example."); n != 1 {
		t.Errorf("%d values left, want only the kept one:\n%s", n, got)
	}
	if n := strings.Count(got, "[Email]"); n != 23 {
		t.Errorf("%d tokens, want 23:\n%s", n, got)
	}
}

func TestLogPages(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	var b strings.Builder
	for i := 0; b.Len() < 3*domain.LogPageBytes+1000; i++ {
		fmt.Fprintf(&b, "%06d some log line with ünïcödé and frank%d@example.com inside\n", i, i)
	}
	b.WriteString(strings.Repeat("y", domain.LogPageBytes+50)) // a line longer than a page
	text := b.String()
	l := f.mustUpload(t, "paged.log", []byte(text))[0]

	// A responder, who reviews the log, reads its pages as uploaded.
	var joined strings.Builder
	_, first, err := f.svc.Page(f.responder, l.ID, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	want := int((int64(len(text)) + domain.LogPageBytes - 1) / domain.LogPageBytes)
	if first.Count != want {
		t.Fatalf("%d pages, want %d", first.Count, want)
	}
	var prevEnd int64
	for n := 1; n <= first.Count; n++ {
		_, p, err := f.svc.Page(f.responder, l.ID, n, false)
		if err != nil {
			t.Fatal(err)
		}
		if p.Number != n || p.Start != prevEnd || p.Text != text[p.Start:p.End] {
			t.Fatalf("page %d: number %d, [%d,%d), previous end %d", n, p.Number, p.Start, p.End, prevEnd)
		}
		if n < 4 && n > 1 && text[p.Start-1] != '\n' {
			t.Errorf("page %d does not start at a line", n)
		}
		for _, sp := range p.Spans {
			if sp.End <= p.Start || sp.Start >= p.End {
				t.Errorf("page %d has span [%d,%d) outside it", n, sp.Start, sp.End)
			}
			if n < 4 && !strings.HasPrefix(text[sp.Start:sp.End], "frank") {
				t.Errorf("span %q", text[sp.Start:sp.End])
			}
		}
		joined.WriteString(p.Text)
		prevEnd = p.End
	}
	if joined.String() != text {
		t.Error("the pages do not add up to the text")
	}
	// A viewer reads the same pages with every detected value replaced, and no spans.
	for n := 1; n <= first.Count; n++ {
		_, p, err := f.svc.Page(f.viewer, l.ID, n, false)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Masked || p.Redacted || len(p.Spans) != 0 || strings.Contains(p.Text, "@example.com") {
			t.Fatalf("viewer page %d: masked %v, %d spans, text %.80q", n, p.Masked, len(p.Spans), p.Text)
		}
		if n == 1 && !strings.Contains(p.Text, "and [Email] inside") {
			t.Errorf("viewer page 1 has no [Email] token: %.200q", p.Text)
		}
	}
	if _, p, _ := f.svc.Page(f.viewer, l.ID, 999, false); p.Number != first.Count {
		t.Errorf("page 999 is %d, want the last", p.Number)
	}

	// After apply, pages show the redacted text; the original is for admins, audited.
	if _, err := f.svc.ApplyRedactions(f.responder, l.ID, nil); err != nil {
		t.Fatal(err)
	}
	_, p, err := f.svc.Page(f.viewer, l.ID, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Redacted || strings.Contains(p.Text, "@example.com") || len(p.Spans) != 0 {
		t.Errorf("redacted page %.100q", p.Text)
	}
	_, _, err = f.svc.Page(f.responder, l.ID, 1, true)
	wantCode(t, err, domain.EFORBIDDEN)
	_, p, err = f.svc.Page(f.admin, l.ID, 1, true)
	if err != nil || !p.Original || !strings.Contains(p.Text, "frank0@example.com") || f.store.originals != 1 {
		t.Errorf("original view: %v, %d audited", err, f.store.originals)
	}
}

func TestDetectPIIAgain(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	l := f.mustUpload(t, "app.log", []byte(secretLog))[0]
	spans, _ := f.store.FindLogSpans(f.viewer, l.ID, 0, -1)
	if _, err := f.svc.SetSpanApproval(f.responder, l.ID, domain.SpanSelection{SpanID: spans[1].ID}, false); err != nil {
		t.Fatal(err)
	}
	_, again, err := f.svc.DetectPII(f.responder, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(spans) {
		t.Fatalf("%d spans after detecting again, want %d", len(again), len(spans))
	}
	for i, sp := range again {
		if sp.ID != spans[i].ID || sp.Original != secretLog[sp.Start:sp.End] {
			t.Errorf("span %d: %+v", i, sp)
		}
	}
	if again[1].Approved {
		t.Error("the reviewer's decision was lost")
	}
	_, _, err = f.svc.DetectPII(f.viewer, l.ID)
	wantCode(t, err, domain.EFORBIDDEN)
}
