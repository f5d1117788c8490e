package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"tftsr/domain"
)

// auditLog makes ts.Audit serve entries, record the filter it was asked for and report v for the
// chain. It returns a pointer to the last filter and a counter of verifications.
func auditLog(ts *testServer, entries []*domain.AuditEntry, total int, v *domain.AuditVerification) (*domain.AuditFilter, *int) {
	var got domain.AuditFilter
	verified := 0
	ts.Audit.FindAuditEntriesFn = func(_ context.Context, f domain.AuditFilter) ([]*domain.AuditEntry, int, error) {
		got = f
		return entries, total, nil
	}
	ts.Audit.VerifyAuditChainFn = func(context.Context) (*domain.AuditVerification, error) {
		verified++
		return v, nil
	}
	ts.Audit.AuditFacetsFn = func(context.Context) ([]string, []string, error) {
		return []string{"issue.create", "user.create"}, []string{"issue", "user"}, nil
	}
	ts.Users.FindUsersFn = allUsers
	return &got, &verified
}

func testEntries() []*domain.AuditEntry {
	admin := testAdmin.ID
	return []*domain.AuditEntry{
		{Seq: 42, ID: "a-42", At: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC), ActorID: &admin, ActorName: "Alice Admin",
			Action: "issue.create", EntityType: "issue", EntityID: "i-1",
			Details: json.RawMessage(`{ "title": "<script>alert(1)</script>",  "severity": "high" }`)},
		{Seq: 41, ID: "a-41", At: time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC), ActorID: nil,
			Action: "user.create", EntityType: "user", EntityID: "u-admin", Details: json.RawMessage(`{"via":"cli"}`)},
	}
}

func TestAdminAudit_Page(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		_, verified := auditLog(ts, testEntries(), 2, &domain.AuditVerification{Entries: 42, OK: true})
		resp := ts.mustLogin(t, testAdmin).get("/admin/audit")
		wantStatus(t, resp, http.StatusOK)
		wantContains(t, resp, "<h1>Audit log</h1>", `<a href="/admin/audit" class="active" aria-current="page">`,
			`<strong>Chain intact: 42 entries</strong>`,
			// Details are indented JSON behind a toggle, escaped.
			`<details class="audit-raw"><summary>Raw JSON</summary><pre><code class="audit-details">{
  &#34;title&#34;: &#34;&lt;script&gt;alert(1)&lt;/script&gt;&#34;,`,
			// Each entry is a sentence; the incident is gone (no name), so it is not linked.
			`Alice Admin opened the incident &#34;&lt;script&gt;alert(1)&lt;/script&gt;&#34;</td>`,
			"The system (cli) created the user u-admin", "<code>issue.create</code>", "2026-05-06 07:08 UTC",
			`<option value="user.create">user.create</option>`, `<option value="u-resp">Rob Responder</option>`)
		wantNotContains(t, resp, "<script>alert(1)", `class="pager"`)
		if *verified != 1 {
			t.Errorf("verified %d times, want 1", *verified)
		}
	})

	t.Run("ChainBroken", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		auditLog(ts, testEntries(), 2, &domain.AuditVerification{Entries: 42, OK: false, BrokenSeq: 17, BrokenID: "a-17",
			Reason: "entry 17 has been altered: its contents do not match its hash <abc>"})
		resp := ts.mustLogin(t, testAdmin).get("/admin/audit")
		wantStatus(t, resp, http.StatusOK)
		wantContains(t, resp, `role="alert" data-testid="chain-status"`,
			"Chain broken at entry #17: entry 17 has been altered: its contents do not match its hash &lt;abc&gt;")
		wantNotContains(t, resp, "Chain intact")
	})

	t.Run("Filters", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		got, _ := auditLog(ts, testEntries(), 120, &domain.AuditVerification{Entries: 120, OK: true})
		resp := ts.mustLogin(t, testAdmin).get("/admin/audit?action=user.create&entity_type=user&actor=u-admin&from=2026-05-01&to=2026-05-31&page=2")
		wantStatus(t, resp, http.StatusOK)
		from := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		to := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).Add(-time.Microsecond)
		if got.Action != "user.create" || got.EntityType != "user" || got.ActorID != "u-admin" ||
			got.Page != 2 || got.PerPage != 50 || got.From == nil || !got.From.Equal(from) || got.To == nil || !got.To.Equal(to) {
			t.Errorf("FindAuditEntries(%+v)", *got)
		}
		wantContains(t, resp, `<option value="user.create" selected>`, `<option value="user" selected>`,
			`<option value="u-admin" selected>Alice Admin</option>`, `name="from" id="audit-from" value="2026-05-01"`,
			`name="to" id="audit-to" value="2026-05-31"`, "120 entries, newest first", "Page 2 of 3",
			`href="/admin/audit?action=user.create&amp;actor=u-admin&amp;entity_type=user&amp;from=2026-05-01&amp;page=3&amp;to=2026-05-31"`,
			`href="/admin/audit.csv?action=user.create&amp;actor=u-admin&amp;entity_type=user&amp;from=2026-05-01&amp;to=2026-05-31"`,
			`href="/admin/audit?action=user.create&amp;actor=u-admin&amp;entity_type=user&amp;from=2026-05-01&amp;to=2026-05-31"`)
	})

	t.Run("FilterHTMXSwapsList", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		_, verified := auditLog(ts, testEntries(), 2, &domain.AuditVerification{Entries: 42, OK: true})
		resp := ts.mustLogin(t, testAdmin).get("/admin/audit?action=issue.create", "HX-Request", "true", "HX-Target", "audit-list")
		wantStatus(t, resp, http.StatusOK)
		wantContains(t, resp, `<section id="audit-list"`, "issue.create")
		wantNotContains(t, resp, "<html", "Chain intact", "<form")
		if *verified != 0 {
			t.Errorf("verified %d times, want 0 for the list alone", *verified)
		}
	})

	t.Run("ErrBadDate", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		auditLog(ts, nil, 0, &domain.AuditVerification{OK: true})
		resp := ts.mustLogin(t, testAdmin).get("/admin/audit?from=yesterday")
		wantStatus(t, resp, http.StatusBadRequest)
		wantContains(t, resp, "Invalid from date &#34;yesterday&#34;: give a date (2006-01-02) or an RFC 3339 time.")
	})
}
