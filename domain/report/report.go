// Package report builds the portal's incident documents, a root cause analysis and a blameless
// post-mortem, as Markdown. It is pure: the builders read only their Input, so the same incident
// always gives the same text, and it imports only the standard library.
package report

import (
	"fmt"
	"strings"
	"time"
)

// Input is everything a document is built from: an incident, its timeline, its 5-Whys, the logs
// and images attached to it and its action items. Every text is the user's own and is escaped
// where it would otherwise break the document's structure.
type Input struct {
	ID          string
	Title       string
	Description string // Markdown, included as written
	Severity    string // a label, e.g. "High"
	Category    string
	Status      string
	Resolved    bool // whether the status is resolved or closed
	Assignee    string
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ResolvedAt  *time.Time
	// The incident's own times, when the people working it recorded them: when the impact
	// started, was detected and was mitigated. Without them the metrics count from CreatedAt.
	StartedAt   *time.Time
	DetectedAt  *time.Time
	MitigatedAt *time.Time
	// Now is when the document is generated: the end of an ongoing incident and the footer's date.
	Now     time.Time
	Events  []Event
	Whys    []Why
	Logs    []Log
	Images  []Image
	Actions []Action
}

// Event is a timeline event with its label.
type Event struct {
	At          time.Time
	Type        string
	Label       string
	Description string
	Actor       string
}

// Why is one step of the 5-Whys.
type Why struct {
	Number   int
	Question string
	Answer   string
	Evidence string
}

// Log is a log file that was analysed.
type Log struct {
	Name     string
	Size     string // as people read it, "200 KB": domain.FormatBytes, which this package cannot import
	Redacted bool
	Hash     string
}

// Image is an image attached to the incident, shown as a figure. URL is where the portal serves
// it (/images/{id}); the PDF renderer is given the bytes under the same URL.
type Image struct {
	URL     string
	Name    string
	Caption string
}

// Action is an action item.
type Action struct {
	Priority string
	Action   string
	Owner    string
	Due      string
	Status   string
}

// eventRootCause is the timeline event type that marks the root cause as found.
const eventRootCause = "root_cause_identified"

// Metrics are the durations a document reports, already formatted.
type Metrics struct {
	Duration        string // impact start → resolved, or → now with " (ongoing)"
	TimeToDetect    string
	TimeToMitigate  string
	TimeToRootCause string
	TimeToResolve   string
}

// ComputeMetrics returns the durations of the incident in. They are counted from when the impact
// started, else when it was detected, else when the incident was opened: time to detect needs
// the start; time to mitigate and resolve need their times; time to the root cause needs the
// root_cause_identified event (at the time it happened, when a person gave one).
func ComputeMetrics(in Input) Metrics {
	m := Metrics{Duration: "N/A", TimeToDetect: "N/A", TimeToMitigate: "N/A", TimeToRootCause: "N/A", TimeToResolve: "N/A"}
	start := in.CreatedAt
	switch {
	case in.StartedAt != nil:
		start = *in.StartedAt
	case in.DetectedAt != nil:
		start = *in.DetectedAt
	}
	if in.StartedAt != nil {
		detected := in.CreatedAt
		if in.DetectedAt != nil {
			detected = *in.DetectedAt
		}
		m.TimeToDetect = FormatDuration(start, detected)
	}
	if in.MitigatedAt != nil {
		m.TimeToMitigate = FormatDuration(start, *in.MitigatedAt)
	}
	if in.ResolvedAt != nil {
		m.Duration = FormatDuration(start, *in.ResolvedAt)
		m.TimeToResolve = m.Duration
	} else if !in.Now.IsZero() {
		if d := FormatDuration(start, in.Now); d != "N/A" {
			m.Duration = d + " (ongoing)"
		}
	}
	for _, e := range in.Events {
		if e.Type == eventRootCause {
			m.TimeToRootCause = FormatDuration(start, e.At)
			break
		}
	}
	return m
}

