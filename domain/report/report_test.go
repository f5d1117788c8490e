package report_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tftsr/domain/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// fullInput is an incident with every kind of data, including text that would break the
// document's structure if it were not escaped.
func fullInput() report.Input {
	resolved := at("2026-03-02T16:20:00Z")
	return report.Input{
		ID: "0195f0a4-1111-7000-8000-000000000001", Title: "Checkout latency spike #",
		Description: "Checkout p99 rose to **8 s** after the 14:00 deploy.\n\nCustomers saw time-outs.",
		Severity:    "High", Category: "Application", Status: "Resolved", Resolved: true,
		Assignee: "Dana Ops", CreatedBy: "Sam", CreatedAt: at("2026-03-01T14:05:00Z"),
		UpdatedAt: at("2026-03-02T16:30:00Z"), ResolvedAt: &resolved, Now: at("2026-03-03T09:00:00Z"),
		StartedAt: ptr(at("2026-03-01T13:40:00Z")), DetectedAt: ptr(at("2026-03-01T13:55:00Z")), MitigatedAt: ptr(at("2026-03-01T15:10:00Z")),
		Events: []report.Event{
			{At: at("2026-03-01T14:05:00Z"), Type: "issue_created", Label: "Incident created", Description: "Sam opened the incident"},
			{At: at("2026-03-01T14:20:00Z"), Type: "log_uploaded", Label: "Log file uploaded", Description: "app.log | gateway"},
			{At: at("2026-03-01T16:20:00Z"), Type: "root_cause_identified", Label: "Root cause identified", Description: "Pool size\nreduced"},
			{At: at("2026-03-02T09:00:00Z"), Type: "note", Label: "Note", Description: "Rolled back <b>v2</b>"},
		},
		Whys: []report.Why{
			{Number: 1, Question: "Why was checkout slow?", Answer: "DB connections were exhausted.", Evidence: "app.log lines 10-40"},
			{Number: 2, Question: "Why were connections exhausted?", Answer: "The pool shrank from 50 to 5.\nNobody noticed."},
			{Number: 3, Question: "Why did the pool shrink?", Answer: ""},
		},
		Logs: []report.Log{
			{Name: "app|1.log", Size: "200 KB", Redacted: true, Hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
			{Name: "gateway.log", Size: "512 bytes", Redacted: false, Hash: "abc"},
		},
		Images: []report.Image{
			{URL: "/images/0195f0a4-2222-7000-8000-000000000002", Name: "grafana [p99].png", Caption: "Latency_panel"},
		},
		Actions: []report.Action{
			{Priority: "P0", Action: "Restore pool size | add alert", Owner: "Dana Ops", Due: "2026-03-05", Status: "Done"},
			{Priority: "P2", Action: "Review config\nchanges", Owner: "", Due: "", Status: "Open"},
		},
	}
}

// emptyInput is an incident with nothing but its own fields.
func emptyInput() report.Input {
	return report.Input{
		ID: "0195f0a4-1111-7000-8000-000000000009", Title: "Printer offline", Severity: "Low",
		Category: "Hardware", Status: "Open", CreatedAt: at("2026-03-01T08:00:00Z"),
		UpdatedAt: at("2026-03-01T08:00:00Z"), Now: at("2026-03-01T10:15:00Z"),
	}
}

func TestBuilders(t *testing.T) {
	tests := []struct {
		name  string
		build func(report.Input) string
		in    report.Input
	}{
		{name: "rca_full", build: report.RCA, in: fullInput()},
		{name: "rca_empty", build: report.RCA, in: emptyInput()},
		{name: "postmortem_full", build: report.Postmortem, in: fullInput()},
		{name: "postmortem_empty", build: report.Postmortem, in: emptyInput()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.build(tt.in)
			path := filepath.Join("testdata", tt.name+".golden.md")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s (run with -update to accept):\n%s", tt.name, path, got)
			}
		})
	}
}

