package db_test

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"tftsr/db"
	"tftsr/domain"
	"tftsr/domain/pii"
)

// TestLogStore_ReviewByValue groups spans by their value keys, decides a value and a type in
// one statement each, and audits the key, never the value.
func TestLogStore_ReviewByValue(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	store := db.NewLogStore(s.DB)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
	issue := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Values"})
	var spans []pii.Span
	for i := range 30 {
		spans = append(spans, pii.Span{Type: pii.IPv4, Start: i * 100, End: i*100 + 8})
	}
	l := mustCreateLog(t, store, ctx, newLog(store, issue.ID, "app.log", spans...))
	unkeyed, err := store.FindUnkeyedSpans(ctx, l.ID)
	if err != nil || len(unkeyed) != 30 {
		t.Fatalf("unkeyed spans: %d, %v", len(unkeyed), err)
	}
	_, err = store.FindUnkeyedSpans(viewerCtx, l.ID)
	wantCode(t, err, domain.EFORBIDDEN)
	// Two values: one at every third span, the other everywhere else.
	hot, cold := domain.ValueKey(l.ID, []byte("10.0.0.5")), domain.ValueKey(l.ID, []byte("10.0.0.6"))
	keys := map[string][]byte{}
	for i, sp := range unkeyed {
		keys[sp.ID] = cold
		if i%3 == 0 {
			keys[sp.ID] = hot
		}
	}
	if err := store.SetSpanValueKeys(ctx, l.ID, keys); err != nil {
		t.Fatal(err)
	}
	if unkeyed, _ := store.FindUnkeyedSpans(ctx, l.ID); len(unkeyed) != 0 {
		t.Errorf("%d spans still unkeyed", len(unkeyed))
	}
	vals, total, err := store.FindLogValues(ctx, l.ID, domain.LogValueFilter{Page: 1, PerPage: 1})
	if err != nil || total != 2 || len(vals) != 1 || vals[0].Key != hex.EncodeToString(cold) || vals[0].Count != 20 ||
		len(vals[0].Samples) != 2 || vals[0].Samples[0].Start != 100 {
		t.Fatalf("values: %+v total %d, %v", vals, total, err)
	}
	n, err := store.SetSpanApproval(ctx, l.ID, domain.SpanSelection{ValueKey: hex.EncodeToString(hot)}, false)
	if err != nil || n != 10 {
		t.Fatalf("keep the value: %d, %v", n, err)
	}
	var details string
	s.DB.Pool.QueryRow(ctx, `SELECT details::text FROM audit_log WHERE action = 'log.review' ORDER BY seq DESC LIMIT 1`).Scan(&details)
	if want := fmt.Sprintf(`"value_key":"%x"`, hot); !strings.Contains(details, want) || !strings.Contains(details, `"changed":10`) {
		t.Errorf("audit %s", details)
	}
	// Redacting the type decides the rest too: every span is decided, 20 approved.
	if n, err := store.SetSpanApproval(ctx, l.ID, domain.SpanSelection{PIIType: "IPv4"}, true); err != nil || n != 30 {
		t.Fatalf("redact the type: %d, %v", n, err)
	}
	counts, _ := store.FindLogSpanCounts(ctx, l.ID)
	if len(counts) != 1 || counts[0].Decided != 30 || counts[0].Approved != 30 {
		t.Errorf("counts %+v", counts)
	}
	_, err = store.SetSpanApproval(ctx, l.ID, domain.SpanSelection{ValueKey: fmt.Sprintf("%x", domain.ValueKey(l.ID, []byte("x")))}, true)
	wantCode(t, err, domain.ENOTFOUND)
}

// BenchmarkReviewDecideByValue decides one value of a log with 100,000 spans (a 30 MB log's
// worth): 1,000 distinct values, the decided one at 20,000 spans across the whole log. Each
// iteration flips the decision, so every one updates those 20,000 rows and audits the batch.
func BenchmarkReviewDecideByValue(b *testing.B) {
	s := MustOpenServices(b)
	store := db.NewLogStore(s.DB)
	_, ctx := MustCreateUser(b, s, domain.RoleResponder)
	issue := MustCreateIssue(b, s, ctx, domain.NewIssue{Title: "Big log"})
	const n = 100_000
	spans := make([]pii.Span, n)
	for i := range spans {
		spans[i] = pii.Span{Type: pii.IPv4, Start: i * 300, End: i*300 + 12}
	}
	nl := newLog(store, issue.ID, "big.log", spans...)
	nl.Log.SizeBytes = 30 << 20
	l := mustCreateLog(b, store, ctx, nl)
	unkeyed, err := store.FindUnkeyedSpans(ctx, l.ID)
	if err != nil || len(unkeyed) != n {
		b.Fatalf("spans: %d, %v", len(unkeyed), err)
	}
	keys := make(map[string][]byte, n)
	for i, sp := range unkeyed {
		v := fmt.Sprintf("10.0.%d.%d", i%1000/250, i%1000%250)
		if i%5 == 0 {
			v = "10.0.0.5"
		}
		keys[sp.ID] = domain.ValueKey(l.ID, []byte(v))
	}
	if err := store.SetSpanValueKeys(ctx, l.ID, keys); err != nil {
		b.Fatal(err)
	}
	sel := domain.SpanSelection{ValueKey: hex.EncodeToString(domain.ValueKey(l.ID, []byte("10.0.0.5")))}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		changed, err := store.SetSpanApproval(ctx, l.ID, sel, i%2 == 1)
		if err != nil || changed != n/5 {
			b.Fatalf("decision %d changed %d, %v", i, changed, err)
		}
	}
}
