package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tftsr/domain"
)

// TestRetentionSettings: admins set and run retention from the Settings page; everyone else
// sees the values and is refused; every change needs the CSRF token.
func TestRetentionSettings(t *testing.T) {
	bp := buildPortal(t, portalOptions{})
	createTestUsers(t, bp.users)
	p := bp.portal()
	bg := context.Background()
	admin := p.login(t, "admin")

	page := admin.get("/settings", nil)
	for _, want := range []string{`<h2 id="retention-heading">Retention</h2>`, `<form id="retention-form"`,
		`name="retention_original_log_days" id="retention-log-days" value=""`, `id="retention-run"`, `action="/settings/retention/run"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("admin's settings page lacks %s", want)
		}
	}

	// Refused: without the token, as a responder or a viewer.
	if r := admin.postForm("/settings/retention", url.Values{"retention_original_log_days": {"30"}}, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("retention save without a CSRF token: %d, want 403", r.StatusCode)
	}
	if r := admin.postForm("/settings/retention/run", url.Values{}, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("retention run without a CSRF token: %d, want 403", r.StatusCode)
	}
	for _, name := range []string{"rita", "vic"} {
		c := p.login(t, name)
		r := c.get("/settings", nil)
		if !strings.Contains(r.Body, `data-testid="retention-settings"`) || !strings.Contains(r.Body, "Off: kept for ever") || strings.Contains(r.Body, `id="retention-form"`) {
			t.Errorf("%s's settings page: want the retention values read-only", name)
		}
		tok := c.csrf()
		if r := c.postForm("/settings/retention", url.Values{"retention_original_log_days": {"30"}, "_csrf": {tok}}, nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s saved retention: %d, want 403", name, r.StatusCode)
		}
		if r := c.postForm("/settings/retention/run", url.Values{"_csrf": {tok}}, nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s ran retention: %d, want 403", name, r.StatusCode)
		}
	}
	sys := domain.NewSystemContext(bg, "test")
	if st, err := bp.services.Settings.GetSettings(sys); err != nil || st.RetentionOriginalLogDays != 0 || st.RetentionClosedIncidentDays != 0 {
		t.Fatalf("refused requests changed the settings: %+v %v", st, err)
	}

	// Bad values re-render the form with a message, the text escaped; nothing is saved.
	tok := admin.csrf()
	for _, bad := range []string{"0", "-1", "3651", "ten", "1.5", "<b>9</b>"} {
		r := admin.postForm("/settings/retention", url.Values{"retention_original_log_days": {"7"}, "retention_closed_incident_days": {bad}, "_csrf": {tok}}, nil)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Enter a number of days from 1 to 3650") {
			t.Errorf("closed incident days %q: %d, want 422 with the message", bad, r.StatusCode)
		}
		if strings.Contains(r.Body, "<b>9</b>") {
			t.Error("the submitted value is not escaped")
		}
	}
	if r := admin.postForm("/settings/retention", url.Values{"retention_original_log_days": {"abc"}, "_csrf": {tok}}, http.Header{"HX-Request": {"true"}}); r.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(strings.TrimSpace(r.Body), `<form id="retention-form"`) {
		t.Errorf("htmx save of a bad value: %d, want 422 with the form alone", r.StatusCode)
	}
	if st, _ := bp.services.Settings.GetSettings(sys); st.RetentionOriginalLogDays != 0 {
		t.Fatalf("a refused save changed the settings: %+v", st)
	}

	// A good save, then a run: the message says what it did and the run is audited.
	r := admin.postForm("/settings/retention", url.Values{"retention_original_log_days": {" 30 "}, "retention_closed_incident_days": {"3650"}, "_csrf": {tok}}, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save retention: %d %s", r.StatusCode, r.Body)
	}
	page = admin.get("/settings", nil)
	if !strings.Contains(page.Body, "Retention settings saved.") || !strings.Contains(page.Body, `id="retention-log-days" value="30"`) || !strings.Contains(page.Body, `id="retention-incident-days" value="3650"`) {
		t.Errorf("after the save the page does not show the values")
	}
	if st, _ := bp.services.Settings.GetSettings(sys); st.RetentionOriginalLogDays != 30 || st.RetentionClosedIncidentDays != 3650 {
		t.Errorf("stored %+v", st)
	}
	r = admin.postForm("/settings/retention/run", url.Values{"_csrf": {tok}}, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/settings" {
		t.Fatalf("run retention: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	page = admin.get("/settings", nil)
	if !strings.Contains(page.Body, "Retention ran: deleted the original text of 0 logs and 0 closed incidents.") {
		t.Error("the settings page does not say what the run did")
	}
	var n int
	if err := bp.db.Pool.QueryRow(bg, `SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.actor_id
		WHERE a.action = 'retention.run' AND u.username = 'admin'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d retention.run audit entries by the admin (%v), want 1", n, err)
	}

	// Clearing a field turns that rule off.
	if r := admin.postForm("/settings/retention", url.Values{"retention_original_log_days": {""}, "retention_closed_incident_days": {"90"}, "_csrf": {tok}}, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save retention: %d", r.StatusCode)
	}
	if st, _ := bp.services.Settings.GetSettings(sys); st.RetentionOriginalLogDays != 0 || st.RetentionClosedIncidentDays != 90 {
		t.Errorf("stored %+v, want originals kept and incidents after 90 days", st)
	}
}
