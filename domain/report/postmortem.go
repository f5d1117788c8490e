package report

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Postmortem builds the blameless post-mortem of an incident, in the order Google's SRE book and
// PagerDuty use: metadata, summary, impact, timeline, root cause and contributing factors, what
// went well, what went poorly, where we got lucky, action items, lessons learned, then the logs
// and figures as appendices and the footer. Its wording is about systems and processes, never
// about people.
func Postmortem(in Input) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Blameless Post-Mortem: %s\n\n", heading(in.Title))

	b.WriteString("## Metadata\n\n")
	fmt.Fprintf(&b, "- **Incident ID:** %s\n", inline(in.ID))
	fmt.Fprintf(&b, "- **Date:** %s\n", formatTime(in.CreatedAt))
	fmt.Fprintf(&b, "- **Severity:** %s\n", inline(in.Severity))
	fmt.Fprintf(&b, "- **Category:** %s\n", inline(in.Category))
	fmt.Fprintf(&b, "- **Status:** %s\n", inline(in.Status))
	fmt.Fprintf(&b, "- **Last Updated:** %s\n", formatTime(in.UpdatedAt))
	fmt.Fprintf(&b, "- **Incident Owner:** %s\n", orNone(inline(in.Assignee), "_Unassigned_"))
	b.WriteString("- **Authors:** _Who wrote this post-mortem_\n")
	b.WriteString("- **Reviewers:** _Who reviewed it_\n\n")

	b.WriteString("## Summary\n\n")
	if d := strings.TrimSpace(in.Description); d != "" {
		b.WriteString(d + "\n\n")
	} else {
		b.WriteString("_Provide a brief summary of the incident: what happened, who was affected and how it was resolved._\n\n")
	}

	m := ComputeMetrics(in)
	b.WriteString("## Impact\n\n")
	fmt.Fprintf(&b, "- **Duration:** %s\n", m.Duration)
	fmt.Fprintf(&b, "- **Time to Detect:** %s\n", m.TimeToDetect)
	fmt.Fprintf(&b, "- **Time to Mitigate:** %s\n", m.TimeToMitigate)
	fmt.Fprintf(&b, "- **Time to Root Cause:** %s\n", m.TimeToRootCause)
	fmt.Fprintf(&b, "- **Time to Resolve:** %s\n", m.TimeToResolve)
	b.WriteString("- **Users Affected:** _How many users or customers, and how_\n")
	b.WriteString("- **Revenue Impact:** _Estimated, if any_\n")
	b.WriteString("- **SLA Impact:** _Which commitments were missed, if any_\n\n")

	b.WriteString("## Timeline\n\n")
	table(&b, []string{"Time (UTC)", "Event"}, postmortemTimeline(in))

	b.WriteString("## Root Cause and Contributing Factors\n\n### 5 Whys\n\n")
	if len(in.Whys) == 0 {
		for i := 1; i <= 5; i++ {
			fmt.Fprintf(&b, "%d. **Why?** _…_\n", i)
		}
		b.WriteString("\n")
	} else {
		for _, w := range in.Whys {
			answer := "_Awaiting answer_"
			if strings.TrimSpace(w.Answer) != "" {
				answer = inline(w.Answer)
			}
			fmt.Fprintf(&b, "%d. **Why?** %s → %s\n", w.Number, inline(w.Question), answer)
			if strings.TrimSpace(w.Evidence) != "" {
				fmt.Fprintf(&b, "   - _Evidence:_ %s\n", inline(w.Evidence))
			}
		}
		b.WriteString("\n")
	}
	if rc, complete := RootCause(in.Whys); rc != "" {
		fmt.Fprintf(&b, "**Root Cause:** %s\n\n", block(rc))
		if !complete {
			b.WriteString("_The analysis stopped before the fifth why; confirm that this is the root cause._\n\n")
		}
	} else {
		b.WriteString("**Root Cause:** _Not identified yet._\n\n")
	}
	b.WriteString("### Contributing Factors\n\n")
	b.WriteString("_This review is blameless: it looks for the conditions in our systems and processes that allowed the incident, not for someone to blame. People made reasonable decisions with the information they had._\n\n")
	b.WriteString("- _Technical factor (design, capacity, configuration)_\n")
	b.WriteString("- _Process factor (change management, runbooks, alerting)_\n")
	b.WriteString("- _Communication factor (hand-offs, escalation, status updates)_\n\n")

	b.WriteString("## What Went Well\n\n")
	if n := answered(in.Whys); n > 0 {
		fmt.Fprintf(&b, "- A systematic 5-whys analysis was carried out (%d of 5 whys answered).\n", n)
	}
	for _, e := range in.Events {
		if e.Type == eventRootCause {
			b.WriteString("- The root cause was identified during triage.\n")
			break
		}
	}
	if redacted := countRedacted(in.Logs); redacted > 0 {
		fmt.Fprintf(&b, "- Personal data was redacted from %d of %d log files before they were shared.\n", redacted, len(in.Logs))
	}
	b.WriteString("- _What helped us detect, understand or mitigate the incident?_\n\n")

	b.WriteString("## What Went Poorly\n\n")
	b.WriteString("- _Where did our tools, alerts or processes make detection or recovery harder?_\n")
	b.WriteString("- _What took longer than it should have?_\n\n")

	b.WriteString("## Where We Got Lucky\n\n")
	b.WriteString("- _What limited the impact by chance rather than by design?_\n\n")

	b.WriteString("## Action Items\n\n")
	if len(in.Actions) == 0 {
		table(&b, []string{"Priority", "Action", "Owner", "Due Date", "Status"}, [][]string{
			{"P0", "_Mitigate: stop this from happening again now_", "_TBD_", "_TBD_", "Open"},
			{"P1", "_Prevent: fix the root cause_", "_TBD_", "_TBD_", "Open"},
			{"P2", "_Process: improve detection, runbooks or communication_", "_TBD_", "_TBD_", "Open"},
		})
	} else {
		table(&b, []string{"Priority", "Action", "Owner", "Due Date", "Status"}, actionRows(in.Actions))
	}

	b.WriteString("## Lessons Learned\n\n")
	b.WriteString("- _What did this incident teach us about our systems?_\n")
	b.WriteString("- _Which runbooks, alerts or processes should change?_\n\n")

	if len(in.Logs) > 0 {
		b.WriteString("## Appendix: Log Files\n\n")
		for _, l := range in.Logs {
			fmt.Fprintf(&b, "- `%s` (%s, redacted: %s, hash `%s`)\n", strings.ReplaceAll(inline(l.Name), "`", "'"),
				l.Size, strings.ToLower(yesNo(l.Redacted)), hashPrefix(l.Hash))
		}
		b.WriteString("\n")
	}
	if len(in.Images) > 0 {
		b.WriteString("## Appendix: Figures\n\n")
		figures(&b, in.Images)
	}

	footer(&b, in.Now)
	return b.String()
}

// postmortemTimeline returns the timeline rows in time order: the incident's opening, every
// event and its resolution.
func postmortemTimeline(in Input) [][]string {
	type row struct {
		at   time.Time
		text string
	}
	rows := []row{{in.CreatedAt, "Incident opened"}}
	for _, e := range in.Events {
		if e.Type == "issue_created" {
			continue // the opening row stands for it
		}
		text := cell(e.Label)
		if d := strings.TrimSpace(e.Description); d != "" {
			text += " — " + cell(d)
		}
		rows = append(rows, row{e.At, text})
	}
	if in.ResolvedAt != nil {
		rows = append(rows, row{*in.ResolvedAt, "Incident resolved"})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].at.Before(rows[j].at) })
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, []string{formatTime(r.at), r.text})
	}
	return out
}

// answered counts the answered whys.
func answered(whys []Why) int {
	n := 0
	for _, w := range whys {
		if strings.TrimSpace(w.Answer) != "" {
			n++
		}
	}
	return n
}

// countRedacted counts the redacted logs.
func countRedacted(logs []Log) int {
	n := 0
	for _, l := range logs {
		if l.Redacted {
			n++
		}
	}
	return n
}
