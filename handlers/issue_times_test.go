package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tftsr/domain"
)

// TestIncidentTimesAndRefs: an incident's human id opens it in pages and the API; its times are
// set from the times card (refused out of order, with the fields named), dated timeline entries of
// a person's types land where they happened, and the RCA counts from those times.
func TestIncidentTimesAndRefs(t *testing.T) {
	p := newTestPortal(t)
	rita, vic := p.login(t, "rita"), p.login(t, "vic")
	var is domain.Issue
	if r := apiJSON(t, rita, http.MethodPost, "/api/v1/issues", map[string]any{"title": "Queue stuck <b>now</b>", "severity": "high"}, &is); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	if is.Number < 1 || is.Ref != domain.IssueRef(is.Number) {
		t.Fatalf("created %+v", is)
	}

	// The human id in URLs: the page, the API, and an unknown one.
	page := parseBody(t, vic.get("/issues/"+is.Ref, nil).Body)
	if got := text(page.Find("[data-testid=issue-ref]")); got != is.Ref {
		t.Errorf("page ref %q", got)
	}
	var detail domain.IssueDetail
	if r := apiJSON(t, vic, http.MethodGet, "/api/v1/issues/"+strings.ToLower(is.Ref), nil, &detail); r.StatusCode != http.StatusOK || detail.Issue == nil || detail.Issue.ID != is.ID {
		t.Errorf("API by ref: %d %s", r.StatusCode, r.Body)
	}
	if r := vic.get("/issues/INC-987654321", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown ref: %d", r.StatusCode)
	}
	if r := vic.get("/search?q="+is.Ref, nil); !strings.Contains(r.Body, is.ID) {
		t.Errorf("search by ref finds nothing: %d", r.StatusCode)
	}
	if r := vic.get("/issues", nil); !strings.Contains(r.Body, `<span class="issue-ref">`+is.Ref+`</span>`) {
		t.Errorf("the list does not show %s", is.Ref)
	}

	// Times through the card: out of order is refused by field and keeps what was typed.
	now := time.Now().UTC()
	started, detected := now.Add(-3*time.Hour).Truncate(time.Minute), now.Add(-150*time.Minute).Truncate(time.Minute)
	form := url.Values{"started_at": {domain.FormTime(&detected, time.UTC)}, "detected_at": {domain.FormTime(&started, time.UTC)}, "mitigated_at": {""}}
	r := rita.hx("/issues/"+is.Ref+"/times", form)
	doc := parseBody(t, r.Body)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(text(doc.Find("#time-error-detected_at")), "Detected cannot be before impact started") ||
		doc.Find("#time-input-started_at").AttrOr("value", "") != domain.FormTime(&detected, time.UTC) {
		t.Fatalf("refused times: %d %s", r.StatusCode, r.Body)
	}
	if r := vic.hx("/issues/"+is.ID+"/times", form); r.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer set times: %d", r.StatusCode)
	}
	form["started_at"], form["detected_at"] = []string{domain.FormTime(&started, time.UTC)}, []string{domain.FormTime(&detected, time.UTC)}
	r = rita.on("/issues/"+is.ID+"/timeline").hx("/issues/"+is.ID+"/times", form)
	doc = parseBody(t, r.Body)
	if r.StatusCode != http.StatusOK || text(doc.Find("[data-testid=time-started_at]")) != started.Format("2006-01-02 15:04 UTC") ||
		text(doc.Find("[data-testid=time-mitigated_at]")) != "not set" || doc.Find("#issue-header[hx-swap-oob]").Length() != 1 {
		t.Fatalf("times: %d %s", r.StatusCode, r.Body)
	}
	if !hasEvent(doc.Find("#timeline-events"), domain.EventTimesChanged) {
		t.Errorf("no times_changed event in the timeline swap")
	}

	// A dated observation, through the form; a bad date and a system type are refused.
	r = rita.hx("/issues/"+is.ID+"/timeline", url.Values{"event_type": {"observation"}, "description": {"Consumers stopped acking"},
		"occurred_at": {domain.FormTime(&started, time.UTC)}})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("dated entry: %d %s", r.StatusCode, r.Body)
	}
	first := parseBody(t, r.Body).Find("#timeline-events li").First()
	if first.AttrOr("data-event-type", "") != "observation" || !strings.Contains(text(first), "(recorded ") {
		t.Errorf("first entry: %q", text(first))
	}
	for _, bad := range []url.Values{
		{"event_type": {"note"}, "description": {"x"}, "occurred_at": {"yesterday"}},
		{"event_type": {"root_cause_identified"}, "description": {"forged"}},
	} {
		r := rita.hx("/issues/"+is.ID+"/timeline", bad)
		if r.StatusCode != http.StatusUnprocessableEntity || parseBody(t, r.Body).Find(".note-add .field-error").Length() != 1 {
			t.Errorf("%v: %d", bad, r.StatusCode)
		}
	}

	// The API sets times in RFC 3339 with any offset, and the RCA counts from them.
	mitigated := now.Add(-time.Hour).Truncate(time.Minute)
	if r := apiJSON(t, rita, http.MethodPatch, "/api/v1/issues/"+is.ID, map[string]any{"mitigated_at": mitigated.In(time.FixedZone("CET", 3600)).Format(time.RFC3339)}, &detail); r.StatusCode != http.StatusOK ||
		detail.Issue.MitigatedAt == nil || !detail.Issue.MitigatedAt.Equal(mitigated) {
		t.Fatalf("API times: %d %s", r.StatusCode, r.Body)
	}
	var doc2 domain.Document
	if r := apiJSON(t, rita, http.MethodPost, "/api/v1/issues/"+is.ID+"/documents", map[string]any{"kind": "rca"}, &doc2); r.StatusCode != http.StatusCreated {
		t.Fatalf("rca: %d %s", r.StatusCode, r.Body)
	}
	for _, want := range []string{"| Incident ID | " + is.Ref + " |", "- **Time to Detect:** 30m", "- **Time to Mitigate:** 2h 0m"} {
		if !strings.Contains(doc2.ContentMD, want) {
			t.Errorf("the RCA lacks %q:\n%s", want, doc2.ContentMD)
		}
	}
}
