package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tftsr/domain"
)

// TestUserTimeZone: a user picks their zone on the profile page (any IANA name; a bad one is
// refused with the field named and the typed text kept), and from then on their pages show
// times in it, with its abbreviation, and the times they type are read in it. Other users still
// see UTC; the API stays in UTC.
func TestUserTimeZone(t *testing.T) {
	p := newTestPortal(t)
	rita, vic := p.login(t, "rita"), p.login(t, "vic")
	var is domain.Issue
	if r := apiJSON(t, rita, http.MethodPost, "/api/v1/issues", map[string]any{"title": "Disk full", "severity": "high"}, &is); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}

	// Refused names, by form and fragment; nothing changes.
	for _, bad := range []string{"Mars/Olympus", "<script>x</script>", "../../etc/passwd", "Local", strings.Repeat("Z", 80)} {
		r := vic.hx("/profile/time-zone", url.Values{"time_zone": {bad}})
		doc := parseBody(t, r.Body)
		if r.StatusCode != http.StatusUnprocessableEntity || text(doc.Find("#time_zone-error")) == "" || doc.Find("#time-zone").AttrOr("value", "") != bad {
			t.Errorf("zone %q: %d %s", bad, r.StatusCode, r.Body)
		}
		if strings.Contains(r.Body, "<script>x") {
			t.Errorf("zone %q echoed as markup", bad)
		}
	}
	if r := vic.postForm("/profile/time-zone", url.Values{"time_zone": {"Europe/Berlin"}}, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", r.StatusCode)
	}

	// A viewer may set their own zone.
	r := vic.postForm("/profile/time-zone", url.Values{"time_zone": {"Europe/Berlin"}, "_csrf": {vic.csrf()}}, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("set zone: %d %s", r.StatusCode, r.Body)
	}
	profile := parseBody(t, vic.get("/profile", nil).Body)
	if got := profile.Find("#time-zone").AttrOr("value", ""); got != "Europe/Berlin" {
		t.Errorf("profile zone field %q", got)
	}
	var me domain.User
	if r := apiJSON(t, vic, http.MethodGet, "/api/v1/me", nil, &me); r.StatusCode != http.StatusOK || me.TimeZone != "Europe/Berlin" {
		t.Errorf("/api/v1/me: %d %s", r.StatusCode, r.Body)
	}

	// Times on the incident page: in Berlin time for vic, in UTC for rita.
	now := time.Now().UTC()
	started := now.Add(-3 * time.Hour).Truncate(time.Minute)
	if r := rita.hx("/issues/"+is.ID+"/times", url.Values{"started_at": {domain.FormTime(&started, time.UTC)}}); r.StatusCode != http.StatusOK {
		t.Fatalf("times: %d %s", r.StatusCode, r.Body)
	}
	berlin := domain.LoadZone("Europe/Berlin")
	vicPage := parseBody(t, vic.get("/issues/"+is.ID, nil).Body)
	if got, want := text(vicPage.Find("[data-testid=time-started_at]")), started.In(berlin).Format("2006-01-02 15:04 MST"); got != want {
		t.Errorf("vic sees started %q, want %q", got, want)
	}
	if got := text(vicPage.Find("#incident-times-title")); !strings.Contains(got, "Europe/Berlin, UTC+0") {
		t.Errorf("times heading %q does not name the zone", got)
	}
	ritaPage := parseBody(t, rita.get("/issues/"+is.ID, nil).Body)
	if got, want := text(ritaPage.Find("[data-testid=time-started_at]")), started.Format("2006-01-02 15:04 UTC"); got != want {
		t.Errorf("rita sees started %q, want %q", got, want)
	}

	// What rita types after choosing New York is read in New York time.
	if r := rita.postForm("/profile/time-zone", url.Values{"time_zone": {"America/New_York"}, "_csrf": {rita.csrf()}}, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("rita's zone: %d", r.StatusCode)
	}
	ny := domain.LoadZone("America/New_York")
	detected := now.Add(-2 * time.Hour).Truncate(time.Minute)
	r = rita.hx("/issues/"+is.ID+"/times", url.Values{"started_at": {domain.FormTime(&started, ny)}, "detected_at": {domain.FormTime(&detected, ny)}})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("times in New York: %d %s", r.StatusCode, r.Body)
	}
	var detail domain.IssueDetail
	if r := apiJSON(t, rita, http.MethodGet, "/api/v1/issues/"+is.ID, nil, &detail); r.StatusCode != http.StatusOK ||
		detail.Issue.DetectedAt == nil || !detail.Issue.DetectedAt.Equal(detected) || !strings.Contains(r.Body, detected.Format(time.RFC3339)) {
		t.Errorf("detected through the API: %d %s (want %s)", r.StatusCode, r.Body, detected.Format(time.RFC3339))
	}

	// Through htmx: the page reloads, since every time on it changes.
	if r := vic.hx("/profile/time-zone", url.Values{"time_zone": {"Asia/Tokyo"}}); r.StatusCode != http.StatusOK || r.Header.Get("HX-Refresh") != "true" {
		t.Errorf("htmx zone change: %d, HX-Refresh %q", r.StatusCode, r.Header.Get("HX-Refresh"))
	}

	// Back to UTC.
	if r := vic.postForm("/profile/time-zone", url.Values{"time_zone": {"UTC"}, "_csrf": {vic.csrf()}}, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("back to UTC: %d", r.StatusCode)
	}
	if got := text(parseBody(t, vic.get("/issues/"+is.ID, nil).Body).Find("[data-testid=time-started_at]")); got != started.Format("2006-01-02 15:04 UTC") {
		t.Errorf("after UTC: %q", got)
	}
}

