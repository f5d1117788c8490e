package report

import (
	"fmt"
	"strings"
	"time"
)

// RCA builds the root cause analysis of an incident. Its sections, in order: the issue summary,
// the description, the incident timeline, the metrics, the 5-Whys with their evidence, the root
// cause, the log files analysed, the figures, the corrective actions (the action items), the
// lessons learned and the footer.
func RCA(in Input) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Root Cause Analysis: %s\n\n", heading(in.Title))

	b.WriteString("## Issue Summary\n\n")
	rows := [][]string{
		{"Incident ID", cell(in.ID)},
		{"Category", cell(in.Category)},
		{"Status", cell(in.Status)},
		{"Severity", cell(in.Severity)},
		{"Assigned To", cell(orNone(in.Assignee, "Unassigned"))},
		{"Created", formatTime(in.CreatedAt)},
		{"Last Updated", formatTime(in.UpdatedAt)},
	}
	for _, t := range []struct {
		label string
		at    *time.Time
	}{{"Impact Started", in.StartedAt}, {"Detected", in.DetectedAt}, {"Mitigated", in.MitigatedAt}, {"Resolved", in.ResolvedAt}} {
		if t.at != nil {
			rows = append(rows, []string{t.label, formatTime(*t.at)})
		}
	}
	table(&b, []string{"Field", "Value"}, rows)

	if strings.TrimSpace(in.Description) != "" {
		fmt.Fprintf(&b, "## Description\n\n%s\n\n", strings.TrimSpace(in.Description))
	}

	b.WriteString("## Incident Timeline\n\n")
	if len(in.Events) == 0 {
		b.WriteString("_No timeline events recorded._\n\n")
	} else {
		rows := make([][]string, 0, len(in.Events))
		for _, e := range in.Events {
			rows = append(rows, []string{formatTime(e.At), cell(e.Label), cell(e.Description)})
		}
		table(&b, []string{"Time (UTC)", "Event", "Description"}, rows)
	}

	m := ComputeMetrics(in)
	b.WriteString("## Incident Metrics\n\n")
	fmt.Fprintf(&b, "- **Total Events:** %d\n", len(in.Events))
	fmt.Fprintf(&b, "- **Incident Duration:** %s\n", m.Duration)
	fmt.Fprintf(&b, "- **Time to Detect:** %s\n", m.TimeToDetect)
	fmt.Fprintf(&b, "- **Time to Mitigate:** %s\n", m.TimeToMitigate)
	fmt.Fprintf(&b, "- **Time to Root Cause:** %s\n", m.TimeToRootCause)
	fmt.Fprintf(&b, "- **Time to Resolve:** %s\n\n", m.TimeToResolve)

	b.WriteString("## 5 Whys Analysis\n\n")
	if len(in.Whys) == 0 {
		b.WriteString("_No 5-whys analysis has been performed yet._\n\n")
	}
	for _, w := range in.Whys {
		fmt.Fprintf(&b, "### Why #%d: %s\n\n", w.Number, heading(w.Question))
		if strings.TrimSpace(w.Answer) == "" {
			b.WriteString("**Answer:** _Awaiting answer._\n\n")
		} else {
			fmt.Fprintf(&b, "**Answer:** %s\n\n", block(w.Answer))
		}
		if strings.TrimSpace(w.Evidence) != "" {
			fmt.Fprintf(&b, "**Evidence:** %s\n\n", block(w.Evidence))
		}
	}

	b.WriteString("## Root Cause\n\n")
	rc, complete := RootCause(in.Whys)
	switch {
	case len(in.Whys) == 0:
		b.WriteString("_Perform the 5-whys analysis to identify the root cause._\n\n")
	case rc == "":
		b.WriteString("_The 5-whys analysis is incomplete: no why has been answered yet._\n\n")
	default:
		b.WriteString("Based on the 5-whys analysis, the root cause is:\n\n")
		b.WriteString(quote(rc) + "\n\n")
		if !complete {
			b.WriteString("_The analysis stopped before the fifth why; confirm that this is the root cause._\n\n")
		}
	}

	b.WriteString("## Log Files Analyzed\n\n")
	if len(in.Logs) == 0 {
		b.WriteString("_No log files attached._\n\n")
	} else {
		rows := make([][]string, 0, len(in.Logs))
		for _, l := range in.Logs {
			rows = append(rows, []string{cell(l.Name), cell(l.Size), yesNo(l.Redacted), "`" + hashPrefix(l.Hash) + "`"})
		}
		table(&b, []string{"File", "Size", "Redacted", "Hash"}, rows)
	}

	if len(in.Images) > 0 {
		b.WriteString("## Figures\n\n")
		figures(&b, in.Images)
	}

	b.WriteString("## Corrective Actions\n\n")
	if len(in.Actions) == 0 {
		b.WriteString("### Immediate Actions\n\n- [ ] _Describe the fix that restored service._\n\n")
		b.WriteString("### Long-Term Actions\n\n- [ ] _Preventive measures so that this root cause cannot recur._\n")
		b.WriteString("- [ ] _Monitoring and alerting that would detect it sooner._\n\n")
	} else {
		table(&b, []string{"Priority", "Action", "Owner", "Due Date", "Status"}, actionRows(in.Actions))
	}

	b.WriteString("## Lessons Learned\n\n")
	b.WriteString("- _What went well in detecting and resolving the incident?_\n")
	b.WriteString("- _What could be improved?_\n")
	b.WriteString("- _Which processes or runbooks should be updated?_\n\n")

	footer(&b, in.Now)
	return b.String()
}
