package domain

import (
	"context"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the zone database, for hosts and containers without /usr/share/zoneinfo
	"unicode/utf8"
)

// MaxTimeZoneLen bounds a time zone's name (the longest IANA name has 32 characters).
const MaxTimeZoneLen = 64

// CheckTimeZone normalises name, an IANA time zone name (Europe/Berlin) or "" for UTC, and says
// what is wrong with it. "UTC" is stored as "".
func CheckTimeZone(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || name == "UTC" {
		return "", nil
	}
	if len(name) > MaxTimeZoneLen || !utf8.ValidString(name) || name == "Local" || strings.ContainsAny(name, "\x00\\") ||
		strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return "", errBadZone
	}
	if _, err := time.LoadLocation(name); err != nil {
		return "", errBadZone
	}
	return name, nil
}

var errBadZone = Invalid("Please correct the highlighted fields.",
	map[string]string{"time_zone": "Choose a time zone such as Europe/Berlin or America/New_York (an IANA name), or UTC."})

// locations caches the zones loaded by name.
var locations sync.Map

// Location is the user's time zone, UTC when they chose none (or for nobody).
func (u *User) Location() *time.Location {
	if u == nil || u.TimeZone == "" {
		return time.UTC
	}
	return LoadZone(u.TimeZone)
}

// LoadZone returns the zone of a name CheckTimeZone accepted, UTC for "" or a name that no
// longer loads.
func LoadZone(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	locations.Store(name, l)
	return l
}

// LocationFromContext is the time zone of the signed-in user of ctx: UTC for nobody.
func LocationFromContext(ctx context.Context) *time.Location {
	return UserFromContext(ctx).Location()
}

// ZoneLabel names loc with its offset at t, as forms and headings show it: "Europe/Berlin,
// UTC+01:00", or "UTC".
func ZoneLabel(loc *time.Location, t time.Time) string {
	if loc == nil || loc == time.UTC {
		return "UTC"
	}
	return loc.String() + ", UTC" + t.In(loc).Format("-07:00")
}