// TestNewIncidentTimes: an incident recorded after the fact gets its start and detection times
// on the new incident form (read in the user's zone) or in the API; bad, future and out of order
// times are refused by field, keeping what was typed.
func TestNewIncidentTimes(t *testing.T) {
	p := newTestPortal(t)
	rita := p.login(t, "rita")
	if r := rita.postForm("/profile/time-zone", url.Values{"time_zone": {"Asia/Kolkata"}, "_csrf": {rita.csrf()}}, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("zone: %d", r.StatusCode)
	}
	kolkata := domain.LoadZone("Asia/Kolkata")
	now := time.Now().UTC()
	started, detected := now.Add(-26*time.Hour).Truncate(time.Minute), now.Add(-25*time.Hour).Truncate(time.Minute)
	future := now.Add(3 * time.Hour)

	form := parseBody(t, rita.get("/issues/new", nil).Body)
	if got := text(form.Find(".new-issue-times legend")); !strings.Contains(got, "Asia/Kolkata, UTC+05:30") {
		t.Errorf("new incident form's times legend %q does not name the zone", got)
	}
	for _, bad := range []struct{ started, detected, field string }{
		{"yesterday", "", "started_at"},
		{domain.FormTime(&future, kolkata), "", "started_at"},
		{domain.FormTime(&detected, kolkata), domain.FormTime(&started, kolkata), "detected_at"},
	} {
		r := rita.hx("/issues", url.Values{"title": {"Late report"}, "started_at": {bad.started}, "detected_at": {bad.detected}})
		doc := parseBody(t, r.Body)
		if r.StatusCode != http.StatusUnprocessableEntity || text(doc.Find("#"+bad.field+"-error")) == "" ||
			doc.Find("#issue-started-at").AttrOr("value", "") != bad.started {
			t.Errorf("times %q/%q: %d %s", bad.started, bad.detected, r.StatusCode, r.Body)
		}
	}

	r := rita.postForm("/issues", url.Values{"_csrf": {rita.csrf()}, "title": {"Late report"},
		"started_at": {domain.FormTime(&started, kolkata)}, "detected_at": {domain.FormTime(&detected, kolkata)}}, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	id := strings.TrimPrefix(r.Header.Get("Location"), "/issues/")
	var detail domain.IssueDetail
	if r := apiJSON(t, rita, http.MethodGet, "/api/v1/issues/"+id, nil, &detail); r.StatusCode != http.StatusOK ||
		detail.Issue.StartedAt == nil || !detail.Issue.StartedAt.Equal(started) || detail.Issue.DetectedAt == nil || !detail.Issue.DetectedAt.Equal(detected) {
		t.Errorf("created times: %d %s (want %s, %s)", r.StatusCode, r.Body, started, detected)
	}

	// The API takes them in RFC 3339.
	var is domain.Issue
	if r := apiJSON(t, rita, http.MethodPost, "/api/v1/issues", map[string]any{"title": "From the API", "started_at": started.Format(time.RFC3339)}, &is); r.StatusCode != http.StatusCreated ||
		is.StartedAt == nil || !is.StartedAt.Equal(started) {
		t.Errorf("API create with started_at: %d %s", r.StatusCode, r.Body)
	}
	if r := apiJSON(t, rita, http.MethodPost, "/api/v1/issues", map[string]any{"title": "Future", "detected_at": future.Format(time.RFC3339)}, nil); r.StatusCode != http.StatusBadRequest && r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("API create with a future time: %d %s", r.StatusCode, r.Body)
	}
}

// TestFavicon: every page names the portal's icon, and it is served as SVG.
func TestFavicon(t *testing.T) {
	p := newTestPortal(t)
	for page, c := range map[string]*client{"/login": p.anonymous(t), "/": p.login(t, "vic")} {
		doc := parseBody(t, c.get(page, nil).Body)
		href := doc.Find(`link[rel=icon]`).AttrOr("href", "")
		if href == "" {
			t.Fatalf("no icon link on %s", page)
		}
		r := c.get(href, nil)
		if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(r.Body, "<svg") {
			t.Errorf("icon %s: %d %s", href, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
}

// TestPageWording: one search result is "1 result"; the dashboard's activity names the incident
// by its ref and names who did it once (the portal's own events already begin with the name).
func TestPageWording(t *testing.T) {
	p := newTestPortal(t)
	rita := p.login(t, "rita")
	var is domain.Issue
	if r := apiJSON(t, rita, http.MethodPost, "/api/v1/issues", map[string]any{"title": "Zanzibarqueue stuck"}, &is); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	if r := apiJSON(t, rita, http.MethodPost, "/api/v1/issues/"+is.ID+"/timeline", map[string]any{"event_type": "note", "description": "Restarted the consumer"}, nil); r.StatusCode != http.StatusCreated {
		t.Fatalf("note: %d %s", r.StatusCode, r.Body)
	}
	if got := text(parseBody(t, rita.get("/search?q=zanzibarqueue", nil).Body).Find("main p.muted").First()); !strings.HasPrefix(got, "1 result for") {
		t.Errorf("search summary %q, want 1 result for …", got)
	}
	rows := parseBody(t, rita.get("/", nil).Body).Find("ul.activity li")
	if rows.Length() != 2 {
		t.Fatalf("%d activity rows, want 2", rows.Length())
	}
	created, note := text(rows.Eq(1)), text(rows.Eq(0))
	name := "rita"
	if !strings.Contains(created, is.Ref+" Zanzibarqueue stuck") || strings.Count(created, name) != 1 {
		t.Errorf("created row %q: want the ref and %s once", created, name)
	}
	if !strings.Contains(note, "Restarted the consumer — "+name) {
		t.Errorf("note row %q: want the note's author after it", note)
	}
}