// FormatDuration formats the time from start to end in whole minutes: "3d 4h" from a day up,
// "2h 15m" from an hour up, "45m" below. A missing end, a missing start or a negative duration
// is "N/A".
func FormatDuration(start, end time.Time) string {
	if start.IsZero() || end.IsZero() || end.Before(start) {
		return "N/A"
	}
	mins := int64(end.Sub(start) / time.Minute)
	switch {
	case mins >= 24*60:
		return fmt.Sprintf("%dd %dh", mins/(24*60), mins%(24*60)/60)
	case mins >= 60:
		return fmt.Sprintf("%dh %dm", mins/60, mins%60)
	}
	return fmt.Sprintf("%dm", mins)
}

// formatTime formats a time for documents: "2026-03-01 14:05 UTC".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// RootCause returns the root cause the 5-Whys found: the answer to why 5, or else the answer of
// the highest answered why, and whether the analysis is complete (why 5 answered).
func RootCause(whys []Why) (string, bool) {
	best, bestN := "", 0
	for _, w := range whys {
		if strings.TrimSpace(w.Answer) != "" && w.Number > bestN {
			best, bestN = w.Answer, w.Number
		}
	}
	return best, bestN >= 5
}

// inline flattens user text onto one line: runs of white space, newlines included, become one
// space, so that the text cannot end a list item, a heading or a table row.
func inline(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// cell makes user text safe inside a table cell: one line, with pipes escaped.
func cell(s string) string {
	s = inline(s)
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	if s == "" {
		return " "
	}
	return s
}

// heading makes user text safe inside a heading: one line, without trailing #s being eaten.
func heading(s string) string {
	s = inline(s)
	if strings.HasSuffix(s, "#") {
		s = s[:len(s)-1] + `\#`
	}
	return s
}

// altText makes user text safe as an image's alternative text.
func altText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`)
	return r.Replace(inline(s))
}

// quote turns text into a block quote, line by line.
func quote(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("> "+l, " ")
	}
	return strings.Join(lines, "\n")
}

// block keeps multi-line user text inside a paragraph that follows a label: each line break
// becomes a Markdown hard break, and blank lines are dropped so the paragraph does not end.
func block(s string) string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "  \n")
}

// orNone returns s, or "N/A" when s is empty.
func orNone(s, none string) string {
	if strings.TrimSpace(s) == "" {
		return none
	}
	return s
}

// hashPrefix returns the first 12 characters of a content hash.
func hashPrefix(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return orNone(h, "N/A")
}

// yesNo formats a flag.
func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// footer is the last line of every document.
func footer(b *strings.Builder, now time.Time) {
	fmt.Fprintf(b, "---\n\n_Generated by TFTSR on %s._\n", formatTime(now))
}

// table writes a Markdown table; the cells must already be escaped.
func table(b *strings.Builder, header []string, rows [][]string) {
	b.WriteString("| " + strings.Join(header, " | ") + " |\n")
	seps := make([]string, len(header))
	for i := range seps {
		seps[i] = "---"
	}
	b.WriteString("| " + strings.Join(seps, " | ") + " |\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	b.WriteString("\n")
}

// figures writes the images as numbered figures with captions.
func figures(b *strings.Builder, images []Image) {
	for i, img := range images {
		caption := img.Caption
		if strings.TrimSpace(caption) == "" {
			caption = img.Name
		}
		fmt.Fprintf(b, "![%s](%s)\n\n_Figure %d: %s_\n\n", altText(img.Name), img.URL, i+1, escapeEmphasis(inline(caption)))
	}
}

// escapeEmphasis escapes the characters that would end or start emphasis in a caption.
func escapeEmphasis(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "_", `\_`, "*", `\*`, "[", `\[`, "]", `\]`, "<", `\<`)
	return r.Replace(s)
}

// actionRows returns the action items as escaped table rows.
func actionRows(actions []Action) [][]string {
	rows := make([][]string, 0, len(actions))
	for _, a := range actions {
		rows = append(rows, []string{cell(a.Priority), cell(a.Action), cell(orNone(a.Owner, "Unassigned")),
			cell(orNone(a.Due, "—")), cell(a.Status)})
	}
	return rows
}
