package domain_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tftsr/domain"
)

func TestParseIssueRef(t *testing.T) {
	for in, want := range map[string]int64{"INC-1234": 1234, "inc-7": 7, " INC42 ": 42, "Inc-0001": 1} {
		if n, ok := domain.ParseIssueRef(in); !ok || n != want {
			t.Errorf("ParseIssueRef(%q) = %d, %v; want %d", in, n, ok, want)
		}
	}
	for _, in := range []string{"", "INC-", "INC-0", "INC--1", "INC-12a", "INC-1 2", "12", "0195f0a4-1111-7000-8000-000000000001",
		"INC-99999999999999999999", "INCIDENT-1", "IN-12"} {
		if n, ok := domain.ParseIssueRef(in); ok {
			t.Errorf("ParseIssueRef(%q) = %d, want not a ref", in, n)
		}
	}
	if got := domain.IssueRef(1234); got != "INC-1234" {
		t.Errorf("IssueRef = %q", got)
	}
}

func TestApplyIssueUpdate_Times(t *testing.T) {
	created := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	now := time.Date(2026, 4, 3, 11, 30, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return time.Date(2026, 4, 1, h, m, 0, 0, time.UTC) }
	open := &domain.Issue{ID: "i1", Status: domain.StatusInvestigating, CreatedAt: created, UpdatedAt: created}

	// Setting the times records each, in one event, and audits them.
	c, err := domain.ApplyIssueUpdate(open, domain.IssueUpdate{StartedAt: domain.SetTime(at(8, 40)), DetectedAt: domain.SetTime(at(8, 55)),
		MitigatedAt: domain.SetTime(at(10, 5))}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Issue.StartedAt.Equal(at(8, 40)) || !c.Issue.DetectedAt.Equal(at(8, 55)) || !c.Issue.MitigatedAt.Equal(at(10, 5)) ||
		!c.Issue.UpdatedAt.Equal(now) || len(c.Events) != 1 || c.Events[0].Type != domain.EventTimesChanged {
		t.Fatalf("change = %+v", c)
	}
	if want := "Impact start set to 2026-04-01 08:40 UTC; Detection time set to 2026-04-01 08:55 UTC; Mitigation time set to 2026-04-01 10:05 UTC"; c.Events[0].Description != want {
		t.Errorf("event %q", c.Events[0].Description)
	}
	if ch, ok := c.Changes["started_at"].(domain.FieldChange); !ok || ch.To != "2026-04-01T08:40:00Z" || ch.From != nil {
		t.Errorf("audit change %#v", c.Changes["started_at"])
	}

	// The same again changes nothing; clearing one is recorded.
	withTimes := c.Issue
	if c, err := domain.ApplyIssueUpdate(&withTimes, domain.IssueUpdate{StartedAt: domain.SetTime(at(8, 40))}, nil, now); err != nil || c.Changed() {
		t.Errorf("no-op: %+v %v", c, err)
	}
	c, err = domain.ApplyIssueUpdate(&withTimes, domain.IssueUpdate{MitigatedAt: domain.ClearTime()}, nil, now)
	if err != nil || c.Issue.MitigatedAt != nil || c.Events[0].Description != "Mitigation time cleared" {
		t.Errorf("clear: %+v %v", c, err)
	}

	// Out of order, in the future, and a resolved time on an open incident are refused by field.
	for _, tt := range []struct {
		name  string
		u     domain.IssueUpdate
		field string
		msg   string
	}{
		{"detected before start", domain.IssueUpdate{DetectedAt: domain.SetTime(at(8, 30))}, "detected_at", "Detected cannot be before impact started (2026-04-01 08:40 UTC)."},
		{"mitigated before detected", domain.IssueUpdate{MitigatedAt: domain.SetTime(at(8, 50))}, "mitigated_at", "Mitigated cannot be before detected (2026-04-01 08:55 UTC)."},
		{"future", domain.IssueUpdate{MitigatedAt: domain.SetTime(now.Add(time.Hour))}, "mitigated_at", "Mitigated cannot be in the future."},
		{"resolved while open", domain.IssueUpdate{ResolvedAt: domain.SetTime(at(11, 0))}, "resolved_at", "Only a resolved or closed incident has a resolved time."},
	} {
		_, err := domain.ApplyIssueUpdate(&withTimes, tt.u, nil, now)
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorFields(err)[tt.field] != tt.msg {
			t.Errorf("%s: %v %v", tt.name, err, domain.ErrorFields(err))
		}
	}

	// Resolving sets the resolved time to now; it can then be corrected, not cleared, and not
	// before the mitigation.
	c, err = domain.ApplyIssueUpdate(&withTimes, domain.IssueUpdate{Status: ptr(domain.StatusResolved)}, nil, now)
	if err != nil || !c.Issue.ResolvedAt.Equal(now) {
		t.Fatalf("resolve: %+v %v", c, err)
	}
	resolved := c.Issue
	c, err = domain.ApplyIssueUpdate(&resolved, domain.IssueUpdate{ResolvedAt: domain.SetTime(at(11, 0))}, nil, now)
	if err != nil || !c.Issue.ResolvedAt.Equal(at(11, 0)) || c.Events[0].Description != "Resolution time set to 2026-04-01 11:00 UTC" {
		t.Errorf("correct resolved: %+v %v", c, err)
	}
	if _, err := domain.ApplyIssueUpdate(&resolved, domain.IssueUpdate{ResolvedAt: domain.ClearTime()}, nil, now); domain.ErrorFields(err)["resolved_at"] == "" {
		t.Errorf("clearing the resolved time: %v", err)
	}
	if _, err := domain.ApplyIssueUpdate(&resolved, domain.IssueUpdate{ResolvedAt: domain.SetTime(at(10, 0))}, nil, now); domain.ErrorFields(err)["resolved_at"] == "" {
		t.Errorf("resolved before mitigated: %v", err)
	}
	// Resolving with a time given takes that time.
	c, err = domain.ApplyIssueUpdate(&withTimes, domain.IssueUpdate{Status: ptr(domain.StatusResolved), ResolvedAt: domain.SetTime(at(12, 0))}, nil, now)
	if err != nil || !c.Issue.ResolvedAt.Equal(at(12, 0)) {
		t.Errorf("resolve at: %+v %v", c, err)
	}
}

func TestTimeFieldJSON(t *testing.T) {
	var u domain.IssueUpdate
	if err := json.Unmarshal([]byte(`{"started_at":"2026-04-01T10:40:00+02:00","detected_at":null,"mitigated_at":""}`), &u); err != nil {
		t.Fatal(err)
	}
	if !u.StartedAt.Set || !u.StartedAt.Time.Equal(time.Date(2026, 4, 1, 8, 40, 0, 0, time.UTC)) || u.StartedAt.Time.Location() != time.UTC ||
		!u.DetectedAt.Set || u.DetectedAt.Time != nil || !u.MitigatedAt.Set || u.MitigatedAt.Time != nil || u.ResolvedAt.Set || u.Empty() {
		t.Errorf("decoded %+v", u)
	}
	if err := json.Unmarshal([]byte(`{"started_at":"yesterday"}`), &u); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Errorf("bad time: %v", err)
	}
	if err := json.Unmarshal([]byte(`{}`), &u); err != nil {
		t.Fatal(err)
	}
}

