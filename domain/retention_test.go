package domain_test

import (
	"testing"

	"tftsr/domain"
)

func TestParseRetentionDays(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"", 0, true}, {"  ", 0, true}, {"1", 1, true}, {" 30 ", 30, true}, {"3650", 3650, true},
		{"0", 0, false}, {"-1", 0, false}, {"3651", 0, false}, {"1.5", 0, false}, {"ten", 0, false},
		{"1e3", 0, false}, {"99999999999999999999", 0, false},
	} {
		got, msg := domain.ParseRetentionDays(c.in)
		if got != c.want || (msg == "") != c.ok {
			t.Errorf("ParseRetentionDays(%q) = %d, %q; want %d, ok %v", c.in, got, msg, c.want, c.ok)
		}
	}
}

func TestSettingsUpdateRetention(t *testing.T) {
	for _, c := range []struct {
		days int
		ok   bool
	}{{0, true}, {1, true}, {3650, true}, {-1, false}, {3651, false}} {
		d := c.days
		u := domain.SettingsUpdate{RetentionOriginalLogDays: &d, RetentionClosedIncidentDays: &d}
		err := u.Validate()
		if (err == nil) != c.ok {
			t.Errorf("%d days: %v", c.days, err)
		}
		if !c.ok && len(domain.ErrorFields(err)) != 2 {
			t.Errorf("%d days: fields %v, want both named", c.days, domain.ErrorFields(err))
		}
	}
	d := 7
	s := domain.SettingsUpdate{RetentionClosedIncidentDays: &d}.Apply(domain.DefaultSettings())
	if s.RetentionClosedIncidentDays != 7 || s.RetentionOriginalLogDays != 0 {
		t.Errorf("applied %+v", s)
	}
	if def := domain.DefaultSettings(); def.RetentionOriginalLogDays != 0 || def.RetentionClosedIncidentDays != 0 {
		t.Errorf("retention is on by default: %+v", def)
	}
}

func TestRetentionSummary(t *testing.T) {
	for _, c := range []struct {
		r    domain.RetentionResult
		want string
	}{
		{domain.RetentionResult{}, "Retention is already running (on this or another server); nothing was done this time."},
		{domain.RetentionResult{Ran: true}, "Retention is off: nothing is deleted."},
		{domain.RetentionResult{Ran: true, OriginalLogDays: 5, OriginalLogsDeleted: 1, IncidentsDeleted: 2}, "Retention ran: deleted the original text of 1 log and 2 closed incidents."},
	} {
		if got := c.r.Summary(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.r, got, c.want)
		}
	}
}