func TestPostmortemSectionOrder(t *testing.T) {
	doc := report.Postmortem(fullInput())
	order := []string{"## Metadata", "## Summary", "## Impact", "## Timeline", "## Root Cause and Contributing Factors",
		"## What Went Well", "## What Went Poorly", "## Where We Got Lucky", "## Action Items", "## Lessons Learned",
		"## Appendix: Log Files", "## Appendix: Figures"}
	last := -1
	for _, h := range order {
		i := strings.Index(doc, h)
		if i <= last {
			t.Fatalf("section %q out of order or missing", h)
		}
		last = i
	}
}

func TestTableCellsEscaped(t *testing.T) {
	for _, doc := range []string{report.RCA(fullInput()), report.Postmortem(fullInput())} {
		if !strings.Contains(doc, `Restore pool size \| add alert`) {
			t.Errorf("pipe in an action not escaped")
		}
		if strings.Contains(doc, "Review config\nchanges") {
			t.Errorf("newline in a table cell not flattened")
		}
	}
}

func TestFormatDuration(t *testing.T) {
	base := at("2026-01-01T00:00:00Z")
	tests := []struct {
		end  time.Time
		want string
	}{
		{base.Add(2*time.Hour + 15*time.Minute), "2h 15m"},
		{base.Add(76*time.Hour + 59*time.Second), "3d 4h"},
		{base.Add(45*time.Minute + 30*time.Second), "45m"},
		{base, "0m"},
		{base.Add(-time.Minute), "N/A"},
		{time.Time{}, "N/A"},
	}
	for _, tt := range tests {
		if got := report.FormatDuration(base, tt.end); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.end.Sub(base), got, tt.want)
		}
	}
	if got := report.FormatDuration(time.Time{}, base); got != "N/A" {
		t.Errorf("missing start = %q", got)
	}
}

func TestMetrics(t *testing.T) {
	in := fullInput()
	in.StartedAt, in.DetectedAt, in.MitigatedAt = nil, nil, nil
	m := report.ComputeMetrics(in)
	if m.Duration != "1d 2h" || m.TimeToRootCause != "2h 15m" || m.TimeToResolve != "1d 2h" {
		t.Errorf("metrics = %+v", m)
	}
	m = report.ComputeMetrics(emptyInput())
	if m.Duration != "2h 15m (ongoing)" || m.TimeToRootCause != "N/A" || m.TimeToResolve != "N/A" ||
		m.TimeToDetect != "N/A" || m.TimeToMitigate != "N/A" {
		t.Errorf("ongoing metrics = %+v", m)
	}
}

// TestMetricsFromIncidentTimes: with the times the responders recorded, the metrics count from
// when the impact started, not from when someone opened the incident in the portal.
func TestMetricsFromIncidentTimes(t *testing.T) {
	in := fullInput()
	started, detected, mitigated := at("2026-03-01T13:40:00Z"), at("2026-03-01T13:55:00Z"), at("2026-03-01T15:10:00Z")
	in.StartedAt, in.DetectedAt, in.MitigatedAt = &started, &detected, &mitigated
	m := report.ComputeMetrics(in)
	want := report.Metrics{Duration: "1d 2h", TimeToDetect: "15m", TimeToMitigate: "1h 30m", TimeToRootCause: "2h 40m", TimeToResolve: "1d 2h"}
	if m != want {
		t.Errorf("metrics = %+v, want %+v", m, want)
	}
	// Detected only: counted from detection; time to detect is unknown.
	in.StartedAt = nil
	m = report.ComputeMetrics(in)
	if m.TimeToDetect != "N/A" || m.TimeToMitigate != "1h 15m" || m.TimeToRootCause != "2h 25m" {
		t.Errorf("from detection: %+v", m)
	}
	// No start recorded but detected later than opened: time to detect from the start is N/A,
	// and a start recorded without a detection time counts detection as the opening.
	in.StartedAt, in.DetectedAt = &started, nil
	if m := report.ComputeMetrics(in); m.TimeToDetect != "25m" {
		t.Errorf("detection at opening: %+v", m)
	}
}

func TestRootCause(t *testing.T) {
	rc, complete := report.RootCause(fullInput().Whys)
	if rc != "The pool shrank from 50 to 5.\nNobody noticed." || complete {
		t.Errorf("RootCause = %q, %v", rc, complete)
	}
}