func TestParseFormTime(t *testing.T) {
	if got, err := domain.ParseFormTime("2026-04-01T08:40", time.UTC); err != nil || !got.Equal(time.Date(2026, 4, 1, 8, 40, 0, 0, time.UTC)) {
		t.Errorf("%v %v", got, err)
	}
	if got, err := domain.ParseFormTime(" ", time.UTC); err != nil || got != nil {
		t.Errorf("empty: %v %v", got, err)
	}
	for _, bad := range []string{"01/04/2026 08:40", "2026-13-01T08:40", "now"} {
		if _, err := domain.ParseFormTime(bad, time.UTC); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got := domain.FormTime(ptr(time.Date(2026, 4, 1, 8, 40, 30, 0, time.FixedZone("x", 3600))), nil); got != "2026-04-01T07:40" {
		t.Errorf("FormTime = %q", got)
	}
}

// TestFormTimeInZone: a form's time is read and written in the user's zone, across a change of
// daylight saving time, and stored in UTC.
func TestFormTimeInZone(t *testing.T) {
	berlin := domain.LoadZone("Europe/Berlin")
	for _, c := range []struct{ form, utc string }{
		{"2026-01-15T10:00", "2026-01-15T09:00:00Z"}, // CET, UTC+1
		{"2026-07-15T10:00", "2026-07-15T08:00:00Z"}, // CEST, UTC+2
	} {
		got, err := domain.ParseFormTime(c.form, berlin)
		if err != nil || got.Location() != time.UTC || got.Format(time.RFC3339) != c.utc {
			t.Errorf("ParseFormTime(%q, Berlin) = %v, %v; want %s in UTC", c.form, got, err, c.utc)
		}
		if back := domain.FormTime(got, berlin); back != c.form {
			t.Errorf("FormTime(%v, Berlin) = %q, want %q", got, back, c.form)
		}
	}
}

func TestCheckTimeZone(t *testing.T) {
	for in, want := range map[string]string{"": "", "UTC": "", " Europe/Berlin ": "Europe/Berlin", "America/Argentina/Buenos_Aires": "America/Argentina/Buenos_Aires"} {
		if got, err := domain.CheckTimeZone(in); err != nil || got != want {
			t.Errorf("CheckTimeZone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"Local", "Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Europe/Berlin\x00", "<b>Europe</b>", strings.Repeat("A", 65), "\xff"} {
		if _, err := domain.CheckTimeZone(bad); domain.ErrorCode(err) != domain.EINVALID || domain.ErrorFields(err)["time_zone"] == "" {
			t.Errorf("CheckTimeZone(%q) = %v, want a time_zone field error", bad, err)
		}
	}
	if got := domain.ZoneLabel(domain.LoadZone("Europe/Berlin"), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)); got != "Europe/Berlin, UTC+02:00" {
		t.Errorf("ZoneLabel = %q", got)
	}
	if got := (*domain.User)(nil).Location(); got != time.UTC {
		t.Errorf("nobody's zone %v, want UTC", got)
	}
}
