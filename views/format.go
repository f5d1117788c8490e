package views

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"tftsr/domain"
	"tftsr/markdown"
)

// formatTime shows a time in the signed-in user's zone (UTC unless they chose one), to the
// minute, with the zone's abbreviation: "2026-03-01 15:05 CET".
func formatTime(ctx context.Context, t time.Time) string {
	return t.In(domain.LocationFromContext(ctx)).Format("2006-01-02 15:04 MST")
}

// formatTimePtr shows an optional time, or an em dash.
func formatTimePtr(ctx context.Context, t *time.Time) string {
	if t == nil {
		return "—"
	}
	return formatTime(ctx, *t)
}

// zoneLabel names the signed-in user's zone for a form's label: "Europe/Berlin, UTC+01:00".
func zoneLabel(ctx context.Context) string {
	return domain.ZoneLabel(domain.LocationFromContext(ctx), time.Now())
}

// isoTime is the machine-readable form for <time datetime>.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// relTime says how long ago t was, coarsely.
func relTime(t time.Time) string {
	d := time.Since(t)
	var n int
	var one, many string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		n, one, many = int(d/time.Minute), "minute", "minutes"
	case d < 48*time.Hour:
		n, one, many = int(d/time.Hour), "hour", "hours"
	default:
		n, one, many = int(d/(24*time.Hour)), "day", "days"
	}
	return itoa(n) + " " + domain.Plural(n, one, many) + " ago"
}

func itoa(n int) string { return strconv.Itoa(n) }

// issueURL returns the page of an incident.
func issueURL(id string) templ.SafeURL { return templ.URL("/issues/" + url.PathEscape(id)) }

// path joins a route with escaped segments.
func path(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			p = url.PathEscape(p)
		}
		b.WriteString(p)
	}
	return b.String()
}

// hxHeaders returns the hx-headers value that sends the CSRF token with every htmx request.
func hxHeaders(csrf string) string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": csrf})
	return string(b)
}

// snippetPart is a run of a search snippet, highlighted or not.
type snippetPart struct {
	Text string
	Mark bool
}

// snippetParts splits a search snippet at its highlight markers. The parts are rendered as
// escaped text, the marked ones inside <mark>.
func snippetParts(s string) []snippetPart {
	var parts []snippetPart
	for s != "" {
		i := strings.Index(s, domain.SnippetStart)
		if i < 0 {
			parts = append(parts, snippetPart{Text: stripMarkers(s)})
			break
		}
		if i > 0 {
			parts = append(parts, snippetPart{Text: stripMarkers(s[:i])})
		}
		s = s[i+len(domain.SnippetStart):]
		j := strings.Index(s, domain.SnippetStop)
		if j < 0 {
			j = len(s)
		}
		parts = append(parts, snippetPart{Text: stripMarkers(s[:j]), Mark: true})
		s = s[min(len(s), j+len(domain.SnippetStop)):]
	}
	return parts
}

func stripMarkers(s string) string {
	return strings.NewReplacer(domain.SnippetStart, "", domain.SnippetStop, "").Replace(s)
}

// Markdown renders untrusted Markdown as sanitised HTML, through the pipeline the PDF uses too.
func Markdown(src string) templ.Component {
	html, err := markdown.HTML([]byte(src))
	if err != nil {
		return templ.Raw("<p>" + templ.EscapeString(src) + "</p>")
	}
	return templ.Raw(string(html))
}

// severityClass is the CSS class of a severity badge.
func severityClass(s domain.Severity) string { return "badge sev-" + string(s) }

// statusClass is the CSS class of a status badge.
func statusClass(s domain.Status) string { return "badge st-" + string(s) }

func pageCount(total, perPage int) int {
	if perPage <= 0 {
		return 1
	}
	return max(1, (total+perPage-1)/perPage)
}

func countOf[K comparable](m map[K]int, k K) string { return fmt.Sprint(m[k]) }

func queryEscape(s string) string { return url.QueryEscape(s) }

func int64str(n int64) string { return strconv.FormatInt(n, 10) }

// canRespond reports whether the person the page is rendered for may work on incidents.
func canRespond(ctx context.Context) bool { return domain.Require(ctx, domain.RoleResponder) == nil }

// piiTypeNames lists detected types by their names for people ("Email address, IPv4 address").
func piiTypeNames(types []string) string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = domain.PIITypeName(t)
	}
	return strings.Join(names, ", ")
}
