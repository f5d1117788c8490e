package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// IssueRefPrefix starts the id people use for an incident: INC-1234.
const IssueRefPrefix = "INC-"

// IssueRef is the id people say and type for the incident numbered n: "INC-1234".
func IssueRef(n int64) string { return IssueRefPrefix + strconv.FormatInt(n, 10) }

// ParseIssueRef reads an incident's human id, "INC-1234" in any case (also "INC1234"), and
// returns its number.
func ParseIssueRef(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 4 || !strings.EqualFold(s[:3], "INC") {
		return 0, false
	}
	digits := strings.TrimPrefix(s[3:], "-")
	if digits == "" || len(digits) > 18 || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return n, err == nil && n > 0
}

// The times of an incident itself, beside the portal's own record of when people did things:
// when the impact started, when it was detected, mitigated and resolved. They are in that order,
// and none is in the future (beyond clockSkew).
const clockSkew = 5 * time.Minute

// IncidentTime names one of an incident's times.
type IncidentTime struct {
	Field string // the JSON and form field
	Label string
	Event string // how the timeline says it was set: "Impact start set to …"
}

// IncidentTimes are the times of an incident, in the order they happen.
var IncidentTimes = []IncidentTime{
	{"started_at", "Impact started", "Impact start"},
	{"detected_at", "Detected", "Detection time"},
	{"mitigated_at", "Mitigated", "Mitigation time"},
	{"resolved_at", "Resolved", "Resolution time"},
}

// Time returns the incident's time called field, or nil.
func (i *Issue) Time(field string) *time.Time {
	switch field {
	case "started_at":
		return i.StartedAt
	case "detected_at":
		return i.DetectedAt
	case "mitigated_at":
		return i.MitigatedAt
	case "resolved_at":
		return i.ResolvedAt
	}
	return nil
}

func (i *Issue) setTime(field string, t *time.Time) {
	switch field {
	case "started_at":
		i.StartedAt = t
	case "detected_at":
		i.DetectedAt = t
	case "mitigated_at":
		i.MitigatedAt = t
	case "resolved_at":
		i.ResolvedAt = t
	}
}

// TimeField is a time an update may set or clear: left out (Set false), cleared (Set, Time nil)
// or set. In JSON, null or "" clears it; a time is RFC 3339 with its offset.
type TimeField struct {
	Set  bool
	Time *time.Time
}

// SetTime returns a TimeField that sets t.
func SetTime(t time.Time) TimeField { return TimeField{Set: true, Time: &t} }

// ClearTime returns a TimeField that clears the time.
func ClearTime() TimeField { return TimeField{Set: true} }

func (f *TimeField) UnmarshalJSON(b []byte) error {
	f.Set = true
	b = bytes.TrimSpace(b)
	if string(b) == "null" || string(b) == `""` {
		f.Time = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errBadTime
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return errBadTime
	}
	t = t.UTC()
	f.Time = &t
	return nil
}

// MarshalJSON writes the time, or null.
func (f TimeField) MarshalJSON() ([]byte, error) {
	if f.Time == nil {
		return []byte("null"), nil
	}
	return json.Marshal(f.Time.UTC().Format(time.RFC3339))
}

var errBadTime = Errorf(EINVALID, "A time must be written like 2026-03-01T14:05:00Z (RFC 3339, with its offset), or null to clear it.")

// ParseFormTime reads a time from a form's datetime-local field, which is in loc (the user's
// zone; nil is UTC): "" is no time.
func ParseFormTime(s string, loc *time.Location) (*time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, fmt.Errorf("not a time: %q", s)
}

// FormTime writes t for a datetime-local field, in loc (nil is UTC): "" for none.
func FormTime(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02T15:04")
}

// checkTimes checks next's times against each other and now: each after the ones before it,
// none in the future. It names the fields that are wrong.
func checkTimes(next *Issue, now time.Time, fields map[string]string) {
	var prev *IncidentTime
	var prevAt *time.Time
	for k := range IncidentTimes {
		it := &IncidentTimes[k]
		at := next.Time(it.Field)
		if at == nil {
			continue
		}
		if at.After(now.Add(clockSkew)) {
			fields[it.Field] = it.Label + " cannot be in the future."
			continue
		}
		if prevAt != nil && at.Before(*prevAt) {
			fields[it.Field] = fmt.Sprintf("%s cannot be before %s (%s).", it.Label, strings.ToLower(prev.Label), prevAt.UTC().Format("2006-01-02 15:04 UTC"))
			continue
		}
		prev, prevAt = it, at
	}
}

// CheckOccurredAt checks the time a person says a timeline entry happened: not in the future.
func CheckOccurredAt(t *time.Time, now time.Time) error {
	if t != nil && t.After(now.Add(clockSkew)) {
		return Invalid("Please correct the highlighted fields.", map[string]string{"occurred_at": "When it happened cannot be in the future."})
	}
	return nil
}
